package io.jiomap.cli.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.Jiomap;
import io.jiomap.fuse.MountTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jiomap mount} as its own process: ended by SIGTERM it unmounts cleanly; killed, mounting again recovers. */
class MountServerProcessTest {
    @TempDir
    Path dir;

    private Path image;
    private Path mountpoint;
    private Process server;

    @BeforeEach
    void setUp() throws IOException {
        LiveMount.assumeFuse();
        image = dir.resolve("fs.img");
        mountpoint = Files.createDirectory(dir.resolve("mnt"));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
        if (MountTable.isMountpoint(mountpoint)) {
            Programs.runQuietly(dir, "umount", "-l", mountpoint.toString());
        }
    }

    private void startServer(String type) throws IOException {
        CliRun mkfs = CliRun.of("mkfs", "--fs=" + type, "--size=256m", image.toString());
        assertThat(mkfs.exitCode()).as(mkfs.err()).isZero();
        String java = ProcessHandle.current().info().command().orElseThrow();
        server = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Jiomap.class.getName(), "mount", image.toString(),
                mountpoint.toString())).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile())
                .start();
        await().atMost(LiveMount.READY).pollInterval(Duration.ofMillis(20))
                .until(() -> !server.isAlive() || MountTable.isServedJiomap(mountpoint));
        assertThat(server.isAlive()).as("server log:\n%s", log()).isTrue();
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("server.log"));
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void sigtermUnmountsCleanlyWithEveryAcknowledgedWriteOnTheImageAndTheLockIsHeldAcrossProcesses()
            throws Exception {
        startServer("ext4-like");
        Files.write(mountpoint.resolve("acknowledged"), pattern(300_000, 1));
        // Whole aligned blocks inside the file, O_DIRECT: pure overwrites, which the worker's ring completes itself.
        Path source = Files.write(dir.resolve("blocks"), pattern(65_536, 4));
        Files.write(mountpoint.resolve("overwritten"), new byte[65_536]);
        Programs.run(dir, "dd", "if=" + source, "of=" + mountpoint.resolve("overwritten"), "bs=4096", "count=16",
                "conv=notrunc", "oflag=direct");
        Files.createDirectories(mountpoint.resolve("a/b"));
        Files.write(mountpoint.resolve("a/b/small"), pattern(10, 2));
        Path other = Files.createDirectory(dir.resolve("other"));

        CliRun second = CliRun.of("mount", image.toString(), other.toString());

        assertThat(second.err()).contains("EBUSY").contains("is in use");
        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).as(log()).isZero();
        assertThat(log()).contains("unmounted, everything written is on the image").containsPattern(
                "completions: caller [1-9]\\d*, workqueue \\d+, inline \\d+, waiter \\d+, submitter \\d+");
        assertThat(MountTable.isMountpoint(mountpoint)).isFalse();
        CliRun fsck = CliRun.of("fsck", image.toString());
        assertThat(fsck.exitCode()).as(fsck.out()).isZero();
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            assertThat(Files.readAllBytes(mountpoint.resolve("acknowledged"))).isEqualTo(pattern(300_000, 1));
            assertThat(Files.readAllBytes(mountpoint.resolve("a/b/small"))).isEqualTo(pattern(10, 2));
            assertThat(Files.readAllBytes(mountpoint.resolve("overwritten"))).isEqualTo(pattern(65_536, 4));
            mount.unmount();
        }
    }

    @Test
    void aKilledServerLeavesENOTCONNAndMountingAgainRecoversTheLogAndServesWhatWasSynced() throws Exception {
        startServer("xfs-like");
        try (FileChannel ch = FileChannel.open(mountpoint.resolve("synced"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(pattern(70_000, 3)));
            ch.force(true);
        }

        server.destroyForcibly();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> Files.readAttributes(mountpoint.resolve("synced"), "basic:size"))
                .hasMessageContaining("Transport endpoint is not connected");
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            assertThat(Files.readAllBytes(mountpoint.resolve("synced"))).isEqualTo(pattern(70_000, 3));
            mount.unmount();
        }
        CliRun fsck = CliRun.of("fsck", image.toString());
        assertThat(fsck.exitCode()).as(fsck.out()).isZero();
    }
}
