package io.jiomap.cli.report;

import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.measure.MachineInfo;
import io.jiomap.cli.text.JsonReader;
import io.jiomap.cli.text.JsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code results.json}: a {@link RunReport} as JSON ({@value #FORMAT}), written by {@code --report} and read back by
 * {@code --compare}. Every member is always written; a metric the run did not measure is {@code null}. Reading is
 * strict: a member missing or of the wrong type is an error naming the file and the member.
 */
public final class ResultsJson {
    /** The value of the top-level {@code format} member, which says the file is a jiomap report. */
    public static final String FORMAT = "jiomap-report/1";
    /** The name {@code --compare} accepts for the seed's published table, bundled as a resource. */
    public static final String SEED = "seed";

    private static final String[] COUNTERS = {"submitter", "waiter", "inline", "caller", "workqueue", "data_bios",
            "fua_writes", "flushes", "zeroing_bios"};

    private ResultsJson() {
    }

    public static String write(RunReport run) {
        JsonWriter w = new JsonWriter().beginObject();
        w.member("format", FORMAT)
                .member("label", run.label())
                .member("command", run.command())
                .member("started_at", run.startedAt())
                .member("device", run.device())
                .member("fs", run.fs())
                .member("block_size", run.blockSize());
        MachineInfo m = run.machine();
        w.name("machine").beginObject()
                .member("cpu", m.cpuModel())
                .member("nproc", m.nproc())
                .member("os", m.os())
                .member("jvm", m.jvm())
                .member("jvm_args", m.jvmArgs())
                .endObject();
        w.name("points").beginArray();
        for (ReportPoint p : run.points()) {
            w.beginObject()
                    .member("mode", p.mode())
                    .member("qd", p.qd())
                    .member("ios", p.ios());
            number(w, "seconds", p.seconds());
            number(w, "iops", p.iops());
            number(w, "bandwidth_bytes_per_s", p.bandwidth());
            number(w, "cpu_us_per_io", p.cpuMicrosPerIo());
            number(w, "thread_cpu_us_per_io", p.threadCpuMicrosPerIo());
            w.name("latency_us").beginObject();
            number(w, "p50", p.p50Micros());
            number(w, "p90", p.p90Micros());
            number(w, "p99", p.p99Micros());
            number(w, "p99.9", p.p999Micros());
            w.endObject();
            w.name("completions");
            DioCounters c = p.completions();
            if (c == null) {
                w.value((String) null);
            } else {
                long[] v = {c.submitter(), c.waiter(), c.irq(), c.caller(), c.workqueue(), c.dataBios(),
                        c.fuaWrites(), c.flushes(), c.zeroingBios()};
                w.beginObject();
                for (int k = 0; k < COUNTERS.length; k++) {
                    w.member(COUNTERS[k], v[k]);
                }
                w.endObject();
            }
            w.endObject();
        }
        w.endArray();
        return w.endObject().finish();
    }

    private static void number(JsonWriter w, String name, double v) {
        if (Double.isNaN(v)) {
            w.name(name).value((String) null);
        } else {
            w.member(name, v);
        }
    }

    /**
     * Reads a report: a results.json file, or {@value #SEED} for the seed's table.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static RunReport read(String fileOrSeed) {
        if (fileOrSeed.equals(SEED)) {
            return seed();
        }
        Path file = Path.of(fileOrSeed);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(fileOrSeed + ": no such file (expected a results.json written by"
                    + " --report=DIR, or '" + SEED + "' for the seed's table)");
        } catch (IOException e) {
            throw new IllegalArgumentException(fileOrSeed + ": cannot be read: " + e.getMessage(), e);
        }
        return parse(text, fileOrSeed);
    }

    /** The seed's published table (Linux commit message, real NVMe), bundled with the cli. */
    public static RunReport seed() {
        try (InputStream in = ResultsJson.class.getResourceAsStream("seed.json")) {
            if (in == null) {
                throw new IllegalStateException("the cli bundle lacks its resource io/jiomap/cli/report/seed.json");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), SEED);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a report; {@code source} names it in errors. */
    public static RunReport parse(String text, String source) {
        Object doc;
        try {
            doc = JsonReader.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage() + " (expected a results.json written by"
                    + " --report=DIR)", e);
        }
        Reader r = new Reader(source);
        Map<?, ?> top = r.object(doc, "the document");
        if (!top.containsKey("format")) {
            throw new IllegalArgumentException(source + ": not a jiomap report: it has no \"format\" member (expected"
                    + " a results.json written by --report=DIR, \"format\": \"" + FORMAT + "\")");
        }
        String format = r.string(top, "format");
        if (!format.equals(FORMAT)) {
            throw new IllegalArgumentException(source + ": \"format\" is \"" + format + "\"; this jiomap reads \""
                    + FORMAT + "\"");
        }
        Map<?, ?> m = r.object(r.get(top, "machine"), "machine");
        MachineInfo machine = new MachineInfo(r.string(m, "jvm"), r.string(m, "jvm_args"), (int) r.whole(m, "nproc"),
                r.string(m, "os"), r.string(m, "cpu"));
        List<ReportPoint> points = new ArrayList<>();
        List<?> list = r.array(r.get(top, "points"), "points");
        for (int k = 0; k < list.size(); k++) {
            String where = "points[" + k + "]";
            Map<?, ?> p = r.object(list.get(k), where);
            Reader pr = r.at(where);
            Map<?, ?> lat = pr.object(pr.get(p, "latency_us"), where + ".latency_us");
            Reader lr = r.at(where + ".latency_us");
            Object c = pr.get(p, "completions");
            DioCounters counters = null;
            if (c != null) {
                Map<?, ?> cm = pr.object(c, where + ".completions");
                Reader cr = r.at(where + ".completions");
                long[] v = new long[COUNTERS.length];
                for (int n = 0; n < COUNTERS.length; n++) {
                    v[n] = cr.whole(cm, COUNTERS[n]);
                }
                counters = new DioCounters(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
            }
            try {
                points.add(new ReportPoint(pr.string(p, "mode"), (int) pr.whole(p, "qd"), pr.whole(p, "ios"),
                        pr.number(p, "seconds"), pr.number(p, "iops"), pr.number(p, "bandwidth_bytes_per_s"),
                        pr.number(p, "cpu_us_per_io"), pr.number(p, "thread_cpu_us_per_io"), lr.number(lat, "p50"),
                        lr.number(lat, "p90"), lr.number(lat, "p99"), lr.number(lat, "p99.9"), counters));
            } catch (IllegalArgumentException e) {
                if (e.getMessage().startsWith(source)) {
                    throw e;
                }
                throw new IllegalArgumentException(source + ": " + where + ": " + e.getMessage(), e);
            }
        }
        try {
            return new RunReport(r.string(top, "label"), r.string(top, "command"), r.string(top, "device"),
                    r.string(top, "fs"), r.whole(top, "block_size"), machine, r.string(top, "started_at"), points);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(source)) {
                throw e;
            }
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** Typed access to parsed members, with errors that say which file and member. */
    private record Reader(String source, String prefix) {
        Reader(String source) {
            this(source, "");
        }

        Reader at(String where) {
            return new Reader(source, where + ".");
        }

        Object get(Map<?, ?> m, String name) {
            if (!m.containsKey(name)) {
                throw fail(prefix + name + " is missing");
            }
            return m.get(name);
        }

        Map<?, ?> object(Object v, String what) {
            if (v instanceof Map<?, ?> m) {
                return m;
            }
            throw fail(what + " is not a JSON object");
        }

        List<?> array(Object v, String what) {
            if (v instanceof List<?> l) {
                return l;
            }
            throw fail(what + " is not a JSON array");
        }

        String string(Map<?, ?> m, String name) {
            if (get(m, name) instanceof String s) {
                return s;
            }
            throw fail(prefix + name + " is not a string");
        }

        /** A number, or NaN for null (not measured). */
        double number(Map<?, ?> m, String name) {
            Object v = get(m, name);
            if (v == null) {
                return Double.NaN;
            }
            if (v instanceof Double d) {
                return d;
            }
            throw fail(prefix + name + " is not a number or null");
        }

        long whole(Map<?, ?> m, String name) {
            if (get(m, name) instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
                return d.longValue();
            }
            throw fail(prefix + name + " is not a whole number");
        }

        IllegalArgumentException fail(String what) {
            return new IllegalArgumentException(source + ": " + what + " (expected a results.json written by"
                    + " --report=DIR, \"format\": \"" + FORMAT + "\")");
        }
    }
}
