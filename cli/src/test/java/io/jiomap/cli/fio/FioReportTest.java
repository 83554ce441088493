package io.jiomap.cli.fio;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.report.ResultsJson;
import io.jiomap.cli.report.RunReport;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FioReportTest {
    @TempDir
    Path dir;

    @Test
    void reportWritesEachJobAsAPointAtItsDepth() {
        Path out = dir.resolve("fio-report");

        CliRun run = CliRun.of("fio", "--filename=f", "--size=8m", "--bs=4k", "--rw=randwrite", "--ioengine=io_uring",
                "--report=" + out, "--name=wq", "--iodepth=2", "--completion=workqueue", "--name=caller",
                "--iodepth=8", "--completion=caller");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("wq: (groupid=0");
        RunReport report = ResultsJson.read(out.resolve("results.json").toString());
        assertThat(report.modes()).containsExactly("wq (workqueue)", "caller (caller)");
        assertThat(report.point("wq (workqueue)", 2)).isPresent();
        assertThat(report.point("caller (caller)", 8).orElseThrow().ios()).isEqualTo(2048);
        assertThat(report.points()).allSatisfy(p -> {
            assertThat(p.iops()).isPositive();
            assertThat(p.p99Micros()).isPositive();
        });
        assertThat(report.blockSize()).isEqualTo(4096);
        assertThat(report.command()).startsWith("jiomap fio --filename=f").contains("--report=" + out);
        assertThat(out.resolve("iops.png")).isRegularFile();
        assertThat(out.resolve("index.html")).isRegularFile();
    }

    @Test
    void reportNeedsADirectory() {
        CliRun run = CliRun.of("fio", "--name=t", "--filename=f", "--size=1m", "--rw=write", "--report=");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--report= needs a directory");
    }
}
