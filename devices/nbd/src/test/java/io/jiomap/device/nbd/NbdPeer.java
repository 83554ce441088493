package io.jiomap.device.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real NBD server for a test: nbdkit or qemu-nbd in the foreground, on a Unix socket in a directory of its own,
 * started and awaited with a bound, and stopped (or killed) by the test. A test whose server is not installed is
 * skipped, naming the Debian package.
 */
final class NbdPeer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final List<String> command;
    /** The Unix socket, or null for a TCP server on {@link #port}. */
    private final Path socket;
    private final int port;
    private final Path log;
    private Process process;

    private NbdPeer(List<String> command, Path socket, int port, Path log) {
        this.command = command;
        this.socket = socket;
        this.port = port;
        this.log = log;
    }

    /** Skips the test unless {@code program} is on the PATH. */
    static void assumeInstalled(String program, String debianPackage) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                found = true;
                break;
            }
        }
        assumeTrue(found, program + " is not installed (Debian package " + debianPackage + ")");
    }

    /** nbdkit with these arguments (filters, then the plugin and its parameters), on a socket under {@code dir}. */
    static NbdPeer nbdkit(Path dir, String... arguments) {
        assumeInstalled("nbdkit", "nbdkit");
        Path socket = fresh(dir, "nbdkit");
        List<String> command = new ArrayList<>(List.of("nbdkit", "-f", "--exit-with-parent", "-U",
                socket.toString()));
        command.addAll(List.of(arguments));
        return new NbdPeer(command, socket, 0, socket.resolveSibling(socket.getFileName() + ".log")).start();
    }

    /** nbdkit with these arguments on a free TCP port of 127.0.0.1. */
    static NbdPeer nbdkitOnTcp(Path dir, String... arguments) {
        assumeInstalled("nbdkit", "nbdkit");
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of("nbdkit", "-f", "--exit-with-parent", "-i", "127.0.0.1",
                "-p", Integer.toString(port)));
        command.addAll(List.of(arguments));
        Path log = fresh(dir, "nbdkit-tcp").resolveSibling("nbdkit.log");
        return new NbdPeer(command, null, port, log).start();
    }

    /** qemu-nbd serving {@code image} of {@code format} as export {@code name}, for any number of clients. */
    static NbdPeer qemuNbd(Path dir, Path image, String format, String name) {
        assumeInstalled("qemu-nbd", "qemu-utils");
        Path socket = fresh(dir, "qemu-nbd");
        List<String> command = List.of("qemu-nbd", "--persistent", "--shared=8", "--cache=writeback",
                "--format=" + format, "--export-name=" + name, "--socket=" + socket, image.toString());
        return new NbdPeer(command, socket, 0, socket.resolveSibling(socket.getFileName() + ".log")).start();
    }

    private static Path fresh(Path dir, String what) {
        try {
            return Files.createTempDirectory(dir, what + "-").resolve("sock");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the server (again, after {@link #kill}) and waits until its socket exists. */
    NbdPeer start() {
        try {
            if (socket != null) {
                Files.deleteIfExists(socket);
            }
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Awaitility.await("the socket of " + command).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    assertThat(process.isAlive()).as("%s is running; its output: %s", command, output()).isTrue();
                    // A Unix socket's file exists from bind(2), before listen(2): ready means a connection succeeds.
                    return accepts();
                });
        return this;
    }

    private boolean accepts() {
        try (SocketChannel probe = socket != null ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open()) {
            probe.connect(socket != null ? UnixDomainSocketAddress.of(socket)
                    : new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The URI of the export (the default export for nbdkit), optionally with the export's name. */
    String uri(String exportName) {
        return socket == null ? "nbd://127.0.0.1:" + port + "/" + exportName
                : "nbd+unix:///" + exportName + "?socket=" + socket;
    }

    String uri() {
        return uri("");
    }

    /** Kills the server at once, as a crash would (SIGKILL), and waits for it to be gone. */
    void kill() {
        process.destroyForcibly();
        waitGone();
    }

    /** Stops the server (SIGTERM), killing it if it does not end in time. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        waitGone();
    }

    private void waitGone() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(command + " did not end within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
