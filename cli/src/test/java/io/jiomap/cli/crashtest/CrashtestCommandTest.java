package io.jiomap.cli.crashtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.command.ExitCode;
import org.junit.jupiter.api.Test;

class CrashtestCommandTest {
    private static final String RAW_CANNOT = "--without=extending_write,truncate,fallocate,fallocate_keep_size,"
            + "punch_hole,zero_range,create,rename,unlink";

    @Test
    void aCleanRunReportsTheStatesCheckedAndExitsZero() {
        CliRun run = CliRun.of("crashtest", "--fs=raw", "--device=memory:size=16m,vwc=on", "--files=1",
                "--workloads=fsx", "--fsx-count=2", "--fsx-ops=15", RAW_CANNOT, "--budget=20", "--seed=7");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.err()).contains("raw answers EOPNOTSUPP to clone range; CLONE left out");
        assertThat(run.out()).containsPattern("\\d+ states checked in [0-9.]+ s");
    }

    @Test
    void posixAddsLinksSymbolicLinksAttributesAndRenameFlagsAndACorrectFilesystemPasses() {
        CliRun run = CliRun.of("crashtest", "--fs=xfs-like", "--posix", "--device=memory:size=64m,vwc=on",
                "--workloads=fsx", "--fsx-count=2", "--fsx-ops=60", "--budget=40", "--seed=11");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.err())
                .contains("UNLINK, LINK, SYMLINK, CHMOD, CHOWN, UTIMENS, RENAME_NOREPLACE, RENAME_EXCHANGE]");
        assertThat(run.out()).contains("crash test of xfs-like: CLEAN").contains("40 states checked in");
    }

    @Test
    void withoutPosixTheMetadataKindsStayOut() {
        CliRun run = CliRun.of("crashtest", "--fs=xfs-like", "--device=memory:size=64m,vwc=on", "--workloads=fsx",
                "--fsx-count=1", "--fsx-ops=10", "--budget=2", "--seed=11");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.err()).contains("CREATE, RENAME, UNLINK]").doesNotContain("SYMLINK");
    }

    @Test
    void anUnknownOpKindOrModeIsAUsageErrorNamingIt() {
        CliRun op = CliRun.of("crashtest", "--fs=raw", "--without=teleport");
        CliRun mode = CliRun.of("crashtest", "--fs=raw", "--modes=meteor");

        assertThat(op.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(op.err()).contains("'teleport' is not an op kind");
        assertThat(mode.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(mode.err()).contains("'meteor' is not prefix, lose-cache, every-write or random");
    }
}
