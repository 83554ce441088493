package io.jiomap.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.cli.Jiomap;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.plugin.ServiceLoaderPlugins;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jiomap on jiomap: one process serves an nvme-like device backed by an image ({@code jiomap serve nbd}); this one
 * mounts xfs-like on an {@code nbd} device pointing at it. The server is killed (SIGKILL) under a writer: the writer
 * fails within the device's timeout instead of hanging, and unmounting returns. The server restarts on the same
 * image; mounting again replays the log, every fsynced write reads back, and fsck finds nothing wrong.
 */
@Timeout(240)
class JiomapOnJiomapTest {
    private static final int CHUNK = 256 << 10;
    private static final long KEPT = 4L << 20;

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final List<Process> servers = new ArrayList<>();
    private final Plugins plugins = new ServiceLoaderPlugins();

    @AfterEach
    void stopServersAndFreeBuffers() throws InterruptedException {
        for (Process p : servers) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        arena.close();
    }

    private Process serve(Path image, Path socket, Path log) throws IOException {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Jiomap.class.getName(), "serve", "nbd", "--device=nvme-like:size=128m,path=" + image,
                "--socket=" + socket, "--export=disk");
        Files.deleteIfExists(socket);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        servers.add(p);
        Awaitility.await("serve nbd listening").atMost(Duration.ofSeconds(60))
                .until(() -> Files.exists(socket) || !p.isAlive());
        assertThat(p.isAlive()).as("serve nbd ended early: %s", Files.readString(log)).isTrue();
        return p;
    }

    private BlockDevice client(Path socket) throws JiomapException {
        return plugins.deviceProvider("nbd")
                .open(DeviceSpec.parse("nbd:uri=nbd+unix:///disk?socket=" + socket + ",timeout=2s"));
    }

    private MemorySegment pattern(long length, int seed) {
        MemorySegment s = arena.allocate(length, 4096);
        for (long i = 0; i < length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (seed * 31 + i * 7 + (i >>> 9)));
        }
        return s;
    }

    @Test
    void aServerKilledUnderAMountFailsItsWritesInTimeAndEveryFsyncedWriteSurvivesTheRestart() throws Exception {
        FileSystemType xfs = plugins.fileSystemType("xfs-like");
        Path image = dir.resolve("disk.img");
        Path socket = dir.resolve("disk.sock");
        MemorySegment kept = pattern(KEPT, 1);
        MemorySegment churn = pattern(CHUNK, 2);
        Process server = serve(image, socket, dir.resolve("serve1.log"));

        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (BlockDevice device = client(socket)) {
            Mount.mkfs(xfs, device, Map.of());
            Mount mount = Mount.mount(xfs, device, Mount.Options.defaults());
            OpenFile f = mount.open("/kept", OpenFile.CREATE);
            for (long at = 0; at < KEPT; at += CHUNK) {
                assertThat(f.pwrite(kept, at, CHUNK, at)).isEqualTo(CHUNK);
            }
            f.fsync(false);
            OpenFile c = mount.open("/churn", OpenFile.CREATE);
            Thread writer = Thread.ofPlatform().name("writer").start(() -> {
                try {
                    for (long i = 0; ; i++) {
                        c.pwrite(churn, 0, CHUNK, (i % 32) * CHUNK);
                        c.fsync(true);
                        written.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Awaitility.await("the writer under way").atMost(Duration.ofSeconds(60)).until(() -> written.get() >= 20);

            server.destroyForcibly();

            Awaitility.await("the writer fails instead of hanging").atMost(Duration.ofSeconds(20))
                    .until(() -> !writer.isAlive());
            assertThat(failure.get()).isInstanceOfSatisfying(JiomapException.class,
                    e -> assertThat(e.errno()).isIn(Errno.ENODEV, Errno.EIO));
            Thread closer = Thread.ofPlatform().name("unmount").start(() -> {
                try {
                    mount.close();
                } catch (JiomapException expected) {
                    // The server is gone: unmounting reports it, but must return.
                }
            });
            Awaitility.await("unmount returns").atMost(Duration.ofSeconds(20)).until(() -> !closer.isAlive());
        }

        serve(image, socket, dir.resolve("serve2.log"));
        try (BlockDevice device = client(socket)) {
            try (Mount mount = Mount.mount(xfs, device, Mount.Options.defaults())) {
                MemorySegment back = arena.allocate(KEPT, 4096);
                OpenFile f = mount.open("/kept", 0);
                for (long at = 0; at < KEPT; at += CHUNK) {
                    assertThat(f.pread(back, at, CHUNK, at)).isEqualTo(CHUNK);
                }
                assertThat(back.mismatch(kept)).as("the fsynced file after the server's restart").isEqualTo(-1);
            }
            FsckReport report = xfs.fsck(device, Map.of());
            assertThat(report.problems()).as("fsck after the server was killed and restarted").isEmpty();
        }
    }
}
