package io.jiomap.cli.fio;

import io.jiomap.cli.text.Units;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.OpenFile;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One fio job with its options read and checked. Values that fio accepts but jiomap cannot honour are refused with a
 * message saying why (buffered I/O, other verify types), never ignored.
 *
 * @param options       the job's options as given (global ones included), for fio's {@code "job options"}
 * @param size          region bytes per clone, or -1 when not given (then {@code sizePercent}, or a share of the file)
 * @param sizePercent   {@code size=N%}: N percent of the file, 0 when not given that way
 * @param openFlags     {@link OpenFile#DSYNC} or {@link OpenFile#SYNC} from {@code sync=}, else 0
 * @param verifyOnly    fio's {@code verify_only}: no I/O but the verify reads of what the same job wrote before
 * @param percentiles   the percentiles reported, fio's 17 by default
 * @param hipri         fio's {@code hipri}: the io_uring engine's ring polls (IORING_SETUP_IOPOLL); as in io_uring,
 *                      writes then do not ask for caller completion unless the completion mode is
 *                      {@code caller+poll}, which polls whether or not this is set
 * @param layout        how a file shorter than the job's region is laid out (fio's {@code overwrite} and
 *                      {@code fallocate})
 * @param fileAppend    fio's {@code file_append}: the region starts at the file's end, nothing is laid out
 * @param latLog        {@code write_lat_log} name, or null
 * @param iopsLog       {@code write_iops_log} name, or null
 * @param bwLog         {@code write_bw_log} name, or null
 * @param logAvgMsec    {@code log_avg_msec}: the logs average over windows of this many ms; 0 logs every I/O
 * @param logOffset     {@code log_offset}: log entries carry the I/O's offset
 * @param latPercentiles  {@code lat_percentiles}: percentiles (and json+ bins) of the total latency too
 * @param slatPercentiles {@code slat_percentiles}: percentiles (and json+ bins) of the submission latency too
 */
record JobSpec(String name, Map<String, String> options, String filename, long size, double sizePercent,
               int blockSize, Rw rw, int rwmixread, int iodepth, long runtimeNanos, boolean timeBased,
               boolean norandommap, int openFlags, int fsyncEvery, int fdatasyncEvery, Engine engine, int numjobs,
               boolean groupReporting, boolean verify, boolean verifyOnly, double[] percentiles, long randseed,
               CompletionMode completion, boolean hipri, Layout layout, boolean fileAppend, String latLog,
               String iopsLog, String bwLog, long logAvgMsec, boolean logOffset, boolean latPercentiles,
               boolean slatPercentiles) {

    /**
     * How fio lays out a file shorter than the job needs: jobs that read, and writes with {@code overwrite=1}, get it
     * written (so every write overwrites); other write jobs get it preallocated as {@code fallocate} says, so on a
     * filesystem their first writes land in unwritten or unallocated space.
     */
    enum Layout {
        /** Write zeros over the new part (reads, overwrite=1). */
        WRITE,
        /** fallocate mode 0 (fallocate=native, the default), the size only where the filesystem cannot allocate. */
        NATIVE,
        /** fallocate mode 0, writing zeros where the filesystem cannot allocate (fallocate=posix or 1). */
        POSIX,
        /** fallocate KEEP_SIZE, then the size (fallocate=keep). */
        KEEP,
        /** Only the size: a sparse file (fallocate=none, 0 or truncate). */
        TRUNCATE
    }

    /** fio's default percentile list. */
    static final double[] DEFAULT_PERCENTILES = {1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95,
            99.99};
    static final String DEFAULT_FILENAME = "/jiomap.fio";
    /** fio's default randseed. */
    static final long DEFAULT_RANDSEED = 0x89;

    /** The I/O pattern. */
    enum Rw {
        READ("read", false, 100), WRITE("write", false, 0), RANDREAD("randread", true, 100),
        RANDWRITE("randwrite", true, 0), RANDRW("randrw", true, -1), RW("rw", false, -1);

        final String fioName;
        final boolean random;
        /** Percentage of reads, -1 for a mix given by rwmixread. */
        final int fixedReadPercent;

        Rw(String fioName, boolean random, int fixedReadPercent) {
            this.fioName = fioName;
            this.random = random;
            this.fixedReadPercent = fixedReadPercent;
        }

        static Rw parse(String text) {
            String t = text.toLowerCase(Locale.ROOT);
            if (t.equals("readwrite")) {
                return RW;
            }
            for (Rw r : values()) {
                if (r.fioName.equals(t)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not one of read, write, randread, randwrite,"
                    + " randrw, rw");
        }
    }

    /** How I/O is issued. */
    enum Engine {
        /** An IoRing at iodepth, completions by the job's completion mode. */
        IO_URING("io_uring", true),
        /** Blocking pread/pwrite at depth 1. */
        PSYNC("psync", false),
        /** Blocking read/write at depth 1 (the same calls as psync here: there is no file position to seek). */
        SYNC("sync", false),
        /** Blocking preadv/pwritev at depth 1 (one segment: the same calls as psync). */
        PVSYNC("pvsync", false),
        /** No data moved: every I/O completes at once with its full length (fio's harness-overhead baseline). */
        NULL("null", true);

        final String fioName;
        /** Whether iodepth applies (fio ignores it for the sync engines). */
        final boolean usesDepth;

        Engine(String fioName, boolean usesDepth) {
            this.fioName = fioName;
            this.usesDepth = usesDepth;
        }

        static Engine parse(String text) {
            for (Engine e : values()) {
                if (e.fioName.equals(text.toLowerCase(Locale.ROOT))) {
                    return e;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not an engine jiomap has: io_uring, psync, sync,"
                    + " pvsync, null");
        }
    }

    /**
     * A file name relative to nothing is resolved against the filesystem root, as fio resolves it against
     * {@code --directory}: {@code data} and {@code ./data} are {@code /data}.
     */
    static String absolute(String filename) {
        String f = filename;
        while (f.startsWith("./")) {
            f = f.substring(2);
        }
        return f.startsWith("/") ? f : "/" + f;
    }

    /** Reads a job's merged options. @throws IllegalArgumentException naming the job, the option and the problem */
    static JobSpec from(Map<String, String> merged) {
        String name = merged.get("name");
        Map<String, String> options = new LinkedHashMap<>(merged);
        options.remove("name");
        Reader r = new Reader(name, merged);
        String filename = absolute(r.text("filename", DEFAULT_FILENAME));
        long size = -1;
        double sizePercent = 0;
        String sizeText = merged.get("size");
        if (sizeText != null && sizeText.endsWith("%")) {
            sizePercent = r.number("size", sizeText.substring(0, sizeText.length() - 1));
            if (sizePercent <= 0 || sizePercent > 100) {
                throw r.bad("size", "a percentage must be in (0, 100]");
            }
        } else if (sizeText != null) {
            size = r.size("size", -1);
        }
        long bs = r.size("bs", 4096);
        if (bs <= 0 || bs > (1 << 30)) {
            throw r.bad("bs", "must be from 1 byte to 1g");
        }
        if (size == 0) {
            throw r.bad("size", "must be positive");
        }
        Rw rw = r.parse("rw", "read", Rw::parse);
        int rwmixread = 50;
        if (merged.containsKey("rwmixread")) {
            rwmixread = (int) r.integer("rwmixread", 50, 0, 100);
        } else if (merged.containsKey("rwmixwrite")) {
            rwmixread = 100 - (int) r.integer("rwmixwrite", 50, 0, 100);
        }
        int iodepth = (int) r.integer("iodepth", 1, 1, 32768);
        long runtime = r.duration("runtime", 0);
        boolean timeBased = r.bool("time_based", false);
        if (timeBased && runtime == 0) {
            throw r.bad("time_based", "needs a runtime");
        }
        boolean norandommap = r.bool("norandommap", false);
        if (!r.bool("direct", true)) {
            throw r.bad("direct", "jiomap is direct-I/O only: buffered I/O (direct=0) does not exist here");
        }
        if (r.bool("buffered", false)) {
            throw r.bad("buffered", "jiomap is direct-I/O only: buffered I/O (buffered=1) does not exist here");
        }
        int openFlags = r.parse("sync", "none", t -> switch (t.toLowerCase(Locale.ROOT)) {
            case "none", "0" -> 0;
            case "dsync" -> OpenFile.DSYNC;
            case "sync", "1" -> OpenFile.SYNC;
            default -> throw new IllegalArgumentException("'" + t + "' is not one of none, 0, dsync, sync, 1");
        });
        int fsync = (int) r.integer("fsync", 0, 0, Integer.MAX_VALUE);
        int fdatasync = (int) r.integer("fdatasync", 0, 0, Integer.MAX_VALUE);
        Engine engine = r.parse("ioengine", "psync", Engine::parse);
        int numjobs = (int) r.integer("numjobs", 1, 1, 4096);
        boolean groupReporting = r.bool("group_reporting", false);
        boolean verify = r.parse("verify", "none", t -> switch (t.toLowerCase(Locale.ROOT)) {
            case "none", "0" -> false;
            case "crc32c" -> true;
            default -> throw new IllegalArgumentException("'" + t + "' is not a verify type jiomap has: crc32c");
        });
        if (verify && engine == Engine.NULL) {
            throw r.bad("verify", "the null engine moves no data, so there is nothing to verify");
        }
        if (verify && bs < BlockVerifier.HEADER_BYTES) {
            throw r.bad("verify", "bs " + bs + " is smaller than the " + BlockVerifier.HEADER_BYTES
                    + "-byte verify header");
        }
        boolean verifyOnly = r.bool("verify_only", false);
        if (verifyOnly && !verify) {
            throw r.bad("verify_only", "it checks what an earlier run wrote with verify: add --verify=crc32c");
        }
        if (verifyOnly && timeBased) {
            throw r.bad("verify_only", "a time_based job writes as much as its runtime allowed, so its writes cannot be"
                    + " replayed: give the earlier run a size instead");
        }
        if (verifyOnly && r.bool("file_append", false)) {
            throw r.bad("verify_only", "file_append regions start at the file's end, which the earlier run moved:"
                    + " there is nothing to replay");
        }
        double[] percentiles = r.parse("percentile_list", null, JobSpec::percentiles);
        long randseed = r.integer("randseed", DEFAULT_RANDSEED, Long.MIN_VALUE, Long.MAX_VALUE);
        CompletionMode completion = r.parse("completion", "caller", CompletionMode::parse);
        boolean hipri = r.bool("hipri", false);
        if (hipri && engine != Engine.IO_URING) {
            throw r.bad("hipri", "polled completions need ioengine=io_uring (an IOPOLL ring)");
        }
        r.bool("thread", true);
        boolean overwrite = r.bool("overwrite", false);
        Layout prealloc = r.parse("fallocate", "native", t -> switch (t.toLowerCase(Locale.ROOT)) {
            case "native" -> Layout.NATIVE;
            case "posix", "1" -> Layout.POSIX;
            case "keep" -> Layout.KEEP;
            case "none", "0", "truncate" -> Layout.TRUNCATE;
            default -> throw new IllegalArgumentException("'" + t
                    + "' is not one of native, posix, keep, none, truncate, 0, 1");
        });
        int readPercent = rw.fixedReadPercent >= 0 ? rw.fixedReadPercent : rwmixread;
        Layout layout = readPercent > 0 || overwrite ? Layout.WRITE : prealloc;
        boolean fileAppend = r.bool("file_append", false);
        String latLog = r.logName("write_lat_log");
        String iopsLog = r.logName("write_iops_log");
        String bwLog = r.logName("write_bw_log");
        long logAvgMsec = r.integer("log_avg_msec", 0, 0, Integer.MAX_VALUE);
        boolean logOffset = r.bool("log_offset", false);
        boolean latPercentiles = r.bool("lat_percentiles", false);
        boolean slatPercentiles = r.bool("slat_percentiles", false);
        return new JobSpec(name, options, filename, size, sizePercent, (int) bs, rw, rwmixread, iodepth, runtime,
                timeBased, norandommap, openFlags, fsync, fdatasync, engine, numjobs, groupReporting, verify, verifyOnly,
                percentiles == null ? DEFAULT_PERCENTILES : percentiles, randseed, completion, hipri, layout,
                fileAppend, latLog, iopsLog, bwLog, logAvgMsec, logOffset, latPercentiles, slatPercentiles);
    }

    /** The depth the engine runs at: iodepth for io_uring and null, 1 for the blocking engines (as fio does). */
    int depth() {
        return engine.usesDepth ? iodepth : 1;
    }

    /** Percentage of reads in the job. */
    int readPercent() {
        return rw.fixedReadPercent >= 0 ? rw.fixedReadPercent : rwmixread;
    }

    private static double[] percentiles(String text) {
        String[] parts = text.split(":");
        double[] p = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                p[i] = Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + parts[i] + "' is not a number", e);
            }
            if (!(p[i] > 0 && p[i] <= 100)) {
                throw new IllegalArgumentException(parts[i] + " is not a percentile in (0, 100]");
            }
        }
        Arrays.sort(p);
        return p;
    }

    /** Reads typed values, with messages that name the job and the option. */
    private record Reader(String job, Map<String, String> merged) {
        IllegalArgumentException bad(String option, String why) {
            return new IllegalArgumentException("job '" + job + "': --" + option + "=" + merged.get(option) + ": "
                    + why);
        }

        <T> T parse(String option, String defaultText, java.util.function.Function<String, T> parser) {
            String v = merged.get(option);
            if (v == null) {
                return defaultText == null ? null : parser.apply(defaultText);
            }
            try {
                return parser.apply(v);
            } catch (IllegalArgumentException e) {
                throw bad(option, e.getMessage());
            }
        }

        /** A log name: fio's file name stem, so it must not be empty or end in a path separator. */
        String logName(String option) {
            String v = text(option, null);
            if (v != null && v.endsWith("/")) {
                throw bad(option, "names a directory; give a file name stem such as " + v + "job");
            }
            return v;
        }

        String text(String option, String defaultValue) {
            String v = merged.get(option);
            if (v != null && v.isBlank()) {
                throw bad(option, "must not be empty");
            }
            return v == null ? defaultValue : v;
        }

        long size(String option, long defaultValue) {
            return merged.containsKey(option) ? parse(option, null, Units::parseSize) : defaultValue;
        }

        long duration(String option, long defaultValue) {
            return merged.containsKey(option) ? parse(option, null, Units::parseDuration) : defaultValue;
        }

        double number(String option, String text) {
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw bad(option, "'" + text + "' is not a number");
            }
        }

        long integer(String option, long defaultValue, long min, long max) {
            String v = merged.get(option);
            if (v == null) {
                return defaultValue;
            }
            long n;
            try {
                n = v.startsWith("0x") || v.startsWith("0X") ? Long.parseUnsignedLong(v.substring(2), 16)
                        : Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw bad(option, "'" + v + "' is not a whole number");
            }
            if (n < min || n > max) {
                throw bad(option, "must be from " + min + " to " + max);
            }
            return n;
        }

        boolean bool(String option, boolean defaultValue) {
            return parse(option, defaultValue ? "1" : "0", t -> switch (t.toLowerCase(Locale.ROOT)) {
                case "1", "true", "yes", "on" -> true;
                case "0", "false", "no", "off" -> false;
                default -> throw new IllegalArgumentException("'" + t + "' is not a boolean (1 or 0)");
            });
        }
    }
}
