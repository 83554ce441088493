package io.jiomap.fs.xfslike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ENOSPC exactly where space runs out, with nothing half-done; truncate and fallocate free and allocate. */
class SpaceTest {
    private static final int BS = 4096;

    private static void assertEnospc(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
    }

    @Test
    void fallocateTakesExactlyTheFreeBlocksAndOneMoreIsEnospc() throws Exception {
        try (BlockDevice dev = Devices.memory("size=16m,vwc=on,fua=on"); Mount m = Devices.mkfsAndMount(dev)) {
            FsStat st = m.fileSystem().statfs();
            OpenFile a = m.open("/a", OpenFile.CREATE);
            OpenFile b = m.open("/b", OpenFile.CREATE);
            assertEnospc(() -> a.fallocate(0, 0, (st.freeBlocks() + 1) * BS));
            assertThat(m.fileSystem().statfs().freeBlocks()).as("nothing allocated").isEqualTo(st.freeBlocks());
            assertThat(a.size()).isZero();
            a.fallocate(0, 0, st.freeBlocks() * BS);
            assertThat(m.fileSystem().statfs().freeBlocks()).isZero();
            assertEnospc(() -> b.fallocate(0, 0, BS));
            try (Arena arena = Arena.ofShared()) {
                MemorySegment buf = Devices.pattern(arena, BS, 1);
                assertEnospc(() -> b.pwrite(buf, 0, BS, 0));
                a.pwrite(buf, 0, BS, 0);
            }
            a.truncate(BS);
            assertThat(m.fileSystem().statfs().freeBlocks()).isEqualTo(st.freeBlocks() - 1);
        }
        // fsck runs on the image left by the clean unmount in the try's close.
    }

    /**
     * Every write that allocates or extends reserves checkpoint room for its end_io when it is mapped; end_io gives
     * it back. Were one reservation kept per write, the small checkpoint region here would answer ENOSPC after a few
     * hundred writes, although the metadata itself never grows.
     */
    @Test
    void endIoRoomTakenByEachWriteIsGivenBackSoASmallCheckpointRegionNeverFillsWithIt() throws Exception {
        try (BlockDevice dev = Devices.memory("size=16m,vwc=on,fua=on");
             Mount m = Devices.mkfsAndMount(dev, Map.of("ag-count", "1", "meta-size", "64k"));
             Arena arena = Arena.ofShared()) {
            OpenFile a = m.open("/a", OpenFile.CREATE);
            MemorySegment buf = Devices.pattern(arena, 2 * BS, 3);
            for (int i = 0; i < 2000; i++) {
                a.pwrite(buf, 0, BS, 0);
                a.pwrite(buf, 0, 2 * BS, 0);
                a.truncate(0);
            }
            a.pwrite(buf, 0, BS, 0);
            assertThat(a.size()).isEqualTo(BS);
        }
    }

    @Test
    void aWriteThatDoesNotFitAllocatesNothing() throws Exception {
        try (BlockDevice dev = Devices.memory("size=16m,vwc=on,fua=on"); Arena arena = Arena.ofShared()) {
            try (Mount m = Devices.mkfsAndMount(dev)) {
                long free = m.fileSystem().statfs().freeBlocks();
                OpenFile a = m.open("/a", OpenFile.CREATE);
                a.fallocate(0, 0, (free - 2) * BS);
                OpenFile b = m.open("/b", OpenFile.CREATE);
                MemorySegment buf = Devices.pattern(arena, 4 * BS, 2);
                assertEnospc(() -> b.pwrite(buf, 0, 4 * BS, 0));
                assertThat(m.fileSystem().statfs().freeBlocks()).isEqualTo(2);
                assertThat(b.stat().allocatedBytes()).isZero();
                b.pwrite(buf, 0, 2 * BS, 0);
                assertThat(m.fileSystem().statfs().freeBlocks()).isZero();
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void fallocateModesAndTruncateShapeTheExtents() throws Exception {
        try (BlockDevice dev = Devices.memory("size=16m,vwc=on,fua=on"); Arena arena = Arena.ofShared()) {
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile f = m.open("/f", OpenFile.CREATE);
                f.pwrite(Devices.pattern(arena, 16 * BS, 3), 0, 16 * BS, 0);
                f.fallocate(Inode.FALLOC_KEEP_SIZE, 16 * BS, 4 * BS);
                assertThat(f.size()).isEqualTo(16 * BS);
                assertThat(f.fiemap(16 * BS, 4 * BS)).singleElement().satisfies(e -> {
                    assertThat(e.has(FileExtent.UNWRITTEN)).isTrue();
                    assertThat(e.has(FileExtent.LAST)).isTrue();
                });
                f.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, 2 * BS, 2 * BS);
                f.fallocate(Inode.FALLOC_ZERO_RANGE, 8 * BS + 512, 2 * BS);
                MemorySegment back = arena.allocate(16 * BS, 4096);
                f.pread(back, 0, 16 * BS, 0);
                byte[] got = Devices.bytes(back);
                byte[] want = Devices.bytes(Devices.pattern(arena, 16 * BS, 3));
                java.util.Arrays.fill(want, 2 * BS, 4 * BS, (byte) 0);
                java.util.Arrays.fill(want, 8 * BS + 512, 10 * BS + 512, (byte) 0);
                assertThat(got).isEqualTo(want);
                assertThat(f.fiemap(9 * BS, BS)).singleElement()
                        .satisfies(e -> assertThat(e.has(FileExtent.UNWRITTEN)).isTrue());
                f.truncate(5 * BS + 100);
                assertThat(f.stat().allocatedBytes()).isEqualTo(4L * BS);
                f.truncate(7 * BS);
                f.pread(back, 0, 2 * BS, 5 * BS);
                byte[] tail = java.util.Arrays.copyOf(Devices.bytes(back), 2 * BS);
                assertThat(java.util.Arrays.copyOfRange(tail, 100, 2 * BS)).as("beyond the old EOF: zeros")
                        .containsOnly((byte) 0);
                assertThatThrownBy(() -> f.fallocate(Inode.FALLOC_PUNCH_HOLE, 0, BS))
                        .isInstanceOfSatisfying(JiomapException.class,
                                e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void cloneRangeRefusesMisalignedRangesAndOtherFilesystems() throws Exception {
        try (BlockDevice d1 = Devices.memory("size=16m"); BlockDevice d2 = Devices.memory("size=16m");
             Mount m1 = Devices.mkfsAndMount(d1); Mount m2 = Devices.mkfsAndMount(d2)) {
            OpenFile a = m1.open("/a", OpenFile.CREATE);
            a.fallocate(0, 0, 4 * BS);
            OpenFile b = m1.open("/b", OpenFile.CREATE);
            OpenFile other = m2.open("/c", OpenFile.CREATE);
            assertThatThrownBy(() -> b.cloneFrom(a, 512, 0, BS)).isInstanceOfSatisfying(JiomapException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
            assertThatThrownBy(() -> other.cloneFrom(a, 0, 0, BS)).isInstanceOfSatisfying(JiomapException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.EXDEV));
            assertThatThrownBy(() -> a.cloneFrom(a, 0, BS, 2 * BS)).as("overlapping ranges of one file")
                    .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        }
    }
}
