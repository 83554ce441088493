package io.jiomap.device.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.fs.ext4like.Ext4LikeFileSystemType;
import io.jiomap.fs.xfslike.XfsLikeFileSystemType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * xfs-like and ext4-like on an nbd device: made, mounted, written with O_DIRECT and O_DSYNC, unmounted, checked clean,
 * and read back through a new connection, against nbdkit's memory plugin and qemu-nbd in front of qcow2; and a server
 * killed under a mounted filesystem's writes fails them within the timeout instead of hanging.
 */
class FileSystemsOnNbdTest {
    private static final long SIZE = 128L << 20;
    private static final int CHUNK = 256 << 10;

    @RegisterExtension
    final NbdPeers peers = new NbdPeers();
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void freeBuffers() {
        arena.close();
    }

    static Stream<Arguments> filesystemsAndServers() {
        return Stream.of(
                Arguments.of("xfs-like", "nbdkit memory"), Arguments.of("ext4-like", "nbdkit memory"),
                Arguments.of("xfs-like", "qemu-nbd qcow2"), Arguments.of("ext4-like", "qemu-nbd qcow2"));
    }

    private static FileSystemType type(String name) {
        return name.equals("xfs-like") ? new XfsLikeFileSystemType() : new Ext4LikeFileSystemType();
    }

    private NbdPeer server(String which) {
        return which.startsWith("nbdkit") ? peers.nbdkit("memory", "size=" + SIZE)
                : peers.qemuNbd(Images.qcow2(peers.dir(), SIZE), "qcow2", "disk");
    }

    private static String export(String which) {
        return which.startsWith("nbdkit") ? "" : "disk";
    }

    private static BlockDevice open(NbdPeer peer, String export, String options) throws JiomapException {
        return new NbdDeviceProvider().open(DeviceSpec.parse("nbd:uri=" + peer.uri(export) + "," + options));
    }

    private MemorySegment pattern(int length, int seed) {
        MemorySegment s = arena.allocate(length, 4096);
        for (int i = 0; i < length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (seed * 31 + i * 7 + (i >>> 9)));
        }
        return s;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("filesystemsAndServers")
    void aFilesystemOnAnNbdExportKeepsWhatItWroteAcrossConnections(String fsName, String serverName)
            throws Exception {
        FileSystemType fs = type(fsName);
        NbdPeer server = server(serverName);
        MemorySegment big = pattern(4 << 20, 1);
        MemorySegment small = pattern(8192, 2);
        try (BlockDevice device = open(server, export(serverName), "connections=2,queue-depth=32")) {
            Mount.mkfs(fs, device, Map.of());
            try (Mount mount = Mount.mount(fs, device, Mount.Options.defaults())) {
                OpenFile a = mount.open("/a", OpenFile.CREATE);
                for (long at = 0; at < big.byteSize(); at += CHUNK) {
                    assertThat(a.pwrite(big, at, CHUNK, at)).isEqualTo(CHUNK);
                }
                a.fsync(false);
                OpenFile b = mount.open("/b", OpenFile.CREATE | OpenFile.DSYNC);
                assertThat(b.pwrite(small, 0, 8192, 1 << 20)).as("an O_DSYNC write").isEqualTo(8192);
            }
            FsckReport report = fs.fsck(device, Map.of());
            assertThat(report.problems()).as("fsck of %s", fsName).isEmpty();
        }

        try (BlockDevice again = open(server, export(serverName), "")) {
            try (Mount mount = Mount.mount(fs, again, Mount.Options.defaults())) {
                MemorySegment back = arena.allocate(big.byteSize(), 4096);
                OpenFile a = mount.open("/a", 0);
                for (long at = 0; at < back.byteSize(); at += CHUNK) {
                    assertThat(a.pread(back, at, CHUNK, at)).isEqualTo(CHUNK);
                }
                assertThat(back.mismatch(big)).as("file /a read back").isEqualTo(-1);
                MemorySegment backSmall = arena.allocate(8192, 4096);
                assertThat(mount.open("/b", 0).pread(backSmall, 0, 8192, 1 << 20)).isEqualTo(8192);
                assertThat(backSmall.mismatch(small)).as("file /b read back").isEqualTo(-1);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"xfs-like", "ext4-like"})
    void aServerKilledUnderAMountedFilesystemFailsItsWritesWithinTheTimeout(String fsName) throws Exception {
        FileSystemType fs = type(fsName);
        NbdPeer server = peers.nbdkit("memory", "size=" + SIZE);
        MemorySegment data = pattern(CHUNK, 3);
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (BlockDevice device = open(server, "", "timeout=2s")) {
            Mount.mkfs(fs, device, Map.of());
            Mount mount = Mount.mount(fs, device, Mount.Options.defaults());
            OpenFile f = mount.open("/f", OpenFile.CREATE);
            Thread writer = Thread.ofPlatform().name("writer").start(() -> {
                try {
                    for (long i = 0; ; i++) {
                        f.pwrite(data, 0, CHUNK, (i % 64) * CHUNK);
                        f.fsync(true);
                        written.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= 20);

            server.kill();

            Awaitility.await("the writer fails instead of hanging").atMost(Duration.ofSeconds(15))
                    .until(() -> !writer.isAlive());
            assertThat(failure.get()).isInstanceOfSatisfying(JiomapException.class,
                    e -> assertThat(e.errno()).isIn(Errno.ENODEV, Errno.EIO));
            Thread closer = Thread.ofPlatform().start(() -> {
                try {
                    mount.close();
                } catch (JiomapException expected) {
                    // The device is gone: unmounting reports it, but must return.
                }
            });
            Awaitility.await("unmount returns").atMost(Duration.ofSeconds(15)).until(() -> !closer.isAlive());
        }
    }
}
