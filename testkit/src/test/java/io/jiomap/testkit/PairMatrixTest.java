package io.jiomap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInfo;

/** The matrix: every pair asked for (or installed) runs once, on its own fresh filesystem, named after the pair. */
class PairMatrixTest {
    private static final Set<String> CHOSEN = ConcurrentHashMap.newKeySet();
    private static final Set<String> EVERY = ConcurrentHashMap.newKeySet();
    private static final Set<BlockDevice> DEVICES = ConcurrentHashMap.newKeySet();

    // tag::testkit-matrix[]
    @JiomapTest(fs = {"raw", "scripted"}, devices = {"memory", "nvme-like", "sata-like"})
    void eachPairGetsAFreshFilesystemOnAFreshDevice(JiomapRig rig, @TestFile("/data") OpenFile file,
                                                     TestInfo test) throws Exception {
        MemorySegment buffer = rig.buffer(4096);
        long fresh = file.pread(buffer, 0, 4096, 0);
        assertThat(Bytes.firstOther(buffer, fresh, 0)).as("a fresh file holds nothing but zeros").isEqualTo(-1);

        file.pwrite(Bytes.fill(buffer, 0x5a), 0, 4096, 0);
        MemorySegment back = rig.buffer(4096);
        assertThat(rig.file("/data").pread(back, 0, 4096, 0)).isEqualTo(4096);
        assertThat(Bytes.firstOther(back, 4096, 0x5a)).isEqualTo(-1);

        assertThat(test.getDisplayName()).isEqualTo("[" + rig.name() + "]");
        CHOSEN.add(test.getDisplayName());
        DEVICES.add(rig.device());
    }
    // end::testkit-matrix[]

    @JiomapTest
    void withoutNamesEveryInstalledPairRuns(FileSystemType type, BlockDeviceProvider provider, Mount mount,
                                            FileSystem fs, TestInfo test) {
        assertThat(mount.fileSystem()).isSameAs(fs);
        assertThat(fs.typeName()).isEqualTo(type.name());
        assertThat(test.getDisplayName()).isEqualTo("[" + type.name() + " on " + provider.type() + "]");
        EVERY.add(test.getDisplayName());
    }

    @AfterAll
    static void everyPairRanOnceOnItsOwnDevice() {
        assertThat(CHOSEN).containsExactlyInAnyOrder("[raw on memory]", "[raw on nvme-like]", "[raw on sata-like]",
                "[scripted on memory]", "[scripted on nvme-like]", "[scripted on sata-like]");
        assertThat(DEVICES).hasSize(6);
        // 2 filesystems (raw, and scripted from the test resources' META-INF/services) on 4 device types.
        assertThat(EVERY).as("the installed pairs").containsAll(CHOSEN).contains("[scripted on file]").hasSize(8);
    }
}
