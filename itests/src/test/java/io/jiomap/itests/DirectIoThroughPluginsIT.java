package io.jiomap.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The host's core drives a raw filesystem on a memory device, both found as services of their bundles. */
class DirectIoThroughPluginsIT {
    private static final int BLOCKS = 16;

    private PluginFramework osgi;
    private BlockDevice device;
    private Mount mount;

    @BeforeEach
    void boot() throws Exception {
        osgi = PluginFramework.start(PluginFramework.bundleDirectoryFromBuild(), System.err);
    }

    @AfterEach
    void shutDown() throws Exception {
        if (mount != null) {
            mount.close();
        }
        if (device != null) {
            device.close();
        }
        osgi.close();
    }

    private OpenFile mountRawOnMemory(String deviceOptions) throws Exception {
        BlockDeviceProvider provider = osgi.deviceProviders().waitForService(5_000);
        FileSystemType raw = osgi.fileSystemTypes().waitForService(5_000);
        assertThat(provider).as("memory device provider service").isNotNull();
        assertThat(raw).as("raw filesystem type service").isNotNull();
        device = provider.open(DeviceSpec.parse("memory:" + deviceOptions));
        mount = Mount.mount(raw, device, Mount.Options.defaults());
        return mount.open("/memory", 0);
    }

    @Test
    void writesAndReadsThroughAnIoRingInCallerModeWithWriteCompletionsRunByTheRing() throws Exception {
        // A delay, so that the writes complete after their submitter let go: each is then deferred to the ring.
        OpenFile file = mountRawOnMemory("size=8m,lbs=4096,completion=delay,delay=20ms");
        DioCounters before = mount.counters();
        try (IoRing ring = IoRing.create(BLOCKS, CompletionMode.CALLER)) {
            MemorySegment written = ring.allocateBuffer((long) BLOCKS * Blocks.SIZE, Blocks.SIZE);
            MemorySegment read = ring.allocateBuffer((long) BLOCKS * Blocks.SIZE, Blocks.SIZE);
            for (int i = 0; i < BLOCKS; i++) {
                Blocks.fill(written, i, 7);
                assertThat(ring.prepWrite(file, written, (long) i * Blocks.SIZE, Blocks.SIZE,
                        (long) (BLOCKS - 1 - i) * Blocks.SIZE, 0, i)).isTrue();
            }
            assertThat(ring.submitAndWait(BLOCKS)).isEqualTo(BLOCKS);
            assertThat(reapAll(ring)).containsOnly((long) Blocks.SIZE).hasSize(BLOCKS);

            for (int i = 0; i < BLOCKS; i++) {
                assertThat(ring.prepRead(file, read, (long) (BLOCKS - 1 - i) * Blocks.SIZE, Blocks.SIZE,
                        (long) i * Blocks.SIZE, 0, i)).isTrue();
            }
            assertThat(ring.submitAndWait(BLOCKS)).isEqualTo(BLOCKS);
            assertThat(reapAll(ring)).containsOnly((long) Blocks.SIZE).hasSize(BLOCKS);

            assertThat(Blocks.same(written, read, BLOCKS)).as("blocks read back equal blocks written").isTrue();
        }
        DioCounters io = mount.counters().minus(before);
        // A write the device finished before its submitter let go completes in the submitter; it never goes to
        // the workqueue in caller mode, since every raw write is a pure overwrite.
        assertThat(io.caller()).as("write completions run by the ring (caller completion)").isPositive();
        assertThat(io.caller() + io.submitter()).as("write completions").isEqualTo(BLOCKS);
        assertThat(io.workqueue()).as("completions punted to the workqueue").isZero();
        assertThat(io.dataBios()).isEqualTo(2L * BLOCKS);
    }

    @Test
    void writesAndReadsThroughOpenFile() throws Exception {
        OpenFile file = mountRawOnMemory("size=8m,lbs=4096");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment written = arena.allocate((long) BLOCKS * Blocks.SIZE, Blocks.SIZE);
            MemorySegment read = arena.allocate((long) BLOCKS * Blocks.SIZE, Blocks.SIZE);
            for (int i = 0; i < BLOCKS; i++) {
                Blocks.fill(written, i, 3);
            }

            assertThat(file.pwrite(written, 0, written.byteSize(), 1 << 20)).isEqualTo(written.byteSize());
            assertThat(file.pread(read, 0, read.byteSize(), 1 << 20)).isEqualTo(read.byteSize());

            assertThat(Blocks.same(written, read, BLOCKS)).isTrue();
        }
    }

    @Test
    void aMisalignedWriteFailsWithEinvalNamingTheDevicesBlockSize() throws Exception {
        OpenFile file = mountRawOnMemory("size=8m,lbs=4096");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(Blocks.SIZE, Blocks.SIZE);

            assertThatThrownBy(() -> file.pwrite(buffer, 0, Blocks.SIZE, 512))
                    .isInstanceOf(JiomapException.class)
                    .hasMessageStartingWith("EINVAL")
                    .hasMessageContaining("offset 512 is not a multiple of the logical block size 4096");
        }
    }

    static List<Long> reapAll(IoRing ring) {
        List<Long> results = new ArrayList<>();
        ring.reap((user, result) -> results.add(result));
        return results;
    }
}
