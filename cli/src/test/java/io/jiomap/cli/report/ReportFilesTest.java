package io.jiomap.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.MiniJson;
import io.jiomap.cli.measure.MachineInfo;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

public class ReportFilesTest {
    @TempDir
    Path dir;

    static final MachineInfo MACHINE = new MachineInfo("Test VM 25", "-Xmx1g", 2, "Linux 6.18 amd64",
            "Test CPU @ 1.00GHz");

    /** A run whose every value is exact at the six decimals the JSON keeps. */
    public static RunReport run(String label, double scale) {
        List<ReportPoint> points = new ArrayList<>();
        String[] modes = {"workqueue", "caller", "inline"};
        for (int m = 0; m < modes.length; m++) {
            for (int qd : new int[] {1, 2, 4, 8, 16}) {
                double iops = (100_000 + 25_000 * m) * qd * scale;
                points.add(new ReportPoint(modes[m], qd, 1000L * qd, 1.25, iops, iops * 4096, 2.5 + m, 1.25 + m,
                        3.5 * qd, 5.25 * qd, 9.5 * qd, 20.125 * qd,
                        new DioCounters(1, 0, m == 2 ? 999 : 0, m == 1 ? 999 : 0, m == 0 ? 999 : 0, 1000, 0, 0, 0)));
            }
        }
        return new RunReport(label, "jiomap bench --qd=1,2,4,8,16", "memory:size=1g", "raw", 4096, MACHINE,
                "2026-11-26T10:00:00Z", points);
    }

    @Test
    void resultsJsonRoundTripsEveryField() {
        RunReport run = run("jiomap bench", 1);

        String json = ResultsJson.write(run);

        assertThat(ResultsJson.parse(json, "results.json")).isEqualTo(run);
        Object doc = MiniJson.parse(json);
        assertThat(keys(doc)).containsExactlyInAnyOrder("format", "label", "command", "started_at", "device", "fs",
                "block_size", "machine", "points");
        assertThat(keys(MiniJson.at(doc, "machine"))).containsExactlyInAnyOrder("cpu", "nproc", "os", "jvm", "jvm_args");
        for (Object p : (List<?>) MiniJson.at(doc, "points")) {
            assertThat(keys(p)).containsExactlyInAnyOrder("mode", "qd", "ios", "seconds", "iops",
                    "bandwidth_bytes_per_s", "cpu_us_per_io", "thread_cpu_us_per_io", "latency_us", "completions");
            assertThat(keys(MiniJson.at(p, "latency_us"))).containsExactlyInAnyOrder("p50", "p90", "p99", "p99.9");
            assertThat(keys(MiniJson.at(p, "completions"))).containsExactlyInAnyOrder("submitter", "waiter", "inline",
                    "caller", "workqueue", "data_bios", "fua_writes", "flushes", "zeroing_bios");
        }
    }

    @Test
    void aMetricNotMeasuredIsNullAndReadsBackAsUnknown() {
        RunReport seed = ResultsJson.seed();

        RunReport back = ResultsJson.parse(ResultsJson.write(seed), "seed");

        assertThat(back.points()).hasSize(10);
        assertThat(back.point("caller", 16).orElseThrow().iops()).isEqualTo(845_000);
        assertThat(back.point("workqueue", 1).orElseThrow().iops()).isEqualTo(155_000);
        assertThat(back.point("caller", 16).orElseThrow().p99Micros()).isNaN();
        assertThat(back.point("caller", 16).orElseThrow().completions()).isNull();
    }

    @Test
    void theChartsArePngsOfTheExpectedSizeAndWellFormedSvgsWithTitleAndAxisLabels() throws Exception {
        ReportWriter.writeRun(dir, run("jiomap bench", 1));

        for (String chart : List.of("iops", "gain", "latency-p50", "latency-p99", "cpu")) {
            BufferedImage png = ImageIO.read(dir.resolve(chart + ".png").toFile());
            assertThat(png).as(chart + ".png").isNotNull();
            assertThat(png.getWidth()).isEqualTo(PngChart.WIDTH);
            assertThat(png.getHeight()).isEqualTo(PngChart.HEIGHT);

            Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(dir.resolve(chart + ".svg").toFile());
            assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
            List<String> texts = texts(svg.getElementsByTagName("text"));
            assertThat(texts).contains(ChartSpec.X_LABEL);
            assertThat(texts.getFirst()).contains("raw on memory:size=1g").contains("Test CPU @ 1.00GHz x2");
            assertThat(texts).contains("1", "2", "4", "8", "16");
        }
        Document iops = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(dir.resolve("iops.svg").toFile());
        assertThat(texts(iops.getElementsByTagName("text")))
                .contains("IOPS (I/Os per second)", "workqueue", "caller", "inline");
        assertThat(texts(iops.getElementsByTagName("title")).getFirst())
                .startsWith("IOPS against queue depth: raw on memory:size=1g");
    }

    @Test
    void indexHtmlReferencesOnlyFilesOfTheReportDirectory() throws IOException {
        Path index = ReportWriter.writeRun(dir, run("jiomap bench", 1));

        String html = Files.readString(index);
        List<String> refs = references(html);
        assertThat(refs).contains("results.json", "iops.svg", "iops.png", "cpu.svg");
        for (String ref : refs) {
            assertThat(dir.resolve(ref)).as(ref).isRegularFile();
        }
        assertThat(html).doesNotContain("http://", "https://", "//cdn");
        assertThat(html).contains("Test CPU @ 1.00GHz").contains("jiomap bench --qd=1,2,4,8,16")
                .contains("Test VM 25").contains("<td>memory:size=1g</td>").contains("<td>raw</td>");
    }

    @Test
    void comparisonRatiosAreAfterOverBeforePerModeAndQueueDepth() throws IOException {
        RunReport before = run("before", 1);
        RunReport after = run("after", 1.5);

        Comparison c = Comparison.of(before, after);

        assertThat(c.ratios()).hasSize(15);
        assertThat(c.ratios()).allSatisfy(r -> {
            assertThat(r.iops()).isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(r.p99()).isEqualTo(1.0);
        });
        Path index = ReportWriter.writeComparison(dir, c);
        for (String ref : references(Files.readString(index))) {
            assertThat(dir.resolve(ref)).as(ref).isRegularFile();
        }
        assertThat(ResultsJson.read(dir.resolve("before.json").toString())).isEqualTo(before);
        assertThat(ResultsJson.read(dir.resolve("after.json").toString())).isEqualTo(after);
    }

    @Test
    void runsWithNothingInCommonCannotBeCompared() {
        RunReport a = new RunReport("a", "x", "d", "f", 4096, MACHINE, "t",
                List.of(ReportPoint.iopsOnly("caller", 1, 10, 4096)));
        RunReport b = new RunReport("b", "x", "d", "f", 4096, MACHINE, "t",
                List.of(ReportPoint.iopsOnly("caller", 2, 10, 4096)));

        assertThatThrownBy(() -> Comparison.of(a, b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing to compare").hasMessageContaining("QD [1]")
                .hasMessageContaining("QD [2]");
    }

    @Test
    void aFileThatIsNotAReportIsRefusedNamingTheFileAndTheProblem() throws IOException {
        Path notJson = Files.writeString(dir.resolve("a.json"), "{\"points\": [1, 2,]}");
        Path otherJson = Files.writeString(dir.resolve("b.json"), "{\"jobs\": []}");
        Path noIops = Files.writeString(dir.resolve("c.json"),
                ResultsJson.write(run("x", 1)).replaceFirst("\"iops\": [0-9.]+,", ""));

        assertThatThrownBy(() -> ResultsJson.read(notJson.toString()))
                .hasMessageStartingWith(notJson + ": not valid JSON at line 1, column 18");
        assertThatThrownBy(() -> ResultsJson.read(otherJson.toString()))
                .hasMessageStartingWith(otherJson + ": not a jiomap report: it has no \"format\" member");
        assertThatThrownBy(() -> ResultsJson.read(noIops.toString()))
                .hasMessageStartingWith(noIops + ": points[0].iops is missing");
        assertThatThrownBy(() -> ResultsJson.read(dir.resolve("none.json").toString()))
                .hasMessageContaining("none.json: no such file");
    }

    private static List<String> keys(Object object) {
        return ((Map<?, ?>) object).keySet().stream().map(String::valueOf).toList();
    }

    static List<String> references(String html) {
        List<String> refs = new ArrayList<>();
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
        while (m.find()) {
            refs.add(m.group(1));
        }
        assertThat(refs).isNotEmpty();
        return refs;
    }

    private static List<String> texts(NodeList nodes) {
        return Stream.iterate(0, i -> i < nodes.getLength(), i -> i + 1)
                .map(i -> nodes.item(i).getTextContent()).toList();
    }
}
