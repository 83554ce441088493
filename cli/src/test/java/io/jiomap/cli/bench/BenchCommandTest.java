package io.jiomap.cli.bench;

import static io.jiomap.cli.MiniJson.at;
import static io.jiomap.cli.MiniJson.number;
import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.CliRun;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    private static final String[] TINY = {"--runtime=0.2", "--warmup=0.05", "--qd=1,4", "--size=16m",
            "--device=memory:size=16m", "--rounds=2"};

    private static CliRun bench(String... extra) {
        String[] args = new String[1 + TINY.length + extra.length];
        args[0] = "bench";
        System.arraycopy(TINY, 0, args, 1, TINY.length);
        System.arraycopy(extra, 0, args, 1 + TINY.length, extra.length);
        return CliRun.of(args);
    }

    @Test
    void theTableHasEveryModeAndQueueDepthAndTheRunsContext() {
        CliRun run = bench();

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("IOPS")
                .containsPattern("(?m)^  QD +workqueue +caller +inline +caller vs workqueue +inline vs workqueue$")
                .containsPattern("(?m)^  1 +\\S+ +\\S+ +\\S+ +[+-]\\d+\\.\\d% +[+-]\\d+\\.\\d%$")
                .containsPattern("(?m)^  4 +\\S+ +\\S+ +\\S+ +[+-]\\d+\\.\\d% +[+-]\\d+\\.\\d%$")
                .contains("CPU per I/O, us (whole process / bench thread)")
                .contains("Latency submit -> reap, us (p50 / p99)")
                .containsPattern("(?m)^  workqueue +\\d+ +\\d+ +\\d+ +\\d+ +\\d+ +\\d+ +0 +0 +0$")
                .contains("command:  jiomap bench --runtime=0.2")
                .contains("jvm:      ")
                .contains("nproc:    ")
                .contains("machine:  ");
        // One progress line per point: 2 rounds x 2 QDs x 3 modes.
        assertThat(run.err().lines().filter(l -> l.matches("\\[\\s*\\d+/12] .*"))).hasSize(12);
    }

    @Test
    void oddRoundsRunTheModesInReverseOrder() {
        CliRun run = bench();

        List<String> points = run.err().lines().filter(l -> l.startsWith("[")).toList();
        assertThat(points.get(0)).contains("round 1").contains("workqueue");
        assertThat(points.get(2)).contains("round 1").contains("inline");
        assertThat(points.get(6)).contains("round 2").contains("inline");
        assertThat(points.get(8)).contains("round 2").contains("workqueue");
    }

    @Test
    void completionsLandWhereEachModeSendsThem() {
        CliRun run = bench("--json", "--device=memory:size=16m,completion=delay,delay=50us", "--rounds=1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        Object doc = run.json();
        assertThat(number(doc, "completions", "workqueue", "workqueue")).isPositive();
        assertThat(number(doc, "completions", "workqueue", "caller")).isZero();
        assertThat(number(doc, "completions", "caller", "caller")).isPositive();
        assertThat(number(doc, "completions", "caller", "workqueue")).isZero();
        assertThat(number(doc, "completions", "inline", "inline")).isPositive();
        assertThat(number(doc, "completions", "inline", "workqueue")).isZero();
        assertThat((List<?>) at(doc, "summary")).hasSize(2);
        assertThat((List<?>) at(doc, "points")).hasSize(6);
        assertThat(number(doc, "summary", 1, "qd")).isEqualTo(4);
        assertThat(number(doc, "summary", 1, "caller", "ios")).isPositive();
    }

    @Test
    void markdownFormatPrintsMarkdownTables() {
        CliRun run = bench("--format=markdown", "--rounds=1", "--qd=2", "--modes=workqueue,caller");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("| QD | workqueue | caller | caller vs workqueue |")
                .contains("|---|---:|---:|---:|")
                .containsPattern("(?m)^\\| 2 \\| \\S+ \\| \\S+ \\| [+-]\\d+\\.\\d% \\|$");
    }

    @Test
    void aRegionLargerThanTheDeviceIsRefusedBeforeMeasuring() {
        CliRun run = CliRun.of("bench", "--device=memory:size=8m", "--size=16m", "--runtime=0.1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--size 16m is larger than the file (8m");
    }

    @Test
    void anUnknownModeIsAUsageError() {
        CliRun run = CliRun.of("bench", "--modes=workqueue,telepathy");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown completion mode 'telepathy'");
    }
}
