package io.jiomap.fs.xfslike;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.device.toolkit.fault.FaultRules;
import io.jiomap.device.toolkit.fault.FaultyDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reflink and copy-on-write seen from the files: shared until written, then private, sources untouched. */
class ReflinkTest {
    private static final int BS = 4096;

    /** Writes {@code original} (four blocks) to /a and clones it whole to a new /b. @return /a */
    private static OpenFile writeAndClone(Mount m, MemorySegment original) throws JiomapException {
        OpenFile a = m.open("/a", OpenFile.CREATE);
        a.pwrite(original, 0, 4 * BS, 0);
        m.open("/b", OpenFile.CREATE).cloneFrom(a, 0, 0, 4 * BS);
        return a;
    }

    @Test
    void subBlockWritesAcrossSharedBlocksKeepTheRestOfEachBlock() throws Exception {
        try (BlockDevice dev = Devices.memory("size=16m,vwc=on,fua=on"); Arena arena = Arena.ofShared()) {
            MemorySegment original = Devices.pattern(arena, 4 * BS, 4);
            MemorySegment patch = Devices.pattern(arena, 2 * BS, 5);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile a = writeAndClone(m, original);
                OpenFile b = m.open("/b", 0);
                long free = m.fileSystem().statfs().freeBlocks();
                // From the middle of block 0 to the middle of block 2: two partial blocks and one whole one.
                b.pwrite(patch, 0, 2 * BS, 2048);
                assertThat(m.fileSystem().statfs().freeBlocks()).as("three blocks copied").isEqualTo(free - 3);
                MemorySegment back = arena.allocate(4 * BS, 4096);
                b.pread(back, 0, 4 * BS, 0);
                byte[] want = Devices.bytes(original);
                System.arraycopy(Devices.bytes(patch), 0, want, 2048, 2 * BS);
                assertThat(Devices.bytes(back)).isEqualTo(want);
                a.pread(back, 0, 4 * BS, 0);
                assertThat(Devices.bytes(back)).as("the source").isEqualTo(Devices.bytes(original));
                assertThat(b.fiemap(0, 4 * BS)).extracting(e -> e.has(FileExtent.SHARED))
                        .as("blocks 0-2 private, block 3 still shared").containsExactly(false, true);
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void unlinkingOneOfTwoSharersLeavesTheOtherItsBlocks() throws Exception {
        try (BlockDevice dev = Devices.memory("size=16m,vwc=on,fua=on"); Arena arena = Arena.ofShared()) {
            MemorySegment data = Devices.pattern(arena, 8 * BS, 6);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile a = m.open("/a", OpenFile.CREATE);
                a.pwrite(data, 0, 8 * BS, 0);
                long free = m.fileSystem().statfs().freeBlocks();
                m.open("/b", OpenFile.CREATE).cloneFrom(a, 0, 0, 8 * BS);
                assertThat(m.fileSystem().statfs().freeBlocks()).as("a clone takes no data blocks").isEqualTo(free);
                a.close();
                m.unlink("/a");
                assertThat(m.fileSystem().statfs().freeBlocks()).isEqualTo(free);
                OpenFile b = m.open("/b", 0);
                assertThat(b.fiemap(0, 8 * BS)).noneMatch(e -> e.has(FileExtent.SHARED));
                MemorySegment back = arena.allocate(8 * BS, 4096);
                b.pread(back, 0, 8 * BS, 0);
                assertThat(Devices.bytes(back)).isEqualTo(Devices.bytes(data));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void aFailedCopyOnWriteGivesItsStagingBackAndALaterPartialWriteStillCopiesTheOldBytes() throws Exception {
        try (BlockDevice mem = Devices.memory("size=16m,vwc=on,fua=on"); Arena arena = Arena.ofShared()) {
            FaultyDevice dev = new FaultyDevice(mem);
            MemorySegment original = Devices.pattern(arena, 4 * BS, 7);
            MemorySegment garbage = Devices.pattern(arena, BS, 8);
            MemorySegment patch = Devices.pattern(arena, BS, 9);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile a = writeAndClone(m, original);
                OpenFile b = m.open("/b", 0);
                long free = m.fileSystem().statfs().freeBlocks();

                dev.setRules(FaultRules.builder().onWrites().nth(1).fail(Errno.EIO).build());
                assertThatThrownBy(() -> b.pwrite(garbage, 0, BS, BS)).isInstanceOf(JiomapException.class)
                        .satisfies(e -> assertThat(((JiomapException) e).errno()).isEqualTo(Errno.EIO));
                dev.setRules(FaultRules.none());
                assertThat(m.fileSystem().statfs().freeBlocks()).as("the failed write's staging block is free")
                        .isEqualTo(free);

                // 512 bytes into block 1: the other 3.5 KiB of the block must stay the original's.
                b.pwrite(patch, 0, 512, BS + 1024);
                MemorySegment back = arena.allocate(4 * BS, 4096);
                b.pread(back, 0, 4 * BS, 0);
                byte[] want = Devices.bytes(original);
                System.arraycopy(Devices.bytes(patch), 0, want, BS + 1024, 512);
                assertThat(Devices.bytes(back)).isEqualTo(want);
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void stagingAPartialWriteLeftBehindWhenItFailedBeforeItsBioIsGoneOnceAnotherOperationTakesTheFileAlone()
            throws Exception {
        try (BlockDevice mem = Devices.memory("size=16m,vwc=on,fua=on"); Arena arena = Arena.ofShared()) {
            FaultyDevice dev = new FaultyDevice(mem);
            MemorySegment original = Devices.pattern(arena, 4 * BS, 10);
            MemorySegment patch = Devices.pattern(arena, 4 * BS, 11);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile a = writeAndClone(m, original);
                OpenFile b = m.open("/b", 0);
                long free = m.fileSystem().statfs().freeBlocks();

                // Staging for blocks 0-3 commits, then copying the old head block into it fails: no bio is sent,
                // so no end_io cancels the staging.
                dev.setRules(FaultRules.builder().onReads().nth(1).fail(Errno.EIO).build());
                assertThatThrownBy(() -> b.pwrite(patch, 0, 4 * BS - 2048, 1024))
                        .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
                dev.setRules(FaultRules.none());
                assertThat(m.fileSystem().statfs().freeBlocks()).as("held by the staging").isEqualTo(free - 4);

                b.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, 2 * BS, 2 * BS);
                assertThat(m.fileSystem().statfs().freeBlocks()).as("the punch took the file alone: staging given back")
                        .isEqualTo(free);

                b.pwrite(patch, 0, 2 * BS - 512, 1024);
                MemorySegment back = arena.allocate(4 * BS, 4096);
                b.pread(back, 0, 4 * BS, 0);
                byte[] want = new byte[4 * BS];
                System.arraycopy(Devices.bytes(original), 0, want, 0, 2 * BS);
                System.arraycopy(Devices.bytes(patch), 0, want, 1024, 2 * BS - 512);
                assertThat(Devices.bytes(back)).isEqualTo(want);
                a.pread(back, 0, 4 * BS, 0);
                assertThat(Devices.bytes(back)).as("the source").isEqualTo(Devices.bytes(original));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }
}
