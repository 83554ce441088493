package io.jiomap.cli.report;

import io.jiomap.cli.text.TextTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Two runs side by side ({@code jiomap bench --compare BEFORE AFTER}): after / before for every mode and queue depth
 * both measured. A ratio above 1 means after has more of it (faster for IOPS, slower for latency and CPU).
 *
 * @param before the reference run
 * @param after  the run compared with it
 * @param ratios one per mode and QD present in both, in after's mode order and ascending QD
 */
public record Comparison(RunReport before, RunReport after, List<Ratio> ratios) {
    /**
     * after / before at one mode and QD; NaN where either run lacks the metric.
     */
    public record Ratio(String mode, int qd, double iops, double p50, double p99, double cpuPerIo) {
    }

    /** @throws IllegalArgumentException when the runs have no mode at a QD in common */
    public static Comparison of(RunReport before, RunReport after) {
        List<Ratio> ratios = new ArrayList<>();
        for (String mode : after.modes()) {
            for (int qd : after.queueDepths()) {
                var a = after.point(mode, qd);
                var b = before.point(mode, qd);
                if (a.isPresent() && b.isPresent()) {
                    ratios.add(new Ratio(mode, qd, ratio(a.get(), b.get(), ReportPoint::iops),
                            ratio(a.get(), b.get(), ReportPoint::p50Micros),
                            ratio(a.get(), b.get(), ReportPoint::p99Micros),
                            ratio(a.get(), b.get(), ReportPoint::cpuMicrosPerIo)));
                }
            }
        }
        if (ratios.isEmpty()) {
            throw new IllegalArgumentException("nothing to compare: before (" + before.label() + ") has modes "
                    + before.modes() + " at QD " + before.queueDepths() + ", after (" + after.label() + ") has modes "
                    + after.modes() + " at QD " + after.queueDepths() + "; they need a mode at a QD in common");
        }
        return new Comparison(before, after, List.copyOf(ratios));
    }

    private static double ratio(ReportPoint a, ReportPoint b, ToDoubleFunction<ReportPoint> metric) {
        double num = metric.applyAsDouble(a);
        double den = metric.applyAsDouble(b);
        return Double.isFinite(num) && Double.isFinite(den) && den != 0 ? num / den : Double.NaN;
    }

    public List<String> modes() {
        return ratios.stream().map(Ratio::mode).distinct().toList();
    }

    public List<Integer> queueDepths() {
        return ratios.stream().map(Ratio::qd).distinct().sorted().toList();
    }

    /** The table of one metric: a row per QD, a column per mode, "ratio (+change%)" per cell, "-" where unknown. */
    public TextTable table(ToDoubleFunction<Ratio> metric) {
        List<String> header = new ArrayList<>(List.of("QD"));
        header.addAll(modes());
        TextTable t = new TextTable(header.toArray(String[]::new));
        for (int qd : queueDepths()) {
            List<String> row = new ArrayList<>(List.of(String.valueOf(qd)));
            for (String mode : modes()) {
                row.add(ratios.stream().filter(r -> r.mode().equals(mode) && r.qd() == qd).findFirst()
                        .map(r -> cell(metric.applyAsDouble(r))).orElse("-"));
            }
            t.row(row.toArray(String[]::new));
        }
        return t;
    }

    static String cell(double ratio) {
        return Double.isFinite(ratio)
                ? String.format(Locale.ROOT, "%.3f (%+.1f%%)", ratio, (ratio - 1) * 100) : "-";
    }

    /** What {@code --compare} prints: the runs, then the IOPS ratios, then latency and CPU where both have them. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("before: ").append(before.label()).append(": ").append(before.where()).append('\n');
        sb.append("        ").append(before.command()).append('\n');
        sb.append("after:  ").append(after.label()).append(": ").append(after.where()).append('\n');
        sb.append("        ").append(after.command()).append("\n\n");
        sb.append("IOPS, after / before\n").append(table(Ratio::iops).render("  ")).append('\n');
        if (ratios.stream().anyMatch(r -> Double.isFinite(r.p99()))) {
            sb.append("p50 latency, after / before\n").append(table(Ratio::p50).render("  ")).append('\n');
            sb.append("p99 latency, after / before\n").append(table(Ratio::p99).render("  ")).append('\n');
        }
        if (ratios.stream().anyMatch(r -> Double.isFinite(r.cpuPerIo()))) {
            sb.append("CPU per I/O, after / before\n").append(table(Ratio::cpuPerIo).render("  ")).append('\n');
        }
        return sb.toString();
    }
}
