package io.jiomap.cli.fio;

import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.command.JiomapVersion;
import io.jiomap.cli.text.JsonWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code --output-format=json} and {@code json+} in fio's shape (the fields fio 3.33 writes, less the ones jiomap does
 * not measure: ctx, majf, minf, iodepth_level/submit/complete, disk_util) plus a top-level {@code "jiomap"} object.
 * json+ adds each reported latency's histogram: {@code "bins"}, bucket value in ns to count ({@link LatencyBins}).
 * A job's {@code "job options"} are its options as given, global ones included, with the effective rw, bs, iodepth
 * and numjobs filled in when not given (tools such as fio-plot read them there).
 */
final class FioJsonReport {
    private FioJsonReport() {
    }

    /** @param plus json+: with the latency histograms */
    static String render(FioRun run, boolean plus) {
        JsonWriter w = new JsonWriter().beginObject();
        w.member("fio version", "jiomap-" + JiomapVersion.version());
        w.member("timestamp", run.startedMillis() / 1000);
        w.member("timestamp_ms", run.startedMillis());
        w.member("time", DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT)
                .format(Instant.ofEpochMilli(run.startedMillis()).atZone(ZoneId.systemDefault())));
        if (!run.global().isEmpty()) {
            w.name("global options").beginObject();
            run.global().forEach(w::member);
            w.endObject();
        }
        w.name("jobs").beginArray();
        for (JobResult r : run.jobs()) {
            job(w, r, run, plus);
        }
        w.endArray();
        DioCounters c = run.counters();
        w.name("jiomap").beginObject();
        w.name("completions").beginObject()
                .member("submitter", c.submitter())
                .member("waiter", c.waiter())
                .member("inline", c.irq())
                .member("caller", c.caller())
                .member("workqueue", c.workqueue())
                .endObject();
        w.member("data_bios", c.dataBios())
                .member("fua_writes", c.fuaWrites())
                .member("flushes", c.flushes())
                .member("zeroing_bios", c.zeroingBios())
                .member("device", run.device())
                .member("fs", run.fs())
                .member("completion", run.completion());
        w.endObject();
        return w.endObject().finish();
    }

    private static void job(JsonWriter w, JobResult r, FioRun run, boolean plus) {
        JobSpec s = r.spec;
        w.beginObject();
        w.member("jobname", s.name());
        w.member("groupid", 0);
        w.member("error", r.fioError());
        w.member("eta", 0);
        w.member("elapsed", Math.max(1, Math.round(r.runtimeNanos / 1e9)));
        w.name("job options").beginObject();
        w.member("name", s.name());
        s.options().forEach(w::member);
        effective(w, s, "rw", s.rw().fioName);
        effective(w, s, "bs", Integer.toString(s.blockSize()));
        effective(w, s, "iodepth", Integer.toString(s.iodepth()));
        effective(w, s, "numjobs", Integer.toString(s.numjobs()));
        w.endObject();
        long runtimeMs = Math.max(1, Math.round(r.runtimeNanos / 1e6));
        Percentiles p = new Percentiles(s.percentiles(), plus);
        direction(w, "read", r.read, runtimeMs, s, p, run.aggregateBytesPerSecond(true));
        direction(w, "write", r.write, runtimeMs, s, p, run.aggregateBytesPerSecond(false));
        direction(w, "trim", new DirectionStats(), runtimeMs, s, p, 0);
        w.name("sync").beginObject();
        w.member("total_ios", r.sync.n());
        latency(w, "lat_ns", r.sync, p);
        w.endObject();
        w.member("job_runtime", runtimeMs);
        w.member("usr_cpu", percentOf(r.userCpuNanos, r.runtimeNanos));
        w.member("sys_cpu", percentOf(r.systemCpuNanos, r.runtimeNanos));
        long ios = r.read.ios + r.write.ios;
        distribution(w, "latency_ns", LatencyDistribution.BOUNDS, r.latency.ns(), ios);
        distribution(w, "latency_us", LatencyDistribution.BOUNDS, r.latency.us(), ios);
        w.name("latency_ms").beginObject();
        long[] ms = r.latency.ms();
        for (int i = 0; i < ms.length; i++) {
            w.member(LatencyDistribution.MS_NAMES[i], LatencyDistribution.percent(ms[i], ios));
        }
        w.endObject();
        w.member("latency_depth", s.depth());
        if (r.verified) {
            w.name("verify").beginObject()
                    .member("type", "crc32c")
                    .member("blocks", r.verifiedBlocks)
                    .member("errors", r.verifyErrors)
                    .member("first_error", r.firstVerifyError)
                    .endObject();
        }
        w.endObject();
    }

    private static double percentOf(long cpuNanos, long wallNanos) {
        return wallNanos == 0 ? 0 : 100.0 * cpuNanos / wallNanos;
    }

    /** Which percentiles to write, and whether with the bins (json+). */
    private record Percentiles(double[] list, boolean bins) {
    }

    private static void effective(JsonWriter w, JobSpec s, String option, String value) {
        if (!s.options().containsKey(option)) {
            w.member(option, value);
        }
    }

    private static void distribution(JsonWriter w, String name, int[] bounds, long[] counts, long total) {
        w.name(name).beginObject();
        for (int i = 0; i < counts.length; i++) {
            w.member(Integer.toString(bounds[i]), LatencyDistribution.percent(counts[i], total));
        }
        w.endObject();
    }

    private static void direction(JsonWriter w, String name, DirectionStats d, long runtimeMs, JobSpec s,
                                  Percentiles p, double aggregateBytesPerSecond) {
        boolean any = d.ios > 0;
        w.name(name).beginObject();
        w.member("io_bytes", d.bytes);
        w.member("io_kbytes", d.bytes / 1024);
        w.member("bw_bytes", any ? Math.round(d.bytes * 1000.0 / runtimeMs) : 0);
        w.member("bw", any ? Math.round(d.bytes / 1024.0 * 1000.0 / runtimeMs) : 0);
        w.member("iops", any ? d.ios * 1000.0 / runtimeMs : 0.0);
        w.member("runtime", any ? runtimeMs : 0);
        w.member("total_ios", d.ios);
        w.member("short_ios", d.shortIos);
        w.member("drop_ios", 0);
        Percentiles none = new Percentiles(new double[0], false);
        latency(w, "slat_ns", d.slat, s.slatPercentiles() ? p : none);
        latency(w, "clat_ns", d.clat, p);
        latency(w, "lat_ns", d.lat, s.latPercentiles() ? p : none);
        RunningStat bw = d.bwSamples;
        w.member("bw_min", bw.min());
        w.member("bw_max", bw.max());
        // fio's share of the group's aggregate bandwidth, in percent, capped at 100.
        double agg = bw.n() == 0 ? 0 : aggregateBytesPerSecond > 1024
                ? Math.min(100.0, bw.mean() * 100.0 / (aggregateBytesPerSecond / 1024.0)) : 100.0;
        w.member("bw_agg", agg);
        w.member("bw_mean", bw.mean());
        w.member("bw_dev", bw.stddev());
        w.member("bw_samples", bw.n());
        RunningStat iops = d.iopsSamples;
        w.member("iops_min", iops.min());
        w.member("iops_max", iops.max());
        w.member("iops_mean", iops.mean());
        w.member("iops_stddev", iops.stddev());
        w.member("iops_samples", iops.n());
        w.endObject();
    }

    /**
     * min/max/mean/stddev/N, and when there are samples the percentiles asked for, with json+ the bins (fio leaves
     * both out without samples, so its tools never meet an empty histogram).
     */
    private static void latency(JsonWriter w, String name, LatencyStat l, Percentiles p) {
        w.name(name).beginObject()
                .member("min", l.min())
                .member("max", l.max())
                .member("mean", l.mean())
                .member("stddev", l.stddev())
                .member("N", l.n());
        if (l.n() > 0 && p.list().length > 0) {
            w.name("percentile").beginObject();
            for (double q : p.list()) {
                w.member(String.format(Locale.ROOT, "%.6f", q), l.percentile(q));
            }
            w.endObject();
            if (p.bins()) {
                w.name("bins").beginObject();
                l.bins().forEachNonEmpty((value, count) -> w.member(Long.toString(value), count));
                w.endObject();
            }
        }
        w.endObject();
    }
}
