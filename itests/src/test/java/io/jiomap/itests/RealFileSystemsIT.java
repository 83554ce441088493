package io.jiomap.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.framework.Bundle;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The xfs-like and ext4-like bundles in Felix, on a device bundle whose blocks live in an image file: a filesystem
 * made through one bundle revision is mounted, checked and read back through the next one after an update, and one
 * device can be given to either filesystem in turn.
 */
class RealFileSystemsIT {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final int BLOCKS = 64;

    private PluginFramework osgi;
    private ServiceTracker<BlockDeviceProvider, BlockDeviceProvider> nvme;

    @TempDir
    Path dir;

    @BeforeEach
    void boot() throws Exception {
        osgi = PluginFramework.start(PluginFramework.bundleDirectoryFromBuild(), System.err,
                List.of(PluginFramework.NVME_LIKE_JAR, PluginFramework.XFS_LIKE_JAR, PluginFramework.EXT4_LIKE_JAR));
        nvme = osgi.deviceProviders("nvme-like");
        assertThat(nvme.waitForService(BOUND.toMillis())).as("nvme-like provider").isNotNull();
    }

    @AfterEach
    void shutDown() {
        osgi.close();
    }

    private BlockDevice device() throws Exception {
        return nvme.getService().open(DeviceSpec.parse("nvme-like:size=64m,lbs=4096,vwc=on,path=" + dir.resolve("img")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void aFilesystemMadeThroughOneBundleRevisionMountsChecksAndReadsBackThroughTheNext(String name) throws Exception {
        String jar = name.equals("xfs-like") ? PluginFramework.XFS_LIKE_JAR : PluginFramework.EXT4_LIKE_JAR;
        ServiceTracker<FileSystemType, FileSystemType> types = osgi.fileSystemType(name);
        FileSystemType first = types.waitForService(BOUND.toMillis());
        assertThat(first).as(name + " service").isNotNull();
        try (BlockDevice dev = device()) {
            Mount.mkfs(first, dev, Map.of());
            try (Mount m = Mount.mount(first, dev, Mount.Options.defaults())) {
                write(m.open("/dir-less-file", OpenFile.CREATE), 11);
            }
        }

        Bundle bundle = osgi.bundleAt(jar);
        try (InputStream in = Files.newInputStream(osgi.bundleDirectory().resolve(jar))) {
            bundle.update(in);
        }
        await().atMost(BOUND).until(() -> types.getService() != null && types.getService() != first);
        FileSystemType next = types.getService();
        assertThat(next.getClass().getClassLoader()).isNotSameAs(first.getClass().getClassLoader());

        try (BlockDevice dev = device()) {
            assertThat(next.probe(dev)).as("the new revision recognises the image").isTrue();
            FsckReport report = next.fsck(dev, Map.of());
            assertThat(report.problems()).as("fsck of the image the old revision left").isEmpty();
            try (Mount m = Mount.mount(next, dev, Mount.Options.defaults())) {
                assertThat(readBack(m.open("/dir-less-file", 0), 11)).as("blocks that read back").isEqualTo(BLOCKS);
            }
        }
    }

    @Test
    void oneDeviceCanBeGivenToEitherFilesystemAndEachRecognisesOnlyItsOwn() throws Exception {
        FileSystemType xfs = osgi.fileSystemType("xfs-like").waitForService(BOUND.toMillis());
        FileSystemType ext4 = osgi.fileSystemType("ext4-like").waitForService(BOUND.toMillis());
        for (FileSystemType[] pair : List.of(new FileSystemType[] {xfs, ext4}, new FileSystemType[] {ext4, xfs})) {
            try (BlockDevice dev = device()) {
                Mount.mkfs(pair[0], dev, Map.of());
                assertThat(pair[0].probe(dev)).isTrue();
                assertThat(pair[1].probe(dev)).as(pair[1].name() + " claims " + pair[0].name() + "'s image").isFalse();
                try (Mount m = Mount.mount(pair[0], dev, Mount.Options.defaults())) {
                    write(m.open("/f", OpenFile.CREATE), 5);
                    assertThat(readBack(m.open("/f", 0), 5)).isEqualTo(BLOCKS);
                }
            }
        }
    }

    private static void write(OpenFile file, int seed) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate((long) BLOCKS * Blocks.SIZE, Blocks.SIZE);
            for (int i = 0; i < BLOCKS; i++) {
                Blocks.fill(buf, i, seed);
            }
            assertThat(file.pwrite(buf, 0, buf.byteSize(), 0)).isEqualTo(buf.byteSize());
            file.fsync(false);
        }
    }

    /** How many of the blocks hold what {@link #write} put there. */
    private static int readBack(OpenFile file, int seed) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment expect = arena.allocate((long) BLOCKS * Blocks.SIZE, Blocks.SIZE);
            MemorySegment got = arena.allocate((long) BLOCKS * Blocks.SIZE, Blocks.SIZE);
            for (int i = 0; i < BLOCKS; i++) {
                Blocks.fill(expect, i, seed);
            }
            assertThat(file.pread(got, 0, got.byteSize(), 0)).isEqualTo(got.byteSize());
            int same = 0;
            for (int i = 0; i < BLOCKS; i++) {
                if (MemorySegment.mismatch(expect, (long) i * Blocks.SIZE, (long) (i + 1) * Blocks.SIZE, got,
                        (long) i * Blocks.SIZE, (long) (i + 1) * Blocks.SIZE) == -1) {
                    same++;
                }
            }
            return same;
        }
    }
}
