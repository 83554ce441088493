package io.jiomap.fs.xfslike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.device.toolkit.crash.CrashState;
import io.jiomap.device.toolkit.crash.CrashStateGenerator;
import io.jiomap.device.toolkit.crash.Mode;
import io.jiomap.device.toolkit.crash.Snapshot;
import io.jiomap.device.toolkit.fault.PowerCutDevice;
import io.jiomap.device.toolkit.record.RecordingDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** fallocate's collapse, insert and unshare range: what the file reads afterwards, refused ranges, power cuts. */
class ShiftAndUnshareTest {
    private static final int BS = 4096;

    private static void assertErrno(int errno, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(errno));
    }

    private static byte[] read(Arena arena, OpenFile f, long length) throws JiomapException {
        MemorySegment back = arena.allocate(length, 4096);
        f.pread(back, 0, length, 0);
        return Devices.bytes(back);
    }

    /** {@code data} without {@code [from, from + len)}. */
    private static byte[] collapsed(byte[] data, int from, int len) {
        byte[] out = new byte[data.length - len];
        System.arraycopy(data, 0, out, 0, from);
        System.arraycopy(data, from + len, out, from, data.length - from - len);
        return out;
    }

    /** {@code data} with {@code len} zero bytes inserted at {@code at}. */
    private static byte[] inserted(byte[] data, int at, int len) {
        byte[] out = new byte[data.length + len];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(data, at, out, at + len, data.length - at);
        return out;
    }

    /** Writes blocks 0, 2, 4, ... {@code 2 * count - 2}: {@code count} extents with holes between. @return the file */
    private static byte[] writeEveryOtherBlock(Arena arena, OpenFile f, int count) throws JiomapException {
        byte[] want = new byte[(2 * count - 1) * BS];
        for (int i = 0; i < count; i++) {
            MemorySegment block = Devices.pattern(arena, BS, 100 + i);
            f.pwrite(block, 0, BS, 2L * i * BS);
            System.arraycopy(Devices.bytes(block), 0, want, 2 * i * BS, BS);
        }
        return want;
    }

    @Test
    void collapseRangeMovesTheDataAfterTheRangeDownAndShrinksTheFile() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            MemorySegment data = Devices.pattern(arena, 16 * BS, 1);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile f = m.open("/f", OpenFile.CREATE);
                f.pwrite(data, 0, 16 * BS, 0);
                long free = m.fileSystem().statfs().freeBlocks();
                f.fallocate(Inode.FALLOC_COLLAPSE_RANGE, 4 * BS, 5 * BS);
                assertThat(f.size()).isEqualTo(11 * BS);
                assertThat(read(arena, f, 11 * BS)).isEqualTo(collapsed(Devices.bytes(data), 4 * BS, 5 * BS));
                assertThat(m.fileSystem().statfs().freeBlocks()).as("the collapsed blocks are freed")
                        .isEqualTo(free + 5);
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void insertRangeLeavesZerosAtTheOffsetAndMovesTheDataUp() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            MemorySegment data = Devices.pattern(arena, 8 * BS, 2);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile f = m.open("/f", OpenFile.CREATE);
                f.pwrite(data, 0, 8 * BS, 0);
                long free = m.fileSystem().statfs().freeBlocks();
                f.fallocate(Inode.FALLOC_INSERT_RANGE, 3 * BS, 4 * BS);
                assertThat(f.size()).isEqualTo(12 * BS);
                assertThat(read(arena, f, 12 * BS)).isEqualTo(inserted(Devices.bytes(data), 3 * BS, 4 * BS));
                assertThat(f.fiemap(3 * BS, 4 * BS)).as("the inserted range is a hole").isEmpty();
                assertThat(m.fileSystem().statfs().freeBlocks()).as("an insert allocates nothing").isEqualTo(free);
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void shiftsOfAFileWithMoreExtentsThanOneTransactionMovesKeepEveryExtentInOrder() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile f = m.open("/f", OpenFile.CREATE);
                byte[] want = writeEveryOtherBlock(arena, f, 200);
                f.fallocate(Inode.FALLOC_INSERT_RANGE, 3 * BS, 2 * BS);
                want = inserted(want, 3 * BS, 2 * BS);
                f.fallocate(Inode.FALLOC_COLLAPSE_RANGE, BS, 3 * BS);
                want = collapsed(want, BS, 3 * BS);
                assertThat(f.size()).isEqualTo(want.length);
                assertThat(read(arena, f, want.length)).isEqualTo(want);
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void shiftingSharedExtentsKeepsTheirReferenceCountsAndTheOtherFilesData() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            MemorySegment data = Devices.pattern(arena, 8 * BS, 3);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile a = m.open("/a", OpenFile.CREATE);
                a.pwrite(data, 0, 8 * BS, 0);
                OpenFile b = m.open("/b", OpenFile.CREATE);
                b.cloneFrom(a, 0, 0, 8 * BS);
                b.fallocate(Inode.FALLOC_COLLAPSE_RANGE, 0, 2 * BS);
                b.fallocate(Inode.FALLOC_INSERT_RANGE, 4 * BS, BS);
                byte[] want = inserted(collapsed(Devices.bytes(data), 0, 2 * BS), 4 * BS, BS);
                assertThat(read(arena, b, want.length)).isEqualTo(want);
                assertThat(b.fiemap(0, 2L * want.length)).as("the moved blocks are still shared with /a")
                        .allMatch(e -> e.has(FileExtent.SHARED));
                assertThat(a.fiemap(0, 2 * BS)).as("/a's blocks 0-1 lost their other owner")
                        .noneMatch(e -> e.has(FileExtent.SHARED));
                assertThat(read(arena, a, 8 * BS)).isEqualTo(Devices.bytes(data));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).as("refcount index matches the mappings")
                    .isEmpty();
        }
    }

    @Test
    void unshareGivesTheCloneItsOwnBlocksSoOverwritingTheOriginalLeavesTheCloneUnchanged() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            MemorySegment data = Devices.pattern(arena, 8 * BS, 4);
            MemorySegment overwrite = Devices.pattern(arena, 8 * BS, 5);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile a = m.open("/a", OpenFile.CREATE);
                a.pwrite(data, 0, 8 * BS, 0);
                OpenFile b = m.open("/b", OpenFile.CREATE);
                b.cloneFrom(a, 0, 0, 8 * BS);
                long free = m.fileSystem().statfs().freeBlocks();
                b.fallocate(Inode.FALLOC_UNSHARE_RANGE, BS, 4 * BS);
                assertThat(m.fileSystem().statfs().freeBlocks()).as("four blocks copied").isEqualTo(free - 4);
                assertThat(b.fiemap(0, 8 * BS)).extracting(e -> e.logical() / BS, e -> e.has(FileExtent.SHARED))
                        .as("blocks 1-4 private, the rest still shared").containsExactly(
                                org.assertj.core.groups.Tuple.tuple(0L, true),
                                org.assertj.core.groups.Tuple.tuple(1L, false),
                                org.assertj.core.groups.Tuple.tuple(5L, true));
                assertThat(b.size()).isEqualTo(8 * BS);
                long freeAfterUnshare = m.fileSystem().statfs().freeBlocks();
                a.pwrite(overwrite, 0, 4 * BS, BS);
                assertThat(m.fileSystem().statfs().freeBlocks()).as("/a overwrote its now private blocks in place")
                        .isEqualTo(freeAfterUnshare);
                assertThat(read(arena, b, 8 * BS)).isEqualTo(Devices.bytes(data));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void unshareOfARangeWithNothingSharedChangesNothingAndPreallocatesItsHoles() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            MemorySegment data = Devices.pattern(arena, 4 * BS, 6);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile f = m.open("/f", OpenFile.CREATE);
                f.pwrite(data, 0, 4 * BS, 0);
                List<FileExtent> before = f.fiemap(0, 4 * BS);
                long free = m.fileSystem().statfs().freeBlocks();
                f.fallocate(Inode.FALLOC_UNSHARE_RANGE, 0, 4 * BS);
                assertThat(f.fiemap(0, 4 * BS)).isEqualTo(before);
                assertThat(m.fileSystem().statfs().freeBlocks()).isEqualTo(free);

                f.fallocate(Inode.FALLOC_UNSHARE_RANGE | Inode.FALLOC_KEEP_SIZE, 4 * BS, 2 * BS);
                assertThat(f.size()).isEqualTo(4 * BS);
                assertThat(f.fiemap(4 * BS, 2 * BS)).singleElement()
                        .satisfies(e -> assertThat(e.has(FileExtent.UNWRITTEN)).isTrue());
                f.fallocate(Inode.FALLOC_UNSHARE_RANGE, 4 * BS, 3 * BS);
                assertThat(f.size()).as("without KEEP_SIZE the size grows").isEqualTo(7 * BS);
                assertThat(read(arena, f, 4 * BS)).isEqualTo(Devices.bytes(data));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void misalignedCollapseOrInsertIsEinvalAndChangesNothing() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile f = m.open("/f", OpenFile.CREATE);
                f.pwrite(Devices.pattern(arena, 8 * BS, 7), 0, 8 * BS, 0);
                assertErrno(Errno.EINVAL, () -> f.fallocate(Inode.FALLOC_COLLAPSE_RANGE, 512, BS));
                assertErrno(Errno.EINVAL, () -> f.fallocate(Inode.FALLOC_COLLAPSE_RANGE, BS, BS + 512));
                assertErrno(Errno.EINVAL, () -> f.fallocate(Inode.FALLOC_INSERT_RANGE, BS, 512));
                assertErrno(Errno.EINVAL, () -> f.fallocate(Inode.FALLOC_INSERT_RANGE, 100, BS));
                assertThat(f.size()).isEqualTo(8 * BS);
                assertThat(read(arena, f, 8 * BS)).isEqualTo(Devices.bytes(Devices.pattern(arena, 8 * BS, 7)));
            }
        }
    }

    @Test
    void collapseReachingEofAndInsertAtOrPastEofAreEinval() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            try (Mount m = Devices.mkfsAndMount(dev)) {
                OpenFile f = m.open("/f", OpenFile.CREATE);
                f.pwrite(Devices.pattern(arena, 8 * BS, 8), 0, 8 * BS, 0);
                long free = m.fileSystem().statfs().freeBlocks();
                assertErrno(Errno.EINVAL, () -> f.fallocate(Inode.FALLOC_COLLAPSE_RANGE, 4 * BS, 4 * BS));
                assertErrno(Errno.EINVAL, () -> f.fallocate(Inode.FALLOC_COLLAPSE_RANGE, 6 * BS, 4 * BS));
                assertErrno(Errno.EINVAL, () -> f.fallocate(Inode.FALLOC_INSERT_RANGE, 8 * BS, BS));
                assertThat(f.size()).isEqualTo(8 * BS);
                assertThat(m.fileSystem().statfs().freeBlocks()).as("nothing punched").isEqualTo(free);
                f.fallocate(Inode.FALLOC_COLLAPSE_RANGE, 4 * BS, 3 * BS);
                assertThat(f.size()).as("a range ending one block before EOF may go").isEqualTo(5 * BS);
            }
        }
    }

    @Test
    void insertTakingTheFilePastTheLargestSizeIsEfbig() throws Exception {
        try (BlockDevice dev = Devices.memory(); Mount m = Devices.mkfsAndMount(dev)) {
            OpenFile f = m.open("/f", OpenFile.CREATE);
            f.truncate(Long.MAX_VALUE - 2 * BS);
            assertErrno(Errno.EFBIG, () -> f.fallocate(Inode.FALLOC_INSERT_RANGE, 0, 4 * BS));
            assertThat(f.size()).isEqualTo(Long.MAX_VALUE - 2 * BS);
        }
    }

    @Test
    void collapseSurvivesAPowerCutAndRecoveryWithFsckClean() throws Exception {
        byte[] want = powerCutAfter((f, data) -> {
            f.fallocate(Inode.FALLOC_COLLAPSE_RANGE, 3 * BS, 6 * BS);
            return collapsed(data, 3 * BS, 6 * BS);
        });
        assertThat(want).hasSize(10 * BS);
    }

    @Test
    void insertSurvivesAPowerCutAndRecoveryWithFsckClean() throws Exception {
        byte[] want = powerCutAfter((f, data) -> {
            f.fallocate(Inode.FALLOC_INSERT_RANGE, 5 * BS, 2 * BS);
            return inserted(data, 5 * BS, 2 * BS);
        });
        assertThat(want).hasSize(18 * BS);
    }

    @Test
    void unshareSurvivesAPowerCutAndRecoveryWithFsckClean() throws Exception {
        byte[] want = powerCutAfter((f, data) -> {
            f.fallocate(Inode.FALLOC_UNSHARE_RANGE, 0, 16 * BS);
            assertThat(f.fiemap(0, 16 * BS)).noneMatch(e -> e.has(FileExtent.SHARED));
            return data;
        });
        assertThat(want).hasSize(16 * BS);
    }

    @FunctionalInterface
    private interface Change {
        /** Changes /b (a clone of /a, both holding {@code data}) and returns what /b must then hold. */
        byte[] apply(OpenFile b, byte[] data) throws JiomapException;
    }

    /**
     * /a holds 16 blocks, /b is its clone; {@code change} runs on /b, fdatasync, power cut. After recovery /b holds
     * what the change says, /a is untouched and fsck is clean. @return what /b holds
     */
    private static byte[] powerCutAfter(Change change) throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of());
            MemorySegment data = Devices.pattern(arena, 16 * BS, 9);
            PowerCutDevice view = new PowerCutDevice(dev);
            Mount m = Devices.mount(view);
            OpenFile a = m.open("/a", OpenFile.CREATE);
            a.pwrite(data, 0, 16 * BS, 0);
            OpenFile b = m.open("/b", OpenFile.CREATE);
            b.cloneFrom(a, 0, 0, 16 * BS);
            m.fileSystem().sync();
            byte[] want = change.apply(b, Devices.bytes(data));
            b.fsync(true);
            view.powerCut();
            m.close();
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).anyMatch(p -> p.startsWith("log needs replay"));
            try (Mount again = Devices.mount(dev)) {
                OpenFile b2 = again.open("/b", 0);
                assertThat(b2.size()).isEqualTo(want.length);
                assertThat(read(arena, b2, want.length)).isEqualTo(want);
                assertThat(read(arena, again.open("/a", 0), 16 * BS)).isEqualTo(Devices.bytes(data));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
            return want;
        }
    }

    /**
     * Shifts of a file with many extents on a small log take several transactions and log forces; a power cut
     * without fsync may land between them. Whatever prefix survives, recovery mounts and fsck is clean, and the
     * file reads as it was before the change or after it, or for a shift part-way, with no foreign data.
     */
    @Test
    void aPowerCutDuringManyExtentShiftsLeavesAFileFsckAccepts() throws Exception {
        try (BlockDevice dev = Devices.memory("size=64m,vwc=on,fua=on"); Arena arena = Arena.ofShared()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of("log-size", "64k"));
            PowerCutDevice view = new PowerCutDevice(dev);
            Mount m = Devices.mount(view);
            OpenFile f = m.open("/f", OpenFile.CREATE);
            byte[] before = writeEveryOtherBlock(arena, f, 300);
            f.fsync(true);
            f.fallocate(Inode.FALLOC_COLLAPSE_RANGE, BS, BS);
            f.fallocate(Inode.FALLOC_INSERT_RANGE, 0, 3 * BS);
            view.powerCut();
            m.close();
            try (Mount again = Devices.mount(dev)) {
                OpenFile f2 = again.open("/f", 0);
                long size = f2.size();
                assertThat(size).isIn((long) before.length, before.length - (long) BS, before.length + 2L * BS);
                byte[] got = read(arena, f2, size);
                // Every block read is one of the blocks written, or zeros: nothing foreign, nothing torn.
                for (int i = 0; i < size / BS; i++) {
                    byte[] block = Arrays.copyOfRange(got, i * BS, (i + 1) * BS);
                    assertThat(isZeroOrWritten(block, before)).as("block %d", i).isTrue();
                }
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    private static boolean isZeroOrWritten(byte[] block, byte[] written) {
        if (Arrays.equals(block, new byte[BS])) {
            return true;
        }
        for (int i = 0; i < written.length / BS; i++) {
            if (Arrays.equals(block, 0, BS, written, i * BS, (i + 1) * BS)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A collapse then an insert on a file of 200 extents, on a log small enough to be forced part-way: at every
     * barrier and with the cache lost at each, recovery mounts, fsck is clean and the file's written blocks appear in
     * their order, each once, the collapsed one present or gone: every prefix of the shifts is a consistent file.
     */
    @Test
    void everyCrashStateOfShiftsOfManyExtentsRecoversToTheBlocksInOrderWithFsckClean() throws Exception {
        int extents = 200;
        try (BlockDevice dev = Devices.memory("size=16m,vwc=on,fua=on"); Arena arena = Arena.ofShared()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of("log-size", "64k"));
            Map<ByteBuffer, Integer> ids = new HashMap<>();
            long size;
            try (Mount m = Devices.mount(dev)) {
                OpenFile f = m.open("/f", OpenFile.CREATE);
                byte[] written = writeEveryOtherBlock(arena, f, extents);
                for (int i = 0; i < extents; i++) {
                    ids.put(ByteBuffer.wrap(Arrays.copyOfRange(written, 2 * i * BS, (2 * i + 1) * BS)), i);
                }
                size = f.size();
            }
            Snapshot base = Snapshot.of(dev);
            RecordingDevice rec = new RecordingDevice(dev);
            try (Mount m = Devices.mount(rec)) {
                OpenFile f = m.open("/f", 0);
                f.fallocate(Inode.FALLOC_COLLAPSE_RANGE, 2 * BS, 2 * BS);
                f.fallocate(Inode.FALLOC_INSERT_RANGE, 0, 2 * BS);
                m.fileSystem().sync();
            }
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < extents; i++) {
                all.add(i);
            }
            List<Integer> withoutCollapsed = new ArrayList<>(all);
            withoutCollapsed.remove(Integer.valueOf(1));
            int checked = 0;
            for (Mode mode : List.of(Mode.PREFIX_AT_BARRIER, Mode.LOSE_CACHE)) {
                for (CrashState state : CrashStateGenerator.of(rec.recording(), base).states(mode)) {
                    try (BlockDevice crashed = state.open()) {
                        try (Mount m = Devices.mount(crashed)) {
                            OpenFile f = m.open("/f", 0);
                            assertThat(f.size()).as("%s", state).isIn(size, size - 2 * BS);
                            byte[] got = read(arena, f, f.size());
                            List<Integer> seen = new ArrayList<>();
                            for (int b = 0; b < got.length / BS; b++) {
                                byte[] block = Arrays.copyOfRange(got, b * BS, (b + 1) * BS);
                                if (!Arrays.equals(block, new byte[BS])) {
                                    Integer id = ids.get(ByteBuffer.wrap(block));
                                    assertThat(id).as("%s: block %d is one the file held", state, b).isNotNull();
                                    seen.add(id);
                                }
                            }
                            assertThat(seen).as("%s", state).isIn(all, withoutCollapsed);
                        }
                        assertThat(Devices.TYPE.fsck(crashed, Map.of()).problems()).as("%s", state).isEmpty();
                        checked++;
                    }
                }
            }
            assertThat(checked).as("crash states checked").isGreaterThan(2);
        }
    }
}
