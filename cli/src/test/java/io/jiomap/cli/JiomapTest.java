package io.jiomap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.command.ExitCode;
import org.junit.jupiter.api.Test;

class JiomapTest {
    @Test
    void anUnknownOptionIsAUsageErrorNamedOnStderr() {
        CliRun run = CliRun.of("bench", "--frobnicate=3");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("Unknown option: '--frobnicate=3'");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void noCommandIsAUsageError() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("missing command: use bench, fio, mkfs, fsck, io, mount, umount, serve, crashtest, devices or filesystems");
    }

    @Test
    void devicesListsEachTypeWithItsOptions() {
        CliRun run = CliRun.of("devices");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^memory - ").containsPattern("(?m)^    size +")
                .containsPattern("(?m)^    vwc +");
    }

    @Test
    void filesystemsListsEachType() {
        CliRun run = CliRun.of("filesystems");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^raw - ");
    }

    @Test
    void aBadDeviceSpecIsAClearFailure() {
        CliRun unknownType = CliRun.of("bench", "--device=tape:size=1g", "--runtime=0.1");
        CliRun badOption = CliRun.of("bench", "--device=memory:size=1g,colour=blue", "--runtime=0.1");
        CliRun twice = CliRun.of("bench", "--device=memory:size=1g,size=2g", "--runtime=0.1");

        assertThat(unknownType.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(unknownType.err()).contains("ENODEV: unknown device type 'tape'; available: ").contains("memory");
        assertThat(badOption.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(badOption.err()).contains("colour");
        assertThat(twice.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(twice.err()).contains("--device=memory:size=1g,size=2g").contains("given twice");
    }

    @Test
    void versionNamesTheBuild() {
        CliRun run = CliRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("jiomap ").doesNotContain("${");
    }
}
