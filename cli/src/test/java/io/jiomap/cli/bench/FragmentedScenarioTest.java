package io.jiomap.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.vfs.FileExtent;
import io.jiomap.cli.CliRun;
import io.jiomap.cli.format.FormatPolicy;
import io.jiomap.cli.plugin.Storage;
import io.jiomap.core.OpenFile;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FragmentedScenarioTest {
    private static final int BS = 4096;

    @ParameterizedTest
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void theFragmentedFileHasExactlyTheRequestedNumberOfOneBlockWrittenExtents(String fs) throws Exception {
        long n = 1500;
        try (Storage s = Storage.open(CliRun.plugins(), "memory:size=64m", fs, 1, FormatPolicy.IF_BLANK, line -> { })) {
            OpenFile f = FragmentedFiles.buildFragmented(s.mount(), n, BS);

            List<FileExtent> map = f.fiemap(0, f.size());
            assertThat(f.size()).isEqualTo(n * BS);
            assertThat(map).hasSize((int) n);
            assertThat(map).allSatisfy(e -> {
                assertThat(e.length()).isEqualTo(BS);
                assertThat(e.has(FileExtent.UNWRITTEN)).isFalse();
            });
            for (int i = 1; i < map.size(); i++) {
                assertThat(map.get(i).logical()).isEqualTo(map.get(i - 1).logical() + BS);
                assertThat(map.get(i).physical()).isNotEqualTo(map.get(i - 1).physical() + BS);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void theContiguousFileOfTheSameSizeIsWrittenInFewExtents(String fs) throws Exception {
        long n = 1500;
        try (Storage s = Storage.open(CliRun.plugins(), "memory:size=64m", fs, 1, FormatPolicy.IF_BLANK, line -> { })) {
            OpenFile f = FragmentedFiles.buildContiguous(s.mount(), n, BS);

            assertThat(f.size()).isEqualTo(n * BS);
            assertThat(FragmentedFiles.requireExtents(f, 1, 1)).isEqualTo(1);
        }
    }

    @Test
    void theScenarioReportsBothFilesOnBothFilesystemsWithTheirExtentCountsAndMemory() {
        CliRun run = CliRun.of("bench", "--scenario=fragmented", "--extents=1200", "--runtime=0.05",
                "--warmup=0.02", "--rounds=2");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("== xfs-like: fragmented 1200 extents, contiguous 1 extent (fiemap)")
                .contains("== ext4-like: fragmented 1200 extents, contiguous 1 extent (fiemap)")
                .containsPattern("(?m)^  extent map memory: \\d+\\.\\d bytes per extent")
                .containsPattern("(?m)^  1 +caller +\\S+ +\\S+( +\\d+\\.\\d+){4}( +\\d+\\.\\d{3}){2} +\\S+ +\\d+\\.\\d{3}$")
                .containsPattern("(?m)^  16 +caller ")
                .contains("command:  jiomap bench --scenario=fragmented");
        // 2 filesystems x 2 rounds x 2 QDs x 2 files.
        assertThat(run.err().lines().filter(l -> l.matches("\\[\\s*\\d+/8] .*"))).hasSize(16);
        // The order of the files reverses in the second round.
        List<String> points = run.err().lines().filter(l -> l.startsWith("[")).limit(8).toList();
        assertThat(points.get(0)).contains("round 1").contains("fragmented");
        assertThat(points.get(4)).contains("round 2").contains("contiguous");
    }

    @Test
    void optionsThatDoNotApplyAreRefusedWithTheReason() {
        CliRun size = CliRun.of("bench", "--scenario=fragmented", "--size=1g");
        CliRun unknown = CliRun.of("bench", "--scenario=sparse");
        CliRun tooFew = CliRun.of("bench", "--scenario=fragmented", "--extents=1");

        assertThat(size.exitCode()).isNotZero();
        assertThat(size.err()).contains("--size does not apply to --scenario=fragmented");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("--scenario=sparse is not one of seed, fragmented");
        assertThat(tooFew.exitCode()).isNotZero();
        assertThat(tooFew.err()).contains("--extents must be at least 2, got 1");
    }
}
