package io.jiomap.cli.fio;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fio 3.33's log lines: time ms, value, direction, block size[, offset], priority. */
class FioLogTest {
    @TempDir
    Path dir;

    private List<String> written(FioLog log) throws Exception {
        Path file = dir.resolve("x.log");
        log.write(file);
        return Files.readAllLines(file);
    }

    @Test
    void withoutAveragingEverySampleIsALine() throws Exception {
        FioLog log = new FioLog(0, false, false);
        log.add(3, 120_000, 1, 4096, 8192);
        log.add(5, 95_000, 0, 4096, 0);

        assertThat(written(log)).containsExactly("3, 120000, 1, 4096, 0", "5, 95000, 0, 4096, 0");
    }

    @Test
    void logOffsetPutsTheOffsetBeforeThePriority() throws Exception {
        FioLog log = new FioLog(0, true, false);
        log.add(3, 120_000, 1, 4096, 1_011_712);

        assertThat(written(log)).containsExactly("3, 120000, 1, 4096, 1011712, 0");
    }

    @Test
    void averagingWritesEachDirectionsRoundedMeanPerWindowAndTheOpenWindowsAtTheEnd() throws Exception {
        FioLog log = new FioLog(100, false, false);
        log.add(10, 100, 1, 4096, 0);
        log.add(50, 201, 1, 4096, 0);
        log.add(60, 7, 0, 4096, 0);
        log.add(101, 300, 1, 4096, 0);   // closes the write window [0, 100): mean of 100, 201, 300
        log.add(150, 10, 1, 4096, 0);    // the next window starts at 100
        log.finish(170);

        assertThat(written(log)).containsExactly("101, 200, 1, 0, 0", "170, 7, 0, 0, 0", "170, 10, 1, 0, 0");
    }

    @Test
    void aRateSampleOneMillisecondEarlyStillClosesItsWindow() throws Exception {
        FioLog rates = new FioLog(500, false, true);
        rates.add(499, 1000, 1, 4096, 0);
        FioLog latencies = new FioLog(500, false, false);
        latencies.add(499, 1000, 1, 4096, 0);

        assertThat(rates.entries()).isEqualTo(1);
        assertThat(latencies.entries()).isZero();
    }

    @Test
    void entriesBeyondTheFirstChunkAreKeptInOrder() throws Exception {
        FioLog log = new FioLog(0, false, false);
        for (int i = 0; i < 20_000; i++) {
            log.add(i, i * 10L, i & 1, 4096, 0);
        }

        List<String> lines = written(log);
        assertThat(lines).hasSize(20_000);
        assertThat(lines.get(4095)).isEqualTo("4095, 40950, 1, 4096, 0");
        assertThat(lines.get(4096)).isEqualTo("4096, 40960, 0, 4096, 0");
        assertThat(lines.get(19_999)).isEqualTo("19999, 199990, 1, 4096, 0");
    }
}
