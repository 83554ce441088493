package io.jiomap.cli.bench;

import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.measure.MachineInfo;
import io.jiomap.cli.report.ReportPoint;
import io.jiomap.cli.report.RunReport;
import io.jiomap.cli.text.JsonWriter;
import io.jiomap.cli.text.TextTable;
import io.jiomap.cli.text.Units;
import io.jiomap.core.CompletionMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The seed's table from the measured points: per QD, IOPS per mode and the gain over the workqueue mode, CPU per
 * I/O, latency percentiles; then where the completions ran; then what it ran on. Rounds are summed per QD and mode
 * (IOPS = all writes / all measured time), so every mode's figure covers both halves of the ABBA order.
 */
public final class BenchReport {
    private final BenchConfig config;
    private final List<PointResult> points;
    private final String commandLine;
    private final MachineInfo machine;
    private final Map<Integer, Map<CompletionMode, PointSum>> cells = new LinkedHashMap<>();
    private final Map<CompletionMode, DioCounters> countersByMode = new LinkedHashMap<>();

    public BenchReport(BenchConfig config, List<PointResult> points, String commandLine, MachineInfo machine) {
        this.config = config;
        this.points = List.copyOf(points);
        this.commandLine = commandLine;
        this.machine = machine;
        for (int qd : config.queueDepths()) {
            Map<CompletionMode, PointSum> row = new LinkedHashMap<>();
            for (CompletionMode mode : config.modes()) {
                row.put(mode, PointSum.of(points.stream().filter(p -> p.qd() == qd && p.mode() == mode).toList()));
            }
            cells.put(qd, row);
        }
        for (CompletionMode mode : config.modes()) {
            countersByMode.put(mode, PointSum.of(points.stream().filter(p -> p.mode() == mode).toList()).counters());
        }
    }

    /** The table for a terminal. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(title()).append('\n').append(subtitle()).append("\n\n");
        sb.append("IOPS\n").append(iopsTable().render("  ")).append('\n');
        sb.append("CPU per I/O, us (whole process / bench thread)\n").append(cpuTable().render("  ")).append('\n');
        sb.append("Latency submit -> reap, us (p50 / p99)\n").append(latencyTable().render("  ")).append('\n');
        sb.append("Sleeps per I/O (bench thread / workqueue workers): each one is a wake-up someone paid for\n")
                .append(sleepTable().render("  ")).append('\n');
        sb.append("Completions in the measured windows, all QDs and rounds\n").append(countersTable().render("  "))
                .append('\n');
        environment(sb);
        return sb.toString();
    }

    /** The same tables in Markdown, for BENCHMARKS.md. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("**").append(title()).append("**\n\n").append(subtitle()).append("\n\n");
        sb.append("IOPS\n\n").append(iopsTable().markdown()).append('\n');
        sb.append("CPU per I/O, us (whole process / bench thread)\n\n").append(cpuTable().markdown()).append('\n');
        sb.append("Latency submit -> reap, us (p50 / p99)\n\n").append(latencyTable().markdown()).append('\n');
        sb.append("Sleeps per I/O (bench thread / workqueue workers)\n\n").append(sleepTable().markdown())
                .append('\n');
        sb.append("Completions in the measured windows, all QDs and rounds\n\n").append(countersTable().markdown())
                .append('\n');
        sb.append("```\n");
        environment(sb);
        sb.append("```\n");
        return sb.toString();
    }

    /**
     * The report model of {@code --report}: a point per QD and mode, summed over the rounds as the tables are.
     *
     * @param startedAt when the run started, ISO-8601
     */
    public RunReport runReport(String startedAt) {
        List<ReportPoint> reportPoints = new ArrayList<>();
        for (CompletionMode mode : config.modes()) {
            for (var row : cells.entrySet()) {
                PointSum c = row.getValue().get(mode);
                reportPoints.add(new ReportPoint(mode.cliName(), row.getKey(), c.ios(), c.elapsedNanos() / 1e9,
                        c.iops(), c.iops() * config.blockSize(), c.processCpuMicrosPerIo(),
                        c.threadCpuMicrosPerIo(), c.percentileMicros(50), c.percentileMicros(90),
                        c.percentileMicros(99), c.percentileMicros(99.9), c.counters()));
            }
        }
        return new RunReport("jiomap bench", commandLine, config.device(), config.fs(), config.blockSize(), machine,
                startedAt, reportPoints);
    }

    /** Every point and the per-QD summary as JSON. */
    public String json() {
        JsonWriter w = new JsonWriter().beginObject();
        w.member("command", commandLine);
        w.name("config").beginObject()
                .member("device", config.device())
                .member("fs", config.fs())
                .member("size", config.regionBytes())
                .member("bs", config.blockSize())
                .member("runtime_ns", config.runtimeNanos())
                .member("warmup_ns", config.warmupNanos())
                .member("rounds", config.rounds())
                .member("wq_workers", config.wqWorkers())
                .member("seed", config.seed());
        w.name("qd").beginArray();
        config.queueDepths().forEach(q -> w.value(q));
        w.endArray();
        w.name("modes").beginArray();
        config.modes().forEach(m -> w.value(m.cliName()));
        w.endArray().endObject();
        w.name("machine").beginObject()
                .member("jvm", machine.jvm())
                .member("jvm_args", machine.jvmArgs())
                .member("nproc", machine.nproc())
                .member("os", machine.os())
                .member("cpu", machine.cpuModel())
                .endObject();
        w.name("summary").beginArray();
        for (var row : cells.entrySet()) {
            w.beginObject().member("qd", row.getKey());
            PointSum base = row.getValue().get(CompletionMode.WORKQUEUE);
            for (var e : row.getValue().entrySet()) {
                PointSum c = e.getValue();
                w.name(e.getKey().cliName()).beginObject()
                        .member("ios", c.ios())
                        .member("elapsed_ns", c.elapsedNanos())
                        .member("iops", c.iops());
                if (base != null) {
                    w.member("gain_vs_workqueue_pct", gain(c, base));
                }
                w.member("process_cpu_us_per_io", c.processCpuMicrosPerIo())
                        .member("thread_cpu_us_per_io", c.threadCpuMicrosPerIo())
                        .member("issuer_sleeps_per_io", c.issuerSleepsPerIo())
                        .member("workqueue_sleeps_per_io", c.workqueueSleepsPerIo())
                        .member("p50_us", c.percentileMicros(50))
                        .member("p99_us", c.percentileMicros(99))
                        .endObject();
            }
            w.endObject();
        }
        w.endArray();
        w.name("completions").beginObject();
        countersByMode.forEach((mode, c) -> {
            w.name(mode.cliName()).beginObject()
                    .member("submitter", c.submitter())
                    .member("waiter", c.waiter())
                    .member("inline", c.irq())
                    .member("caller", c.caller())
                    .member("workqueue", c.workqueue())
                    .member("data_bios", c.dataBios())
                    .member("fua_writes", c.fuaWrites())
                    .member("flushes", c.flushes())
                    .member("zeroing_bios", c.zeroingBios())
                    .endObject();
        });
        w.endObject();
        w.name("points").beginArray();
        for (PointResult p : points) {
            w.beginObject()
                    .member("round", p.round() + 1)
                    .member("qd", p.qd())
                    .member("mode", p.mode().cliName())
                    .member("ios", p.ios())
                    .member("elapsed_ns", p.elapsedNanos())
                    .member("iops", p.iops())
                    .member("process_cpu_ns", p.processCpuNanos())
                    .member("thread_cpu_ns", p.threadCpuNanos())
                    .member("issuer_sleeps", p.issuerSleeps())
                    .member("workqueue_sleeps", p.workqueueSleeps())
                    .member("p50_ns", p.latency().getValueAtPercentile(50))
                    .member("p99_ns", p.latency().getValueAtPercentile(99))
                    .endObject();
        }
        w.endArray();
        return w.endObject().finish();
    }

    private String title() {
        return "jiomap bench: " + Units.size(config.blockSize()) + " random direct writes to a "
                + Units.size(config.regionBytes()) + " region, " + config.fs() + " on " + config.device();
    }

    private String subtitle() {
        return String.format(Locale.ROOT, "%d round(s), mode order alternating per round (ABBA); %.2f s per point"
                        + " after %.2f s warm-up; completion workqueue: %d worker(s); seed %d",
                config.rounds(), config.runtimeNanos() / 1e9, config.warmupNanos() / 1e9, config.wqWorkers(),
                config.seed());
    }

    private TextTable iopsTable() {
        List<String> header = new ArrayList<>(List.of("QD"));
        config.modes().forEach(m -> header.add(m.cliName()));
        boolean withGain = config.modes().contains(CompletionMode.WORKQUEUE);
        List<CompletionMode> others = config.modes().stream().filter(m -> m != CompletionMode.WORKQUEUE).toList();
        if (withGain) {
            others.forEach(m -> header.add(m.cliName() + " vs workqueue"));
        }
        TextTable t = new TextTable(header.toArray(String[]::new));
        for (var row : cells.entrySet()) {
            List<String> r = new ArrayList<>(List.of(String.valueOf(row.getKey())));
            row.getValue().values().forEach(c -> r.add(Units.count(c.iops())));
            if (withGain) {
                PointSum base = row.getValue().get(CompletionMode.WORKQUEUE);
                others.forEach(m -> r.add(String.format(Locale.ROOT, "%+.1f%%", gain(row.getValue().get(m), base))));
            }
            t.row(r.toArray(String[]::new));
        }
        return t;
    }

    private static double gain(PointSum c, PointSum base) {
        return (c.iops() / base.iops() - 1) * 100;
    }

    private TextTable cpuTable() {
        return perModeTable(c -> String.format(Locale.ROOT, "%.2f / %.2f", c.processCpuMicrosPerIo(),
                c.threadCpuMicrosPerIo()));
    }

    private TextTable sleepTable() {
        return perModeTable(c -> String.format(Locale.ROOT, "%.2f / %.2f", c.issuerSleepsPerIo(),
                c.workqueueSleepsPerIo()));
    }

    private TextTable latencyTable() {
        return perModeTable(c -> String.format(Locale.ROOT, "%.1f / %.1f", c.percentileMicros(50),
                c.percentileMicros(99)));
    }

    /** One row per QD, one column per mode, each cell as {@code cell} writes it. */
    private TextTable perModeTable(Function<PointSum, String> cell) {
        TextTable t = new TextTable(modeHeader());
        for (var row : cells.entrySet()) {
            List<String> r = new ArrayList<>(List.of(String.valueOf(row.getKey())));
            row.getValue().values().forEach(c -> r.add(cell.apply(c)));
            t.row(r.toArray(String[]::new));
        }
        return t;
    }

    private String[] modeHeader() {
        List<String> header = new ArrayList<>(List.of("QD"));
        config.modes().forEach(m -> header.add(m.cliName()));
        return header.toArray(String[]::new);
    }

    private TextTable countersTable() {
        TextTable t = new TextTable("mode", "submitter", "waiter", "inline", "caller", "workqueue", "data_bios",
                "fua_writes", "flushes", "zeroing_bios");
        countersByMode.forEach((mode, c) -> t.row(mode.cliName(), String.valueOf(c.submitter()),
                String.valueOf(c.waiter()), String.valueOf(c.irq()), String.valueOf(c.caller()),
                String.valueOf(c.workqueue()), String.valueOf(c.dataBios()), String.valueOf(c.fuaWrites()),
                String.valueOf(c.flushes()), String.valueOf(c.zeroingBios())));
        return t;
    }

    private void environment(StringBuilder sb) {
        sb.append("command:  ").append(commandLine).append('\n');
        sb.append("jvm:      ").append(machine.jvm()).append('\n');
        sb.append("jvm args: ").append(machine.jvmArgs()).append('\n');
        sb.append("nproc:    ").append(machine.nproc()).append('\n');
        sb.append("machine:  ").append(machine.os()).append(", ").append(machine.cpuModel())
                .append('\n');
    }
}
