package io.jiomap.cli.report;

import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.text.TextTable;
import io.jiomap.cli.text.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code index.html} of a report directory: what ran where, the tables and the charts. It references only files of the
 * same directory (the charts, the JSON) and carries its style inline, so it opens in a browser with no network.
 */
final class HtmlPage {
    private final StringBuilder sb = new StringBuilder();

    private HtmlPage(String title) {
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(title)).append("</title>\n<style>\n")
                .append("body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:2em;max-width:1100px;color:#222}\n")
                .append("table{border-collapse:collapse;margin:.5em 0 1.5em}\n")
                .append("th,td{border:1px solid #ccc;padding:.25em .6em}th{background:#f3f3f3}\n")
                .append(".num{text-align:right;font-variant-numeric:tabular-nums}\n")
                .append("img{max-width:100%;border:1px solid #eee}code{background:#f6f6f6;padding:0 .2em}\n")
                .append("</style>\n</head>\n<body>\n<h1>").append(esc(title)).append("</h1>\n");
    }

    /** The page of one run; {@code json} is the results file's name in the directory. */
    static String run(RunReport run, List<ChartSpec> charts, String json) {
        HtmlPage p = new HtmlPage("jiomap report: " + run.where());
        p.about(run, json);
        p.charts(charts);
        p.tables(run);
        return p.end();
    }

    /** The page of a comparison; {@code jsons} are the two runs' files in the directory, before then after. */
    static String comparison(Comparison c, List<String> labels, List<ChartSpec> charts, List<String> jsons) {
        HtmlPage p = new HtmlPage("jiomap comparison: " + c.after().label() + " (" + labels.get(1) + ") against "
                + c.before().label() + " (" + labels.get(0) + ")");
        p.sb.append("<h2>After / before</h2>\n<p>Ratios above 1: after has more of it (faster for IOPS, slower for"
                + " latency and CPU).</p>\n<h3>IOPS</h3>\n").append(c.table(Comparison.Ratio::iops).html());
        if (c.ratios().stream().anyMatch(r -> Double.isFinite(r.p99()))) {
            p.sb.append("<h3>p50 latency</h3>\n").append(c.table(Comparison.Ratio::p50).html());
            p.sb.append("<h3>p99 latency</h3>\n").append(c.table(Comparison.Ratio::p99).html());
        }
        if (c.ratios().stream().anyMatch(r -> Double.isFinite(r.cpuPerIo()))) {
            p.sb.append("<h3>CPU per I/O</h3>\n").append(c.table(Comparison.Ratio::cpuPerIo).html());
        }
        p.charts(charts);
        List<RunReport> runs = List.of(c.before(), c.after());
        for (int i = 0; i < 2; i++) {
            p.sb.append("<h2>").append(esc(labels.get(i))).append(": ").append(esc(runs.get(i).label()))
                    .append("</h2>\n");
            p.about(runs.get(i), jsons.get(i));
            p.tables(runs.get(i));
        }
        return p.end();
    }

    private void about(RunReport run, String json) {
        TextTable t = new TextTable("", "");
        t.row("label", run.label());
        t.row("command", run.command());
        t.row("device", run.device());
        t.row("filesystem", run.fs());
        t.row("block size", Units.size(run.blockSize()));
        t.row("machine", run.machine().cpuModel() + ", " + run.machine().nproc() + " CPU(s), " + run.machine().os());
        t.row("JVM", run.machine().jvm());
        t.row("JVM arguments", run.machine().jvmArgs());
        t.row("started", run.startedAt());
        sb.append(t.html().replace("<tr><th></th><th class=\"num\"></th></tr>\n", "").replace(" class=\"num\"", ""));
        sb.append("<p>Every point as JSON: <a href=\"").append(esc(json)).append("\">").append(esc(json))
                .append("</a></p>\n");
    }

    private void charts(List<ChartSpec> charts) {
        sb.append("<h2>Charts</h2>\n");
        for (ChartSpec c : charts) {
            sb.append("<figure><img src=\"").append(esc(c.name())).append(".svg\" alt=\"").append(esc(c.title()))
                    .append("\" width=\"").append(PngChart.WIDTH).append("\">\n<figcaption>")
                    .append(esc(c.title())).append(" (<a href=\"").append(esc(c.name())).append(".png\">PNG</a>, <a href=\"")
                    .append(esc(c.name())).append(".svg\">SVG</a>)</figcaption></figure>\n");
        }
    }

    private void tables(RunReport run) {
        List<String> modes = run.modes();
        List<String> others = modes.stream().filter(m -> !m.equals("workqueue")).toList();
        boolean gain = modes.contains("workqueue") && !others.isEmpty();
        List<String> header = new ArrayList<>(List.of("QD"));
        header.addAll(modes);
        if (gain) {
            others.forEach(m -> header.add(m + " vs workqueue"));
        }
        TextTable iops = new TextTable(header.toArray(String[]::new));
        for (int qd : run.queueDepths()) {
            List<String> row = new ArrayList<>(List.of(String.valueOf(qd)));
            modes.forEach(m -> row.add(run.point(m, qd).map(p -> Units.count(p.iops())).orElse("-")));
            if (gain) {
                others.forEach(m -> row.add(run.point(m, qd).flatMap(p -> run.point("workqueue", qd)
                        .map(b -> String.format(Locale.ROOT, "%+.1f%%", (p.iops() / b.iops() - 1) * 100)))
                        .orElse("-")));
            }
            iops.row(row.toArray(String[]::new));
        }
        sb.append("<h3>IOPS</h3>\n").append(iops.html());
        perMode(run, "CPU per I/O, µs (whole process / issuing thread)", p -> num(p.cpuMicrosPerIo(), "%.2f")
                + " / " + num(p.threadCpuMicrosPerIo(), "%.2f"), p -> p.cpuMicrosPerIo());
        perMode(run, "Latency submit to reap, µs (p50 / p90 / p99 / p99.9)", p -> num(p.p50Micros(), "%.1f") + " / "
                + num(p.p90Micros(), "%.1f") + " / " + num(p.p99Micros(), "%.1f") + " / "
                + num(p.p999Micros(), "%.1f"), p -> p.p50Micros());
        if (run.points().stream().anyMatch(p -> p.completions() != null)) {
            TextTable t = new TextTable("mode", "QD", "submitter", "waiter", "inline", "caller", "workqueue",
                    "data bios", "FUA writes", "flushes", "zeroing bios");
            for (ReportPoint p : run.points()) {
                DioCounters c = p.completions();
                if (c != null) {
                    t.row(p.mode(), String.valueOf(p.qd()), String.valueOf(c.submitter()), String.valueOf(c.waiter()),
                            String.valueOf(c.irq()), String.valueOf(c.caller()), String.valueOf(c.workqueue()),
                            String.valueOf(c.dataBios()), String.valueOf(c.fuaWrites()), String.valueOf(c.flushes()),
                            String.valueOf(c.zeroingBios()));
                }
            }
            sb.append("<h3>Where the completions ran</h3>\n").append(t.html());
        }
    }

    private void perMode(RunReport run, String title, Function<ReportPoint, String> cell,
                         Function<ReportPoint, Double> known) {
        if (run.points().stream().noneMatch(p -> Double.isFinite(known.apply(p)))) {
            return;
        }
        List<String> header = new ArrayList<>(List.of("QD"));
        header.addAll(run.modes());
        TextTable t = new TextTable(header.toArray(String[]::new));
        for (int qd : run.queueDepths()) {
            List<String> row = new ArrayList<>(List.of(String.valueOf(qd)));
            run.modes().forEach(m -> row.add(run.point(m, qd).map(cell).orElse("-")));
            t.row(row.toArray(String[]::new));
        }
        sb.append("<h3>").append(esc(title)).append("</h3>\n").append(t.html());
    }

    private static String num(double v, String format) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "-";
    }

    private String end() {
        return sb.append("</body>\n</html>\n").toString();
    }

    private static String esc(String s) {
        return TextTable.escapeHtml(s);
    }
}
