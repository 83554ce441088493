package io.jiomap.cli.fio;

import io.jiomap.api.io.DioCounters;
import io.jiomap.cli.Jiomap;
import io.jiomap.cli.text.JsonWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code --output-format=json} in fio's shape (the fields fio 3.33 writes) plus a top-level {@code "jiomap"} object.
 */
final class FioJsonReport {
    private FioJsonReport() {
    }

    static String render(FioRun run) {
        JsonWriter w = new JsonWriter().beginObject();
        w.member("fio version", "jiomap-" + Jiomap.version());
        w.member("timestamp", run.startedMillis() / 1000);
        w.member("timestamp_ms", run.startedMillis());
        w.member("time", DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT)
                .format(Instant.ofEpochMilli(run.startedMillis()).atZone(ZoneId.systemDefault())));
        w.name("global options").beginObject();
        run.global().forEach(w::member);
        w.endObject();
        w.name("jobs").beginArray();
        for (JobResult r : run.jobs()) {
            job(w, r);
        }
        w.endArray();
        DioCounters c = run.counters();
        w.name("jiomap").beginObject();
        w.name("completions").beginObject()
                .member("submitter", c.submitter())
                .member("waiter", c.waiter())
                .member("inline", c.inline())
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

    private static void job(JsonWriter w, JobResult r) {
        JobSpec s = r.spec;
        w.beginObject();
        w.member("jobname", s.name());
        w.member("groupid", 0);
        w.member("error", r.fioError());
        w.member("eta", 0);
        w.member("elapsed", Math.max(1, Math.round(r.runtimeNanos / 1e9)));
        w.name("job options").beginObject();
        s.options().forEach(w::member);
        w.endObject();
        long runtimeMs = Math.max(1, Math.round(r.runtimeNanos / 1e6));
        direction(w, "read", r.read, runtimeMs, s.percentiles());
        direction(w, "write", r.write, runtimeMs, s.percentiles());
        direction(w, "trim", new DirectionStats(), runtimeMs, s.percentiles());
        w.name("sync").beginObject();
        w.member("total_ios", r.sync.n());
        latency(w, "lat_ns", r.sync, s.percentiles());
        w.endObject();
        w.member("job_runtime", runtimeMs);
        w.member("usr_cpu", percentOf(r.userCpuNanos, r.runtimeNanos));
        w.member("sys_cpu", percentOf(r.systemCpuNanos, r.runtimeNanos));
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

    private static void direction(JsonWriter w, String name, DirectionStats d, long runtimeMs, double[] percentiles) {
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
        latency(w, "slat_ns", d.slat, percentiles);
        latency(w, "clat_ns", d.clat, percentiles);
        latency(w, "lat_ns", d.lat, percentiles);
        w.endObject();
    }

    /** min/max/mean/stddev/N, and the percentiles when there are samples (fio leaves them out otherwise). */
    private static void latency(JsonWriter w, String name, LatencyStat l, double[] percentiles) {
        w.name(name).beginObject()
                .member("min", l.min())
                .member("max", l.max())
                .member("mean", l.mean())
                .member("stddev", l.stddev())
                .member("N", l.n());
        if (l.n() > 0) {
            w.name("percentile").beginObject();
            for (double p : percentiles) {
                w.member(String.format(Locale.ROOT, "%.6f", p), l.percentile(p));
            }
            w.endObject();
        }
        w.endObject();
    }
}
