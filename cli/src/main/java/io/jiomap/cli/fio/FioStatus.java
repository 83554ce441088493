package io.jiomap.cli.fio;

import java.util.List;
import java.util.Locale;

/**
 * fio's status line of a running set of jobs, e.g.
 * {@code Jobs: 1 (f=1): [w(1)][45.0%][w=512MiB/s][w=131k IOPS][eta 00m:11s]}: the jobs not ended (each has one
 * file open), their run states condensed, the part of the run done, the bandwidth and IOPS since the previous line,
 * the time left. The run is done when its slowest job is: the time left is the largest of the jobs' estimates
 * ({@link JobProgress#etaNanos}), and the part done is the time elapsed over the time elapsed and left, as fio computes
 * it. Not thread-safe: one thread asks for the lines.
 */
final class FioStatus {
    private static final String[] BYTE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    private static final String[] COUNT_UNITS = {"", "k", "M", "G", "T"};

    private final List<JobProgress> jobs;
    private final long startNanos;
    private final boolean reads;
    private final boolean writes;
    private long lastNanos;
    private long lastReadIos;
    private long lastReadBytes;
    private long lastWriteIos;
    private long lastWriteBytes;

    /** @param startNanos when the run started (System.nanoTime); the first line's rates are from then */
    FioStatus(List<JobProgress> jobs, long startNanos) {
        this.jobs = List.copyOf(jobs);
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
        this.reads = jobs.stream().anyMatch(JobProgress::doesReads);
        this.writes = jobs.stream().anyMatch(JobProgress::doesWrites);
    }

    /** The line at {@code now} (System.nanoTime); its rates cover the time since the previous line. */
    String line(long now) {
        int open = 0;
        long eta = 0;
        long readIos = 0;
        long readBytes = 0;
        long writeIos = 0;
        long writeBytes = 0;
        StringBuilder states = new StringBuilder();
        char runChar = 0;
        int runLength = 0;
        for (JobProgress job : jobs) {
            char state = job.state();
            if (state == runChar) {
                runLength++;
            } else {
                appendRun(states, runChar, runLength);
                runChar = state;
                runLength = 1;
            }
            if (!job.ended()) {
                open++;
                long jobEta = job.etaNanos(now);
                eta = eta < 0 || jobEta < 0 ? -1 : Math.max(eta, jobEta);
            }
            readIos += job.readIos();
            readBytes += job.readBytes();
            writeIos += job.writeIos();
            writeBytes += job.writeBytes();
        }
        appendRun(states, runChar, runLength);

        double seconds = Math.max(1, now - lastNanos) / 1e9;
        StringBuilder bw = new StringBuilder();
        StringBuilder iops = new StringBuilder();
        if (reads) {
            bw.append("r=").append(fioNumber((readBytes - lastReadBytes) / seconds, 1024, BYTE_UNITS)).append("/s");
            iops.append("r=").append(fioNumber((readIos - lastReadIos) / seconds, 1000, COUNT_UNITS));
        }
        if (writes) {
            String sep = reads ? "," : "";
            bw.append(sep).append("w=").append(fioNumber((writeBytes - lastWriteBytes) / seconds, 1024, BYTE_UNITS))
                    .append("/s");
            iops.append(sep).append("w=").append(fioNumber((writeIos - lastWriteIos) / seconds, 1000, COUNT_UNITS));
        }
        lastNanos = now;
        lastReadIos = readIos;
        lastReadBytes = readBytes;
        lastWriteIos = writeIos;
        lastWriteBytes = writeBytes;

        long elapsed = Math.max(0, now - startNanos);
        String percent = eta < 0 || elapsed + eta == 0 ? "-.-%"
                : String.format(Locale.ROOT, "%.1f%%", 100.0 * elapsed / (elapsed + eta));
        return "Jobs: " + open + " (f=" + open + "): [" + states + "][" + percent + "][" + bw + "][" + iops
                + " IOPS][eta " + (eta < 0 ? "--" : eta(eta)) + "]";
    }

    /** fio's condensed run states: {@code w(3)} for three jobs in a row in state w, runs separated by commas. */
    private static void appendRun(StringBuilder sb, char state, int length) {
        if (length == 0) {
            return;
        }
        if (!sb.isEmpty()) {
            sb.append(',');
        }
        sb.append(state).append('(').append(length).append(')');
    }

    /** fio's time left: {@code 00m:11s}, from an hour {@code 01h:02m:05s}, from a day {@code 02d:01h:02m:05s}. */
    static String eta(long nanos) {
        long s = (nanos + 500_000_000L) / 1_000_000_000L;
        long days = s / 86_400;
        long hours = s / 3600 % 24;
        String m = String.format(Locale.ROOT, "%02dm:%02ds", s / 60 % 60, s % 60);
        if (days > 0) {
            return String.format(Locale.ROOT, "%02dd:%02dh:", days, hours) + m;
        }
        return hours > 0 ? String.format(Locale.ROOT, "%02dh:", hours) + m : m;
    }

    /**
     * A rate the way fio's status line prints it, in at most four digits: the first unit in which it is below 10000,
     * with the decimals that fit ({@code 8152}, {@code 31.8MiB}, {@code 434MiB}, {@code 111k}); none in the base unit.
     */
    static String fioNumber(double value, int base, String[] units) {
        double v = Math.max(0, value);
        int unit = 0;
        while (Math.round(v) >= 10_000 && unit < units.length - 1) {
            v /= base;
            unit++;
        }
        int decimals = unit == 0 ? 0 : v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
        return String.format(Locale.ROOT, "%." + decimals + "f", v) + units[unit];
    }
}
