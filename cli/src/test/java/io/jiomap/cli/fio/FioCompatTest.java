package io.jiomap.cli.fio;

import static io.jiomap.cli.MiniJson.at;
import static io.jiomap.cli.MiniJson.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.MiniJson;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fio's own post-processing tools read jiomap's output: json+ for fio_jsonplus_clat2csv and fio-plot, the logs for
 * fio2gnuplot and fio_generate_plots. The tests that run a tool skip, saying so, where it is not installed.
 */
class FioCompatTest {
    private static final String DELAYED = "memory:size=64m,completion=delay,delay=20us";

    @TempDir
    Path dir;

    private static CliRun ok(String... args) {
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        return run;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object doc, Object... path) {
        return (Map<String, Object>) at(doc, path);
    }

    @Test
    void jsonPlusBinsCountEveryCompletionUnderKeysOnFiosBuckets() {
        Object doc = ok("fio", "--output-format=json+", "--name=j", "--device=" + DELAYED, "--size=8m",
                "--rw=randrw", "--ioengine=io_uring", "--iodepth=4").json();

        for (String direction : List.of("read", "write")) {
            long ios = (long) number(doc, "jobs", 0, direction, "total_ios");
            assertThat(ios).isPositive();
            Map<String, Object> bins = object(doc, "jobs", 0, direction, "clat_ns", "bins");
            long sum = 0;
            for (Map.Entry<String, Object> bin : bins.entrySet()) {
                long value = Long.parseLong(bin.getKey());
                assertThat(LatencyBins.value(LatencyBins.index(value))).as("bin key %s", value).isEqualTo(value);
                sum += ((Number) bin.getValue()).longValue();
            }
            assertThat(sum).isEqualTo(ios);
            // fio writes bins only where it writes percentiles: clat by default.
            assertThat(object(doc, "jobs", 0, direction, "lat_ns")).doesNotContainKeys("bins", "percentile");
        }
    }

    @Test
    void plainJsonHasNoBinsAndLatPercentilesAddThem() {
        Object plain = ok("fio", "--output-format=json", "--name=j", "--size=1m", "--rw=write",
                "--ioengine=io_uring").json();
        assertThat(object(plain, "jobs", 0, "write", "clat_ns")).containsKey("percentile").doesNotContainKey("bins");

        Object lat = ok("fio", "--output-format=json+", "--name=j", "--size=1m", "--rw=write", "--ioengine=io_uring",
                "--lat_percentiles=1").json();
        assertThat(object(lat, "jobs", 0, "write", "lat_ns")).containsKeys("percentile", "bins");
    }

    @Test
    void theJsonCarriesWhatFioPlotReads() {
        Object doc = ok("fio", "--output-format=json", "--name=p", "--device=" + DELAYED, "--size=8m",
                "--rw=randread", "--ioengine=io_uring", "--iodepth=2", "--runtime=1200ms", "--time_based").json();

        Map<String, Object> options = object(doc, "jobs", 0, "job options");
        assertThat(options).containsEntry("name", "p").containsEntry("rw", "randread").containsEntry("iodepth", "2")
                .containsEntry("bs", "4096").containsEntry("numjobs", "1");
        assertThat(number(doc, "jobs", 0, "read", "iops_samples")).isGreaterThanOrEqualTo(2);
        assertThat(number(doc, "jobs", 0, "read", "iops_mean")).isPositive();
        assertThat(object(doc, "jobs", 0, "read")).containsKeys("iops_stddev", "bw_mean", "bw_dev", "bw_agg");
        assertThat(object(doc, "jobs", 0, "read", "lat_ns")).containsKeys("mean", "stddev");
        assertThat(object(doc, "jobs", 0)).containsKeys("usr_cpu", "sys_cpu");
        assertThat(object(doc, "jobs", 0, "latency_ns").keySet())
                .containsExactly("2", "4", "10", "20", "50", "100", "250", "500", "750", "1000");
        assertThat(object(doc, "jobs", 0, "latency_us").keySet())
                .containsExactly("2", "4", "10", "20", "50", "100", "250", "500", "750", "1000");
        assertThat(object(doc, "jobs", 0, "latency_ms").keySet())
                .containsExactly("2", "4", "10", "20", "50", "100", "250", "500", "750", "1000", "2000", ">=2000");
        // Every completion is in exactly one bucket of the three ranges.
        double all = Stream.of("latency_ns", "latency_us", "latency_ms")
                .flatMap(range -> object(doc, "jobs", 0, range).values().stream())
                .mapToDouble(v -> ((Number) v).doubleValue()).sum();
        assertThat(all).isBetween(99.9, 100.1);
    }

    @Test
    void normalAndJsonPlusTogetherPrintTheJsonFirstThenTheNormalReport() {
        CliRun run = ok("fio", "--output-format=normal,json+", "--name=both", "--size=1m", "--rw=write",
                "--ioengine=io_uring");

        int json = run.out().indexOf("{\n");
        int end = run.out().indexOf("\n}\n");
        assertThat(run.out()).startsWith("both: (g=0)");
        assertThat(json).isPositive();
        Object doc = MiniJson.parse(run.out().substring(json, end + 3));
        assertThat(object(doc, "jobs", 0, "write", "clat_ns")).containsKey("bins");
        assertThat(run.out().substring(end)).contains("both: (groupid=0").contains("Run status group 0");
    }

    @Test
    void anOutputFormatJiomapDoesNotWriteIsRefusedByName() {
        CliRun run = CliRun.of("fio", "--output-format=json,terse", "--name=j", "--size=1m");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("'terse' is not a format jiomap writes: normal, json, json+");
    }

    @Test
    void aLogInADirectoryThatDoesNotExistIsRefusedBeforeTheJobRuns() {
        CliRun run = CliRun.of("fio", "--name=j", "--size=1m", "--write_lat_log=" + dir.resolve("nope/t"));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("--write_lat_log=").contains("does not exist");
        assertThat(run.out()).doesNotContain("groupid");
    }

    @Test
    void perIoLogsHaveALineForEveryCompletionInFiosFormat() throws IOException {
        String stem = dir.resolve("t").toString();
        Object doc = ok("fio", "--output-format=json", "--name=t", "--size=1m", "--rw=randrw", "--ioengine=io_uring",
                "--iodepth=4", "--write_lat_log=" + stem, "--write_iops_log=" + stem, "--write_bw_log=" + stem,
                "--log_offset=1").json();
        long ios = (long) (number(doc, "jobs", 0, "read", "total_ios") + number(doc, "jobs", 0, "write", "total_ios"));
        assertThat(ios).isEqualTo(256);

        for (String kind : List.of("lat", "clat", "slat", "iops", "bw")) {
            List<long[]> lines = parse(dir.resolve("t_" + kind + ".1.log"), 6);
            assertThat(lines).as(kind).hasSize((int) ios);
            for (long[] l : lines) {
                assertThat(l[2]).as("direction").isIn(0L, 1L);
                assertThat(l[3]).as("block size").isEqualTo(4096);
                assertThat(l[4] % 4096).as("offset").isZero();
                assertThat(l[4]).isLessThan(1 << 20);
                assertThat(l[5]).as("priority").isZero();
            }
            if (kind.equals("iops")) {
                assertThat(lines).allSatisfy(l -> assertThat(l[1]).isEqualTo(1));
            }
        }
        // The lat log's times are completion times: they never go back.
        List<long[]> lat = parse(dir.resolve("t_lat.1.log"), 6);
        for (int i = 1; i < lat.size(); i++) {
            assertThat(lat.get(i)[0]).isGreaterThanOrEqualTo(lat.get(i - 1)[0]);
        }
    }

    @Test
    void averagedLogsHaveAnEntryPerWindowAndEveryCloneItsOwnNumberedFiles() throws IOException {
        String stem = dir.resolve("a").toString();
        ok("fio", "--output-format=json", "--name=a", "--device=" + DELAYED, "--size=4m", "--rw=randwrite",
                "--ioengine=io_uring", "--iodepth=2", "--runtime=600ms", "--time_based", "--numjobs=2",
                "--write_lat_log=" + stem, "--write_iops_log=" + stem, "--log_avg_msec=100");

        for (int clone = 1; clone <= 2; clone++) {
            List<long[]> iops = parse(dir.resolve("a_iops." + clone + ".log"), 5);
            // About six 100 ms windows in 600 ms (fewer if the machine starves the job thread), not one per I/O.
            assertThat(iops.size()).as("iops entries of clone %d", clone).isBetween(2, 7);
            assertThat(iops).allSatisfy(l -> {
                assertThat(l[1]).isPositive();
                assertThat(l[2]).isEqualTo(1);
                assertThat(l[3]).isZero();
            });
            List<long[]> lat = parse(dir.resolve("a_lat." + clone + ".log"), 5);
            assertThat(lat.size()).isBetween(2, 8);
            assertThat(lat).allSatisfy(l -> assertThat(l[1]).isGreaterThanOrEqualTo(20_000));
        }
        assertThat(dir.resolve("a_iops.3.log")).doesNotExist();
    }

    @Test
    void fiosJsonplusClat2csvConvertsAndValidatesJiomapsJsonPlus() throws Exception {
        Path tool = onPath("fio_jsonplus_clat2csv");
        Path json = dir.resolve("out.json");
        Files.writeString(json, ok("fio", "--output-format=json+", "--name=a", "--size=2m", "--rw=randrw",
                "--ioengine=io_uring", "--iodepth=4", "--name=b", "--size=1m", "--rw=write").out());

        Tool convert = run(dir, tool.toString(), json.toString(), dir.resolve("lat.csv").toString());
        assertThat(convert.exitCode()).as(convert.output()).isZero();
        assertThat(dir.resolve("lat_job0.csv")).exists();
        assertThat(dir.resolve("lat_job1.csv")).exists();
        Tool validate = run(dir, tool.toString(), json.toString(), dir.resolve("lat.csv").toString(), "--validate");
        assertThat(validate.exitCode()).as(validate.output()).isZero();
        assertThat(validate.output()).contains("lat_job0.csv validated").contains("lat_job1.csv validated");
    }

    @Test
    void fio2gnuplotRendersJiomapsBandwidthLog() throws Exception {
        Path tool = onPath("fio2gnuplot");
        onPath("gnuplot");
        writeAveragedLogs();

        Tool plot = run(dir, tool.toString(), "-p", "*_bw.1.log", "-g", "-d", dir.resolve("plots").toString());
        assertThat(plot.exitCode()).as(plot.output()).isZero();
        try (Stream<Path> files = Files.list(dir.resolve("plots"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .contains("t_bw.1-2Draw.png", "t_bw.1-2Dsmooth.png");
        }
    }

    @Test
    void fioGeneratePlotsDrawsEveryJiomapLog() throws Exception {
        Path tool = onPath("fio_generate_plots");
        onPath("gnuplot");
        writeAveragedLogs();

        Tool plot = run(dir, tool.toString(), "jiomap");
        assertThat(plot.exitCode()).as(plot.output()).isZero();
        assertThat(plot.output()).doesNotContainIgnoringCase("error");
        for (String kind : List.of("lat", "clat", "slat", "iops", "bw")) {
            Path svg = dir.resolve("jiomap-" + kind + ".svg");
            assertThat(svg).exists();
            // The log's data set, plotted under the title the script derives from the file name.
            assertThat(Files.readString(svg)).as(kind).contains("gnuplot_plot_1").contains("Queue depth t.1");
        }
    }

    private void writeAveragedLogs() {
        String stem = dir.resolve("t").toString();
        ok("fio", "--output-format=json", "--name=t", "--device=" + DELAYED, "--size=4m", "--rw=randrw",
                "--ioengine=io_uring", "--iodepth=4", "--runtime=1s", "--time_based", "--write_lat_log=" + stem,
                "--write_iops_log=" + stem, "--write_bw_log=" + stem, "--log_avg_msec=100");
    }

    /** A log's lines as numbers, each with {@code columns} fields. */
    private static List<long[]> parse(Path log, int columns) throws IOException {
        List<long[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            String[] fields = line.split(", ");
            assertThat(fields).as("line '%s' of %s", line, log.getFileName()).hasSize(columns);
            long[] row = new long[columns];
            for (int i = 0; i < columns; i++) {
                row[i] = Long.parseLong(fields[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static Path onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(File.pathSeparator)) {
            Path candidate = Path.of(d, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        assumeTrue(false, name + " is not installed (Debian: apt-get install fio gnuplot-nox)");
        throw new IllegalStateException("unreachable");
    }

    private record Tool(int exitCode, String output) {
    }

    private static Tool run(Path cwd, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command[0]).isTrue();
        return new Tool(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
