package io.jiomap.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.cli.Jiomap;
import io.jiomap.cli.command.ExitCode;
import io.jiomap.cli.plugin.ServiceLoaderPlugins;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jiomap serve nbd} as a user runs it: its own process, a real client (qemu-io), stopped with SIGTERM.
 */
@Timeout(180)
class ServeNbdCommandTest {
    @TempDir
    Path dir;

    private Process serve(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Jiomap.class.getName(), "serve", "nbd"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String qemuIo(Path socket, String export, String... commands) throws Exception {
        return qemuIo(false, socket, export, commands);
    }

    private static String qemuIo(boolean readOnly, Path socket, String export, String... commands) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        if (readOnly) {
            cmd.add("-r");
        }
        cmd.add("nbd+unix:///" + export + "?socket=" + socket);
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).doesNotContain("failed");
        return out;
    }

    private static String stop(Process p, Path log) throws Exception {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("serve nbd did not stop within 60 s of SIGTERM:\n" + Files.readString(log));
        }
        return Files.readString(log);
    }

    private static void awaitSocket(Process p, Path socket, Path log) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(socket) || !p.isAlive());
        assertThat(p.isAlive()).as("serve nbd ended early").withFailMessage(() -> {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return e.toString();
            }
        }).isTrue();
    }

    @Test
    void servesADeviceUntilSigtermThenUnmountsAndRemovesTheSocket() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-io")), "qemu-io is missing (Debian qemu-utils)");
        Path socket = dir.resolve("d.sock");
        Path log = dir.resolve("serve.log");
        Process p = serve(log, "--device=memory:size=64m", "--socket=" + socket, "--export=d");
        try {
            awaitSocket(p, socket, log);
            qemuIo(socket, "d", "write -P 0x7e 1M 256k", "read -P 0x7e 1M 256k");
        } finally {
            String out = stop(p, log);
            assertThat(out).contains("nbd+unix:///d?socket=" + socket, "raw unmounted");
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void aFileOfAFilesystemKeepsItsDataAcrossRestartsAndIsNeverFormattedAgain() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-io")), "qemu-io is missing (Debian qemu-utils)");
        Path image = dir.resolve("disk.img");
        Path socket = dir.resolve("f.sock");
        Path log = dir.resolve("serve1.log");
        String device = "--device=file:path=" + image + ",size=64m";
        Process first = serve(log, device, "--fs=xfs-like", "--file=/vm.img", "--size=16m", "--socket=" + socket,
                "--export=vm");
        try {
            awaitSocket(first, socket, log);
            qemuIo(socket, "vm", "write -P 0x5c 0 1M", "write -P 0x6d 15M 1M", "flush");
        } finally {
            assertThat(stop(first, log)).contains("xfs-like unmounted");
        }
        Path log2 = dir.resolve("serve2.log");
        Process second = serve(log2, device, "--fs=xfs-like", "--file=/vm.img", "--socket=" + socket, "--export=vm",
                "--read-only");
        try {
            awaitSocket(second, socket, log2);
            qemuIo(true, socket, "vm", "read -P 0x5c 0 1M", "read -P 0x6d 15M 1M", "read -P 0 1M 14M");
        } finally {
            assertThat(stop(second, log2)).contains("(16777216 bytes, read-only)");
        }
    }

    @Test
    void aFileWithoutAFilesystemIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = Jiomap.run(new String[] {"serve", "nbd", "--device=memory:size=8m", "--file=/x",
                "--socket=" + dir.resolve("x.sock")}, new ServiceLoaderPlugins(), new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertThat(code).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("--file and --size name a file of a filesystem: give --fs too");
    }

    @Test
    void aMissingProtocolIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = Jiomap.run(new String[] {"serve"}, new ServiceLoaderPlugins(), new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertThat(code).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("missing protocol: use nbd");
    }
}
