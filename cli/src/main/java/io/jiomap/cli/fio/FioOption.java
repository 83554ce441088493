package io.jiomap.cli.fio;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The options {@code jiomap fio} understands: fio's names and meanings (docs/tools.md, "fio compatibility"), plus
 * jiomap's own run options. Anything else is refused by name rather than silently ignored, so a job never runs with an
 * option the user believes is in force.
 *
 * @param name    the fio spelling
 * @param run     true for options of the whole run (one device, one mount, one output), false for job options
 * @param bool    true when the option may be given bare ({@code --time_based} means {@code --time_based=1})
 * @param help    one line for {@code --help}
 */
record FioOption(String name, boolean run, boolean bool, String help) {
    static final Map<String, FioOption> ALL = table();

    private static Map<String, FioOption> table() {
        Map<String, FioOption> m = new LinkedHashMap<>();
        job(m, "name", false, "starts a new job with this name; options after it belong to that job");
        job(m, "filename", false, "file to do I/O on, inside the mounted filesystem; a relative name is taken from"
                + " the root (data is /data) (default /jiomap.fio); on the raw filesystem every name is the device");
        job(m, "size", false, "bytes of the file region each job (each numjobs clone) does I/O on, k/m/g/t or N%"
                + " of the file; clones get consecutive regions (default: the file size divided among the jobs)");
        job(m, "bs", false, "block size (default 4k)");
        job(m, "rw", false, "read, write, randread, randwrite, randrw, rw/readwrite (default read)");
        job(m, "readwrite", false, "same as rw");
        job(m, "rwmixread", false, "percentage of reads in a mixed workload (default 50)");
        job(m, "rwmixwrite", false, "percentage of writes in a mixed workload (default 50)");
        job(m, "iodepth", false, "I/Os kept in flight by the io_uring engine (default 1; sync engines use 1)");
        job(m, "runtime", false, "stop after this long: us, ms, s, m, h (default seconds); 0 means no limit");
        job(m, "time_based", true, "run for the whole runtime, going over the region again as often as needed");
        job(m, "norandommap", true, "random offsets drawn independently instead of covering every block once");
        job(m, "direct", true, "1 (jiomap is direct-I/O only; 0 is refused)");
        job(m, "buffered", true, "0 (jiomap is direct-I/O only; 1 is refused)");
        job(m, "sync", false, "none/0, dsync (O_DSYNC), sync/1 (O_SYNC) (default none)");
        job(m, "fsync", false, "issue an fsync after every N writes (default 0: never)");
        job(m, "fdatasync", false, "issue an fdatasync after every N writes (default 0: never)");
        job(m, "ioengine", false, "io_uring (an IoRing at iodepth), psync/sync/pvsync (blocking, depth 1) or null"
                + " (no data moved: the harness overhead) (default psync)");
        job(m, "numjobs", false, "identical threads running this job (default 1)");
        job(m, "group_reporting", true, "report the numjobs clones of a job as one");
        job(m, "verify", false, "crc32c: every written block carries a header and a checksum, read back and"
                + " checked when the job ends (default none)");
        job(m, "verify_only", true, "do not run the workload: replay the offsets and sequence numbers of its writes"
                + " and check that the file still holds what the same job (same options, randseed) wrote in an"
                + " earlier run, e.g. after a crash or a restart; needs verify and a job that is not time_based");
        job(m, "lat_percentiles", true, "also report total-latency (lat_ns) percentiles, and their json+ bins");
        job(m, "slat_percentiles", true, "also report submission-latency (slat_ns) percentiles, and their json+ bins");
        job(m, "write_lat_log", false, "log every I/O's latencies (ns) to NAME_lat.N.log, NAME_clat.N.log and"
                + " NAME_slat.N.log, N the job thread's number from 1, in fio's format (time ms, value, direction,"
                + " block size, priority); written when the jobs end");
        job(m, "write_iops_log", false, "log IOPS to NAME_iops.N.log (per I/O a 1, or with log_avg_msec the"
                + " periodic IOPS)");
        job(m, "write_bw_log", false, "log bandwidth in KiB/s to NAME_bw.N.log (per I/O its size over its"
                + " completion latency, or with log_avg_msec the periodic bandwidth)");
        job(m, "log_avg_msec", false, "average the log entries over windows of this many ms (default 0: one entry"
                + " per I/O); also the period of the IOPS and bandwidth samples of a job that logs them");
        job(m, "log_offset", true, "log entries carry the I/O's offset, before the priority");
        job(m, "percentile_list", false, "latency percentiles to report, colon separated, e.g. 50:99:99.9");
        job(m, "randseed", false, "seed of the random offsets and the read/write mix (default 137)");
        job(m, "thread", true, "accepted: jiomap always runs jobs as threads");
        job(m, "hipri", true, "io_uring engine: poll for completions (an IOPOLL ring: reads and caller-completed"
                + " writes are polled bios, reaped by the job thread); as in io_uring, writes then drop caller"
                + " completion, except with completion=caller+poll");
        job(m, "overwrite", true, "lay a new file out by writing it, so the job's writes overwrite (default 0;"
                + " jobs that read always get a written file)");
        job(m, "fallocate", false, "how a write job's new file is preallocated when not overwrite: native"
                + " (fallocate, default), posix (fallocate, else write), keep (fallocate KEEP_SIZE), none/truncate"
                + " (sparse); on xfs-like/ext4-like the first writes then land in unwritten or unallocated space");
        job(m, "file_append", true, "do I/O after the end of the file: the region starts at its end, nothing is"
                + " laid out (appending writes with rw=write)");
        job(m, "completion", false, "jiomap: how io_uring write completions run: workqueue, caller, inline or"
                + " caller+poll (jiomap's extension: an IOPOLL ring that keeps caller completion on writes, so a pure"
                + " overwrite is polled and completed entirely by the job thread) (default caller)");
        run(m, "output-format", false, "normal, json or json+ (json with the completion-latency histogram"
                + " bins), or several separated by commas, e.g. normal,json+ (default normal)");
        run(m, "eta", false, "when the status line (jobs, % done, bandwidth, IOPS, time left) is shown on stderr"
                + " while the jobs run: auto (rewritten in place when stderr is a terminal; piped, a plain line every"
                + " 5s), always (rewritten in place even when piped) or never (default auto)");
        run(m, "eta-interval", false, "how often the status line is rewritten in place, at least 250ms (default 1s)");
        run(m, "eta-newline", false, "keep the status line as a line of its own this often; piped, the period of"
                + " its plain lines (default: never on a terminal, 5s piped)");
        run(m, "device", false, "jiomap: TYPE[:key=value,...] (default memory:size=<total job size, at least 64m>)");
        run(m, "fs", false, "jiomap: TYPE[:mount-option=value,...] (default raw)");
        run(m, "wq-workers", false, "jiomap: completion workqueue threads (default 1)");
        run(m, "mkfs", true, "jiomap: auto formats only a blank device (zeros where signatures live) and mounts a"
                + " device holding the --fs filesystem as it is, refusing any other; 1 (or bare --mkfs) wipes what is"
                + " there and writes a fresh filesystem; 0 mounts what is there (default auto)");
        return m;
    }

    private static void job(Map<String, FioOption> m, String name, boolean bool, String help) {
        m.put(key(name), new FioOption(name, false, bool, help));
    }

    private static void run(Map<String, FioOption> m, String name, boolean bool, String help) {
        m.put(key(name), new FioOption(name, true, bool, help));
    }

    /** fio's own spellings mix '-' and '_' ({@code output-format}, {@code time_based}); both are accepted. */
    static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replace('-', '_');
    }

    static FioOption find(String name) {
        return ALL.get(key(name));
    }
}
