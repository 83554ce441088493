package io.jiomap.cli.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.command.ExitCode;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jiomap mkfs} and {@code jiomap fsck} on a device named by {@code --device} alone: an NBD export of nbdkit's
 * memory plugin, started on a Unix socket in a temp dir and stopped by the test. A missing or mute server is an error
 * that names it, bounded by the device's timeout.
 */
@Timeout(120)
class ImageCommandsOnNbdTest {
    @TempDir
    Path dir;

    private final List<Process> servers = new ArrayList<>();

    @AfterEach
    void stopServers() throws InterruptedException {
        for (Process p : servers) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** nbdkit's memory plugin on a Unix socket; the test is skipped where nbdkit is not installed. */
    private String nbdkitMemory(String size) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nbdkit")) || Files.isExecutable(Path.of("/usr/bin/nbdkit")),
                "nbdkit is not installed (Debian package nbdkit)");
        Path socket = dir.resolve("nbdkit.sock");
        Path log = dir.resolve("nbdkit.log");
        Process p = new ProcessBuilder("nbdkit", "-f", "--exit-with-parent", "-U", socket.toString(), "memory",
                "size=" + size).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        servers.add(p);
        Awaitility.await("nbdkit listening").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(socket) || !p.isAlive());
        assertThat(p.isAlive()).as("nbdkit ended early: %s", Files.readString(log)).isTrue();
        return "nbd:uri=nbd+unix:///?socket=" + socket;
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void mkfsAndFsckWorkOnAnNbdExportNamedByDeviceAlone(String fs) throws Exception {
        String device = nbdkitMemory("128M");

        CliRun mkfs = CliRun.of("mkfs", "--fs=" + fs, "--device=" + device);
        CliRun fsck = CliRun.of("fsck", "--device=" + device);

        assertThat(mkfs.exitCode()).as(mkfs.err()).isZero();
        assertThat(mkfs.out()).contains(device + ": " + fs + " on nbd").contains("128m");
        assertThat(fsck.exitCode()).as(fsck.out() + fsck.err()).isZero();
        assertThat(fsck.out()).startsWith(device + ": " + fs).contains(device + ": clean");
    }

    @Test
    void mkfsOverAnExportHoldingAFilesystemNeedsForceAsOnAnImage() throws Exception {
        String device = nbdkitMemory("64M");
        assertThat(CliRun.of("mkfs", "--fs=xfs-like", "--device=" + device).exitCode()).isZero();

        CliRun refused = CliRun.of("mkfs", "--fs=ext4-like", "--device=" + device);
        CliRun forced = CliRun.of("mkfs", "-f", "--fs=ext4-like", "--device=" + device);

        assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(refused.err()).contains("EEXIST: " + device + " holds an xfs-like filesystem");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(CliRun.of("fsck", "--device=" + device).out()).contains(device + ": ext4-like");
    }

    @Test
    void fsckWithoutAServerSaysItCannotConnectAndNamesTheServer() {
        Path socket = dir.resolve("nobody.sock");

        CliRun run = CliRun.of("fsck", "--device=nbd:uri=nbd+unix:///?socket=" + socket);

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("cannot connect to the NBD server at nbd+unix:///?socket=" + socket);
    }

    @Test
    void mkfsOnAServerThatNeverAnswersFailsAfterTheTimeoutInsteadOfHanging() throws Exception {
        Path socket = dir.resolve("mute.sock");
        List<SocketChannel> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServerSocketChannel mute = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            mute.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(mute.accept());
                    }
                } catch (Exception closed) {
                    // The test closed the listener.
                }
            });

            CliRun run = CliRun.of("mkfs", "--fs=xfs-like", "--device=nbd:uri=nbd+unix:///?socket=" + socket
                    + ",timeout=1s");

            assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
            assertThat(run.err()).contains("nbd+unix:///?socket=" + socket).contains("no answer to the handshake");
            mute.close();
            acceptor.join(Duration.ofSeconds(10));
        } finally {
            for (SocketChannel c : accepted) {
                c.close();
            }
        }
    }

    @Test
    void withoutAnImageADeviceMustBeNamedAndItsSizeIsItsOwn() {
        CliRun neither = CliRun.of("fsck");
        CliRun sized = CliRun.of("mkfs", "--fs=xfs-like", "--size=1g", "--device=nbd:uri=nbd://127.0.0.1/x");

        assertThat(neither.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(neither.err()).contains("name an IMAGE file, or a device with --device=");
        assertThat(sized.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(sized.err()).contains("--size creates or grows an IMAGE file");
    }
}
