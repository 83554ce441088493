package io.jiomap.cli.fio;

import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.command.JiomapVersion;
import io.jiomap.cli.text.Units;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** fio's normal output: the job lines before the run, then per job IOPS, bandwidth, latencies, CPU; then totals. */
final class FioTextReport {
    private FioTextReport() {
    }

    /** What fio prints before it starts. */
    static void header(PrintWriter out, List<JobSpec> specs, int threads) {
        for (JobSpec s : specs) {
            String bs = s.blockSize() + "B-" + s.blockSize() + "B";
            out.printf(Locale.ROOT, "%s: (g=0): rw=%s, bs=(R) %s, (W) %s, (T) %s, ioengine=%s, iodepth=%d%n",
                    s.name(), s.rw().fioName, bs, bs, bs, s.engine().fioName, s.iodepth());
        }
        out.println("jiomap-" + JiomapVersion.version());
        out.println("Starting " + threads + " thread" + (threads == 1 ? "" : "s"));
        out.flush();
    }

    static String render(FioRun run) {
        StringBuilder sb = new StringBuilder("\n");
        String date = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT)
                .format(Instant.ofEpochMilli(run.startedMillis()).atZone(ZoneId.systemDefault()));
        long pid = ProcessHandle.current().pid();
        for (JobResult r : run.jobs()) {
            int err = r.fioError();
            sb.append(String.format(Locale.ROOT, "%s: (groupid=0, jobs=%d): err=%2d: pid=%d: %s%n", r.spec.name(),
                    r.jobs, err, pid, date));
            direction(sb, "read", r.read, r);
            direction(sb, "write", r.write, r);
            long ios = r.read.ios + r.write.ios;
            distribution(sb, "nsec", r.latency.ns(), ios, false);
            distribution(sb, "usec", r.latency.us(), ios, false);
            distribution(sb, "msec", r.latency.ms(), ios, true);
            if (r.sync.n() > 0) {
                sb.append(String.format(Locale.ROOT, "  fsync/fdatasync/sync_file_range:%n    sync (%s): %s%n",
                        unit(r.sync), stats(r.sync)));
            }
            sb.append(String.format(Locale.ROOT, "  cpu          : usr=%.2f%%, sys=%.2f%%%n",
                    percentOf(r.userCpuNanos, r.runtimeNanos), percentOf(r.systemCpuNanos, r.runtimeNanos)));
            sb.append(String.format(Locale.ROOT, "  IO depths    : %d (%s)%n", r.spec.depth(),
                    r.spec.engine().usesDepth ? "iodepth" : "blocking engine, depth 1"));
            if (r.verified) {
                sb.append(String.format(Locale.ROOT, "  verify       : %d blocks, %d errors%s%n", r.verifiedBlocks,
                        r.verifyErrors, r.firstVerifyError == null ? "" : " (first: " + r.firstVerifyError + ")"));
            }
            sb.append('\n');
        }
        sb.append("Run status group 0 (all jobs):\n");
        groupLine(sb, "READ", run.jobs(), true);
        groupLine(sb, "WRITE", run.jobs(), false);
        DioCounters c = run.counters();
        sb.append(String.format(Locale.ROOT, "%njiomap: device=%s fs=%s completion=%s%n", run.device(), run.fs(),
                run.completion()));
        sb.append(String.format(Locale.ROOT, "  completions  : submitter=%d, waiter=%d, inline=%d, caller=%d,"
                + " workqueue=%d%n", c.submitter(), c.waiter(), c.irq(), c.caller(), c.workqueue()));
        sb.append(String.format(Locale.ROOT, "  bios         : data_bios=%d, fua_writes=%d, flushes=%d,"
                + " zeroing_bios=%d%n", c.dataBios(), c.fuaWrites(), c.flushes(), c.zeroingBios()));
        return sb.toString();
    }

    private static void direction(StringBuilder sb, String name, DirectionStats d, JobResult r) {
        if (d.ios == 0) {
            return;
        }
        long ms = Math.max(1, Math.round(r.runtimeNanos / 1e6));
        double iops = d.ios * 1000.0 / ms;
        double bw = d.bytes * 1000.0 / ms;
        sb.append(String.format(Locale.ROOT, "  %s: IOPS=%s, BW=%s/s (%s/s)(%s/%dmsec)%n", name, Units.count(iops),
                Units.binaryBytes(bw), Units.decimalBytes(bw), Units.binaryBytes(d.bytes), ms));
        if (d.slat.n() > 0) {
            sb.append(String.format(Locale.ROOT, "    slat (%s): %s%n", unit(d.slat), stats(d.slat)));
        }
        sb.append(String.format(Locale.ROOT, "    clat (%s): %s%n", unit(d.clat), stats(d.clat)));
        sb.append(String.format(Locale.ROOT, "     lat (%s): %s%n", unit(d.lat), stats(d.lat)));
        String u = unit(d.clat);
        double div = divisor(u);
        sb.append(String.format(Locale.ROOT, "    clat percentiles (%s):%n", u));
        double[] ps = r.spec.percentiles();
        for (int i = 0; i < ps.length; i++) {
            if (i % 4 == 0) {
                sb.append("     |");
            }
            sb.append(String.format(Locale.ROOT, " %5.2fth=[%5.0f]", ps[i], d.clat.percentile(ps[i]) / div));
            sb.append(i % 4 == 3 || i == ps.length - 1 ? "\n" : ",");
        }
        if (d.shortIos > 0) {
            sb.append(String.format(Locale.ROOT, "    short I/Os  : %d%n", d.shortIos));
        }
    }

    /** fio's {@code lat (usec)   : 50=4.88%, 100=46.29%} line: the buckets that hold completions, if any. */
    private static void distribution(StringBuilder sb, String unit, long[] counts, long total, boolean ms) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                continue;
            }
            String name = ms ? LatencyDistribution.MS_NAMES[i] : Integer.toString(LatencyDistribution.BOUNDS[i]);
            line.append(line.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s=%.2f%%", name,
                    LatencyDistribution.percent(counts[i], total)));
        }
        if (!line.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "  lat (%s)   : %s%n", unit, line));
        }
    }

    private static void groupLine(StringBuilder sb, String name, List<JobResult> jobs, boolean read) {
        long bytes = 0;
        long maxMs = 0;
        long minMs = Long.MAX_VALUE;
        double minBw = Double.MAX_VALUE;
        double maxBw = 0;
        for (JobResult r : jobs) {
            DirectionStats d = read ? r.read : r.write;
            if (d.ios == 0) {
                continue;
            }
            long ms = Math.max(1, Math.round(r.runtimeNanos / 1e6));
            double bw = d.bytes * 1000.0 / ms;
            bytes += d.bytes;
            maxMs = Math.max(maxMs, ms);
            minMs = Math.min(minMs, ms);
            minBw = Math.min(minBw, bw);
            maxBw = Math.max(maxBw, bw);
        }
        if (bytes == 0) {
            return;
        }
        double agg = bytes * 1000.0 / maxMs;
        sb.append(String.format(Locale.ROOT, "  %5s: bw=%s/s (%s/s), %s/s-%s/s (%s/s-%s/s), io=%s (%s),"
                        + " run=%d-%dmsec%n", name, Units.binaryBytes(agg), Units.decimalBytes(agg),
                Units.binaryBytes(minBw), Units.binaryBytes(maxBw), Units.decimalBytes(minBw),
                Units.decimalBytes(maxBw), Units.binaryBytes(bytes), Units.decimalBytes(bytes), minMs, maxMs));
    }

    /** fio picks the unit so the numbers stay short: nsec below 10 us, usec below 10 ms, else msec. */
    private static String unit(LatencyStat l) {
        double mean = l.mean();
        return mean < 10_000 ? "nsec" : mean < 10_000_000 ? "usec" : "msec";
    }

    private static double divisor(String unit) {
        return switch (unit) {
            case "nsec" -> 1;
            case "usec" -> 1e3;
            default -> 1e6;
        };
    }

    private static String stats(LatencyStat l) {
        double div = divisor(unit(l));
        return String.format(Locale.ROOT, "min=%.0f, max=%.0f, avg=%.2f, stdev=%.2f", l.min() / div, l.max() / div,
                l.mean() / div, l.stddev() / div);
    }

    private static double percentOf(long cpuNanos, long wallNanos) {
        return wallNanos == 0 ? 0 : 100.0 * cpuNanos / wallNanos;
    }
}
