package io.jiomap.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.jfr.BenchPointEvent;
import io.jiomap.cli.jfr.IoSampleEvent;
import io.jiomap.cli.report.ReportFilesTest;
import io.jiomap.cli.report.ResultsJson;
import io.jiomap.cli.report.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportOptionsTest {
    private static final String[] TINY = {"bench", "--runtime=0.15", "--warmup=0.05", "--qd=1,4", "--size=16m",
            "--device=memory:size=16m", "--rounds=1", "--modes=workqueue,caller"};

    @TempDir
    Path dir;

    private static CliRun bench(String... extra) {
        String[] args = new String[TINY.length + extra.length];
        System.arraycopy(TINY, 0, args, 0, TINY.length);
        System.arraycopy(extra, 0, args, TINY.length, extra.length);
        return CliRun.of(args);
    }

    @Test
    void reportWritesEveryPointTheChartsAndThePageNextToTheTable() throws Exception {
        Path out = dir.resolve("out");

        CliRun run = bench("--report=" + out);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("IOPS");
        assertThat(run.err()).contains("report: " + out.resolve("index.html"));
        RunReport report = ResultsJson.read(out.resolve("results.json").toString());
        assertThat(report.points()).hasSize(4);
        assertThat(report.modes()).containsExactly("workqueue", "caller");
        assertThat(report.queueDepths()).containsExactly(1, 4);
        assertThat(report.device()).isEqualTo("memory:size=16m");
        assertThat(report.fs()).isEqualTo("raw");
        assertThat(report.command()).startsWith("jiomap bench --runtime=0.15");
        assertThat(report.machine().nproc()).isPositive();
        assertThat(report.points()).allSatisfy(p -> {
            assertThat(p.iops()).isPositive();
            assertThat(p.bandwidth()).isCloseTo(p.iops() * 4096, org.assertj.core.data.Percentage.withPercentage(1e-6));
            assertThat(p.p99Micros()).isGreaterThanOrEqualTo(p.p50Micros());
            assertThat(p.completions().dataBios()).isPositive();
        });
        assertThat(report.point("caller", 4).orElseThrow().completions().caller()).isPositive();
        for (String f : List.of("index.html", "iops.png", "iops.svg", "gain.png", "latency-p99.svg", "cpu.png")) {
            assertThat(out.resolve(f)).isRegularFile();
        }
    }

    @Test
    void compareprintsAfterOverBeforeAndWritesTheReport() throws Exception {
        Path before = Files.writeString(dir.resolve("before.json"),
                ResultsJson.write(ReportFilesTest.run("base", 1)));
        Path after = Files.writeString(dir.resolve("after.json"),
                ResultsJson.write(ReportFilesTest.run("new", 1.25)));
        Path out = dir.resolve("cmp");

        CliRun run = CliRun.of("bench", "--compare", before.toString(), after.toString(), "--report=" + out);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("IOPS, after / before")
                .containsPattern("(?m)^  QD +workqueue +caller +inline$")
                .containsPattern("(?m)^  16 +1\\.250 \\(\\+25\\.0%\\) +1\\.250 \\(\\+25\\.0%\\) +1\\.250 \\(\\+25\\.0%\\)$");
        assertThat(out.resolve("index.html")).content().contains("after: new").contains("before: base").contains("1.250 (+25.0%)");
        assertThat(out.resolve("iops.png")).isRegularFile();
    }

    @Test
    void theSeedTableCanBeComparedWithAMeasuredRun() throws Exception {
        Path after = Files.writeString(dir.resolve("after.json"),
                ResultsJson.write(ReportFilesTest.run("jiomap", 2)));

        CliRun run = CliRun.of("bench", "--compare", "seed", after.toString(), "--report=" + dir.resolve("cmp"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        // workqueue at QD1: 100k x 2 against the seed's 155K.
        assertThat(run.out()).containsPattern("(?m)^  1 +1\\.290 \\(\\+29\\.0%\\) +");
        assertThat(run.out()).doesNotContain("p99 latency");
    }

    @Test
    void aBadCompareFileIsAUsageErrorThatSaysWhatIsWrong() throws Exception {
        Path fio = Files.writeString(dir.resolve("fio.json"), "{\"fio version\": \"fio-3.33\", \"jobs\": []}");

        CliRun run = CliRun.of("bench", "--compare", "seed", fio.toString(), "--report=" + dir.resolve("x"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("jiomap bench: " + fio + ": not a jiomap report: it has no \"format\" member"
                + " (expected a results.json written by --report=DIR");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void eachPointAndOneWriteInNAreFlightRecorderEvents() throws Exception {
        Path file = dir.resolve("rec.jfr");
        CliRun run;
        try (Recording rec = new Recording()) {
            rec.enable(BenchPointEvent.NAME);
            rec.enable(IoSampleEvent.NAME);
            rec.start();
            run = bench("--jfr-sample=100");
            rec.stop();
            rec.dump(file);
        }

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> points = events.stream()
                .filter(e -> e.getEventType().getName().equals(BenchPointEvent.NAME)).toList();
        List<RecordedEvent> samples = events.stream()
                .filter(e -> e.getEventType().getName().equals(IoSampleEvent.NAME)).toList();
        assertThat(points).hasSize(4);
        assertThat(points).extracting(e -> e.getString("mode")).containsOnly("workqueue", "caller");
        assertThat(points).extracting(e -> e.getInt("qd")).containsOnly(1, 4);
        assertThat(points).allSatisfy(e -> {
            assertThat(e.getDouble("iops")).isPositive();
            assertThat(e.getLong("ios")).isPositive();
            assertThat(e.getLong("p99")).isGreaterThanOrEqualTo(e.getLong("p50"));
        });
        long measured = points.stream().mapToLong(e -> e.getLong("ios")).sum();
        // One in 100 of the measured writes of each point; the counter carries over from point to point.
        assertThat((long) samples.size()).isBetween(measured / 100 - 4, measured / 100 + 4);
        assertThat(samples).allSatisfy(e -> {
            assertThat(e.getLong("result")).isEqualTo(4096);
            assertThat(e.getLong("offset") % 4096).isZero();
            assertThat(e.getLong("latency")).isPositive();
        });
    }

    @Test
    void jfrOptionWritesARecordingWithThePoints() throws Exception {
        Path file = dir.resolve("bench.jfr");

        CliRun run = bench("--jfr=" + file, "--jfr-sample=50");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("flight recording: " + file);
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertThat(events).filteredOn(e -> e.getEventType().getName().equals(BenchPointEvent.NAME)).hasSize(4);
        assertThat(events).anyMatch(e -> e.getEventType().getName().equals(IoSampleEvent.NAME));
    }

    @Test
    void withoutJfrSampleNoWriteIsRecorded() throws Exception {
        Path file = dir.resolve("rec.jfr");
        try (Recording rec = new Recording()) {
            rec.enable(IoSampleEvent.NAME);
            rec.enable(BenchPointEvent.NAME);
            rec.start();
            assertThat(bench().exitCode()).isZero();
            rec.stop();
            rec.dump(file);
        }

        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertThat(events).noneMatch(e -> e.getEventType().getName().equals(IoSampleEvent.NAME));
        assertThat(events).filteredOn(e -> e.getEventType().getName().equals(BenchPointEvent.NAME)).hasSize(4);
    }
}
