package io.jiomap.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled distribution ({@code target/dist}) run as {@code ./jiomap} runs it: {@code java -jar launcher.jar}. */
class DistributionIT {
    private static final Path DIST = Path.of(System.getProperty("jiomap.dist", "target/dist"));

    @TempDir
    Path scratch;

    private record Run(int exitCode, String out, String err) {
    }

    private Run launch(List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("--sun-misc-unsafe-memory-access=allow");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(DIST.resolve("launcher.jar").toString());
        command.addAll(List.of(args));
        File out = scratch.resolve("out.txt").toFile();
        File err = scratch.resolve("err.txt").toFile();
        Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("launcher did not exit within 60 s: " + command);
        }
        return new Run(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    @Test
    void theDistributionHoldsTheLauncherTheFrameworkAndEveryBundle() {
        assertThat(DIST.resolve("launcher.jar")).isRegularFile();
        assertThat(DIST.resolve("lib/org.apache.felix.framework.jar")).isRegularFile();
        assertThat(DIST.resolve("bundles").toFile().list()).containsExactlyInAnyOrder("jiomap-api.jar",
                "jiomap-core.jar", "jiomap-device-memory.jar", "jiomap-device-nvme-like.jar",
                "jiomap-device-sata-like.jar", "jiomap-device-file.jar", "jiomap-fs-raw.jar", "jiomap-fs-faulty.jar",
                "jiomap-fs-xfs-like.jar", "jiomap-fs-ext4-like.jar", "jiomap-nbd-server.jar", "jiomap-device-nbd.jar",
                "jiomap-cli.jar", "jiomap-fuse.jar", "jiomap-crash.jar", "jiomap-device-toolkit.jar", "jctools-core.jar",
                "picocli.jar");
    }

    @Test
    void theGogoShellBundlesSitApartFromTheBundlesEveryCommandInstallsWithTheirLoginProfile() {
        assertThat(DIST.resolve("shell").toFile().list()).containsExactlyInAnyOrder(
                "org.apache.felix.gogo.runtime.jar", "org.apache.felix.gogo.shell.jar",
                "org.apache.felix.gogo.command.jar", "etc");
        assertThat(DIST.resolve("shell/etc").toFile().list()).containsExactlyInAnyOrder("gosh_profile", "motd");
    }

    @Test
    void launcherJarRunsACommandFromTheBundlesNextToIt() throws Exception {
        Run run = launch(List.of(), "devices");

        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
        assertThat(run.out()).contains("memory", "nvme-like", "sata-like", "file", "nbd");
        assertThat(run.err()).as("stderr").doesNotContain("WARNING", "Exception");
    }

    @Test
    void launcherJarPassesTheCommandsExitCodeThrough() throws Exception {
        Run run = launch(List.of(), "no-such-command");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no-such-command");
    }

    @Test
    void launcherJarNamesAMissingBundleDirectory() throws Exception {
        Path missing = scratch.resolve("nowhere");

        Run run = launch(List.of("-D" + Launcher.BUNDLES_PROPERTY + "=" + missing), "devices");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(missing.toString(), "does not exist");
    }
}
