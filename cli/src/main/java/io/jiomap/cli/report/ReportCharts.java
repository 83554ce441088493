package io.jiomap.cli.report;

import io.jiomap.cli.report.ChartSpec.Series;
import io.jiomap.cli.report.ChartSpec.YFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The charts of a report, for one run or for a comparison of two: IOPS, the IOPS gain of each mode over workqueue
 * completion, p50 and p99 latency and CPU per I/O, each against the queue depth. Each mode keeps its colour on every
 * chart; in a comparison the first run is dashed. A chart none of the runs has a value for (latency of a table that
 * gives IOPS only) is left out, and so is a series with no value.
 */
public final class ReportCharts {
    private static final String BASELINE = "workqueue";

    private ReportCharts() {
    }

    /**
     * @param runs   one run, or two (before, after)
     * @param labels the runs' names in legends and titles, one per run; ignored for a single run
     */
    public static List<ChartSpec> of(List<RunReport> runs, List<String> labels) {
        List<ChartSpec> charts = new ArrayList<>();
        add(charts, "iops", "IOPS against queue depth", "IOPS (I/Os per second)", YFormat.COUNT, runs, labels,
                ReportPoint::iops);
        add(charts, "gain", "IOPS gain over workqueue completion", "IOPS gain over workqueue at the same QD (%)",
                YFormat.PERCENT, runs, labels, null);
        add(charts, "latency-p50", "Median latency (p50) against queue depth", "p50 latency, submit to reap (µs)",
                YFormat.PLAIN, runs, labels, ReportPoint::p50Micros);
        add(charts, "latency-p99", "Tail latency (p99) against queue depth", "p99 latency, submit to reap (µs)",
                YFormat.PLAIN, runs, labels, ReportPoint::p99Micros);
        add(charts, "cpu", "CPU per I/O against queue depth", "CPU time of the whole process per I/O (µs)",
                YFormat.PLAIN, runs, labels, ReportPoint::cpuMicrosPerIo);
        return charts;
    }

    /** {@code metric == null} means the gain over the workqueue mode. */
    private static void add(List<ChartSpec> charts, String name, String what, String yLabel, YFormat format,
                            List<RunReport> runs, List<String> labels, ToDoubleFunction<ReportPoint> metric) {
        List<Series> series = new ArrayList<>();
        boolean compare = runs.size() > 1;
        for (int r = 0; r < runs.size(); r++) {
            RunReport run = runs.get(r);
            for (String mode : run.modes()) {
                if (metric == null && mode.equals(BASELINE)) {
                    continue;
                }
                List<Integer> qds = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (int qd : run.queueDepths()) {
                    double y = run.point(mode, qd).map(p -> metric != null ? metric.applyAsDouble(p)
                            : gain(run, p)).orElse(Double.NaN);
                    if (Double.isFinite(y)) {
                        qds.add(qd);
                        ys.add(y);
                    }
                }
                if (!qds.isEmpty()) {
                    String label = compare ? labels.get(r) + ": " + mode : mode;
                    series.add(new Series(label, colour(mode), compare && r == 0,
                            qds.stream().mapToInt(Integer::intValue).toArray(),
                            ys.stream().mapToDouble(Double::doubleValue).toArray()));
                }
            }
        }
        if (!series.isEmpty()) {
            charts.add(new ChartSpec(name, title(what, runs, labels), yLabel, format, series));
        }
    }

    private static double gain(RunReport run, ReportPoint p) {
        return run.point(BASELINE, p.qd()).map(base -> (p.iops() / base.iops() - 1) * 100).orElse(Double.NaN);
    }

    private static String title(String what, List<RunReport> runs, List<String> labels) {
        if (runs.size() == 1) {
            return what + ": " + runs.getFirst().where();
        }
        StringBuilder sb = new StringBuilder(what).append(": ");
        for (int r = 0; r < runs.size(); r++) {
            sb.append(r == 0 ? "" : "; ").append(labels.get(r)).append(" = ").append(runs.get(r).label()).append(", ")
                    .append(runs.get(r).where());
        }
        return sb.toString();
    }

    /** A fixed colour per known mode, so a mode looks the same on every chart and in every report. */
    static int colour(String mode) {
        return switch (mode) {
            case "workqueue" -> 0xd62728;
            case "caller" -> 0x1f77b4;
            case "inline" -> 0x2ca02c;
            case "caller+poll" -> 0x9467bd;
            default -> {
                int[] others = {0xff7f0e, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
                yield others[Math.floorMod(mode.hashCode(), others.length)];
            }
        };
    }
}
