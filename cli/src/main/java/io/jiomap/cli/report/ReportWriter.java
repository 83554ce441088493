package io.jiomap.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a report directory: the JSON of each run, every chart as PNG and SVG, and {@code index.html} over them.
 * Files of the same names are replaced; nothing else in the directory is touched.
 */
public final class ReportWriter {
    /** The JSON of a single run's report. */
    public static final String RESULTS = "results.json";
    /** The page. */
    public static final String INDEX = "index.html";

    private ReportWriter() {
    }

    /** One run: results.json, the charts, index.html. @return index.html */
    public static Path writeRun(Path dir, RunReport run) throws IOException {
        prepare(dir);
        write(dir.resolve(RESULTS), ResultsJson.write(run));
        List<ChartSpec> charts = ReportCharts.of(List.of(run), List.of(run.label()));
        charts(dir, charts);
        return write(dir.resolve(INDEX), HtmlPage.run(run, charts, RESULTS));
    }

    /** A comparison: before.json and after.json (copies of both runs), the charts of both, index.html. */
    public static Path writeComparison(Path dir, Comparison c) throws IOException {
        prepare(dir);
        List<String> labels = List.of("before", "after");
        write(dir.resolve("before.json"), ResultsJson.write(c.before()));
        write(dir.resolve("after.json"), ResultsJson.write(c.after()));
        List<ChartSpec> charts = ReportCharts.of(List.of(c.before(), c.after()), labels);
        charts(dir, charts);
        return write(dir.resolve(INDEX), HtmlPage.comparison(c, labels, charts, List.of("before.json", "after.json")));
    }

    private static void charts(Path dir, List<ChartSpec> charts) throws IOException {
        for (ChartSpec c : charts) {
            PngChart.write(c, dir.resolve(c.name() + ".png"));
            write(dir.resolve(c.name() + ".svg"), SvgChart.render(c));
        }
    }

    private static void prepare(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--report=" + dir + " is a file; the report needs a directory (it is"
                    + " created if missing)");
        }
        Files.createDirectories(dir);
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
