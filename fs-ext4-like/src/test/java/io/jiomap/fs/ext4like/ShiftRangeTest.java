package io.jiomap.fs.ext4like;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import io.jiomap.device.memory.MemoryDeviceProvider;
import io.jiomap.device.toolkit.fault.PowerCutDevice;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import io.jiomap.tck.observe.TappedDevice;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** fallocate's COLLAPSE_RANGE and INSERT_RANGE (ext4_collapse_range, ext4_insert_range) and UNSHARE_RANGE. */
class ShiftRangeTest {
    private static final int COLLAPSE = Inode.FALLOC_COLLAPSE_RANGE;
    private static final int INSERT = Inode.FALLOC_INSERT_RANGE;
    private static final int K = 1024;
    private static final Duration BOUND = Duration.ofSeconds(10);

    private static void refused(OpenFile f, int mode, long offset, long length, int errno) {
        assertThatThrownBy(() -> f.fallocate(mode, offset, length))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).as("%s", e.getMessage())
                        .isEqualTo(errno));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void collapseMovesTheDataAfterTheRangeDownAndShrinksTheSize() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=32m", Map.of())) {
            OpenFile f = env.open("/f");
            env.write(f, 0, 64 * K, 1);
            byte[] before = env.read(f, 0, 64 * K);
            f.fallocate(COLLAPSE, 16 * K, 16 * K);
            assertThat(f.size()).isEqualTo(48 * K);
            byte[] expected = concat(Arrays.copyOfRange(before, 0, 16 * K), Arrays.copyOfRange(before, 32 * K, 64 * K));
            assertThat(env.read(f, 0, 64 * K)).isEqualTo(expected);
            assertThat(f.stat().allocatedBytes()).as("the collapsed blocks are freed").isEqualTo(48L * K);
            env.remount();
            assertThat(env.read(env.open("/f"), 0, 64 * K)).isEqualTo(expected);
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        }
    }

    @Test
    void insertLeavesZerosAndMovesTheDataUp() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=32m", Map.of())) {
            OpenFile f = env.open("/f");
            env.write(f, 0, 64 * K, 2);
            byte[] before = env.read(f, 0, 64 * K);
            // One extent straddles the offset: it is split, its tail moved up.
            f.fallocate(INSERT, 16 * K, 8 * K);
            assertThat(f.size()).isEqualTo(72 * K);
            byte[] expected = concat(Arrays.copyOfRange(before, 0, 16 * K), new byte[8 * K],
                    Arrays.copyOfRange(before, 16 * K, 64 * K));
            assertThat(env.read(f, 0, 72 * K)).isEqualTo(expected);
            assertThat(f.fiemap(0, 1 << 20)).as("the inserted range is a hole").hasSize(2)
                    .allSatisfy(e -> assertThat(e.logical() + e.length() <= 16 * K || e.logical() >= 24 * K).isTrue());
            env.remount();
            assertThat(env.read(env.open("/f"), 0, 72 * K)).isEqualTo(expected);
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        }
    }

    @Test
    void unshareRangeIsEopnotsuppAsOnExt4WhichSharesNoBlocks() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=32m", Map.of())) {
            OpenFile f = env.open("/f");
            env.write(f, 0, 16 * K, 3);
            byte[] before = env.read(f, 0, 16 * K);
            refused(f, Inode.FALLOC_UNSHARE_RANGE, 0, 16 * K, Errno.EOPNOTSUPP);
            refused(f, Inode.FALLOC_UNSHARE_RANGE | Inode.FALLOC_KEEP_SIZE, 0, 16 * K, Errno.EOPNOTSUPP);
            assertThat(f.size()).isEqualTo(16 * K);
            assertThat(env.read(f, 0, 16 * K)).isEqualTo(before);
        }
    }

    @Test
    void aMisalignedCollapseOrInsertIsEinvalAndChangesNothing() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=32m", Map.of())) {
            OpenFile f = env.open("/f");
            env.write(f, 0, 64 * K, 4);
            byte[] before = env.read(f, 0, 64 * K);
            int bs = env.mount.fileSystem().blockSize();
            for (int mode : new int[] {COLLAPSE, INSERT}) {
                refused(f, mode, 100, bs, Errno.EINVAL);
                refused(f, mode, bs, 1000, Errno.EINVAL);
                refused(f, mode, bs + 512, 2L * bs, Errno.EINVAL);
            }
            assertThat(f.size()).isEqualTo(64 * K);
            assertThat(env.read(f, 0, 64 * K)).isEqualTo(before);
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        }
    }

    @Test
    void aCollapseReachingTheEndOfTheFileIsEinval() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=32m", Map.of())) {
            OpenFile f = env.open("/f");
            env.write(f, 0, 64 * K, 5);
            byte[] before = env.read(f, 0, 64 * K);
            refused(f, COLLAPSE, 48 * K, 16 * K, Errno.EINVAL);
            refused(f, COLLAPSE, 48 * K, 32 * K, Errno.EINVAL);
            refused(f, COLLAPSE, 0, 64 * K, Errno.EINVAL);
            assertThat(f.size()).isEqualTo(64 * K);
            assertThat(env.read(f, 0, 64 * K)).isEqualTo(before);
        }
    }

    @Test
    void anInsertAtOrPastTheEndOfTheFileIsEinval() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=32m", Map.of())) {
            OpenFile f = env.open("/f");
            env.write(f, 0, 64 * K, 6);
            refused(f, INSERT, 64 * K, 4 * K, Errno.EINVAL);
            refused(f, INSERT, 128 * K, 4 * K, Errno.EINVAL);
            assertThat(f.size()).isEqualTo(64 * K);
        }
    }

    @Test
    void anInsertGrowingTheFilePastTheMaximumSizeIsEfbig() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=32m", Map.of())) {
            OpenFile f = env.open("/f");
            env.write(f, 0, 64 * K, 7);
            long bs = env.mount.fileSystem().blockSize();
            refused(f, INSERT, 0, 0xFFFF_FFF0L * bs, Errno.EFBIG);
            assertThat(f.size()).isEqualTo(64 * K);
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        }
    }

    @Test
    void aCollapseWaitsForTheDirectIoInFlightAndMovesItsData() throws Exception {
        BlockDevice device = device();
        TappedDevice tap = new TappedDevice(device);
        try (Ext4Env env = Ext4Env.on(tap, Map.of()); IoRing ring = IoRing.create(8, CompletionMode.WORKQUEUE)) {
            OpenFile f = env.open("/f");
            env.write(f, 0, 64 * K, 8);
            byte[] before = env.read(f, 0, 64 * K);
            MemorySegment data = env.pattern(4 * K, 9);
            CompletableFuture<Void> collapse;
            try {
                // A ring write: submitted, the inode lock released, the data still in flight (only the drain waits).
                ring.prepWrite(f, data, 0, 4 * K, 40 * K, 0, 1);
                tap.holdNext(1);
                ring.submit();
                await().atMost(BOUND).until(() -> tap.heldCount() == 1);
                collapse = CompletableFuture.runAsync(() -> {
                    try {
                        f.fallocate(COLLAPSE, 16 * K, 16 * K);
                    } catch (JiomapException e) {
                        throw new IllegalStateException(e);
                    }
                });
                await().during(Duration.ofMillis(300)).atMost(BOUND).until(() -> !collapse.isDone());
                assertThat(f.size()).as("nothing shifted while the write is in flight").isEqualTo(64 * K);
            } finally {
                tap.releaseAll();
            }
            collapse.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            long[] result = new long[1];
            await().atMost(BOUND).pollInSameThread().until(() -> ring.poll() >= 1);
            ring.reap((userData, res) -> result[0] = res);
            assertThat(result[0]).isEqualTo(4 * K);
            byte[] expected = concat(Arrays.copyOfRange(before, 0, 16 * K), Arrays.copyOfRange(before, 32 * K, 40 * K),
                    Ext4Env.bytes(data), Arrays.copyOfRange(before, 44 * K, 64 * K));
            assertThat(env.read(f, 0, 48 * K)).isEqualTo(expected);
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        } finally {
            tap.close();
            device.close();
        }
    }

    // ------------------------------------------------------------------ many extents, power cuts

    /** 1 KiB blocks and the smallest journal: leaves of 84 extents, and a shift that spans several commits. */
    private static final Map<String, String> SMALL = Map.of("block-size", "1024", "journal-size", "128");

    /**
     * A file of {@code extents} one-block extents at every other block (a hole between each two, so none merge);
     * block {@code 2i} holds {@code i + 1} in every long.
     */
    private static void writeSparse(Ext4Env env, OpenFile f, int extents) throws JiomapException {
        MemorySegment b = env.arena.allocate(K, 4096);
        for (int i = 0; i < extents; i++) {
            for (int j = 0; j < K / 8; j++) {
                b.setAtIndex(ValueLayout.JAVA_LONG, j, i + 1);
            }
            assertThat(f.pwrite(b, 0, K, 2L * i * K)).isEqualTo(K);
        }
    }

    /** What each block of the file holds: its tag (0 for zeros); fails on a block that is no tagged block. */
    private static long[] tags(Ext4Env env, OpenFile f) throws JiomapException {
        int blocks = (int) (f.size() / K);
        MemorySegment all = env.arena.allocate((long) blocks * K, 4096);
        assertThat(f.pread(all, 0, (long) blocks * K, 0)).isEqualTo((long) blocks * K);
        long[] out = new long[blocks];
        for (int i = 0; i < blocks; i++) {
            long tag = all.getAtIndex(ValueLayout.JAVA_LONG, (long) i * K / 8);
            for (int j = 0; j < K / 8; j++) {
                assertThat(all.getAtIndex(ValueLayout.JAVA_LONG, (long) i * K / 8 + j)).as("block %d", i)
                        .isEqualTo(tag);
            }
            out[i] = tag;
        }
        return out;
    }

    /** The tags of a file of {@code extents} sparse blocks, as {@link #writeSparse} lays them out. */
    private static long[] sparse(int extents) {
        long[] out = new long[2 * extents - 1];
        for (int i = 0; i < extents; i++) {
            out[2 * i] = i + 1;
        }
        return out;
    }

    private static long[] collapsed(long[] tags, int first, int count) {
        long[] out = new long[tags.length - count];
        System.arraycopy(tags, 0, out, 0, first);
        System.arraycopy(tags, first + count, out, first, tags.length - first - count);
        return out;
    }

    private static long[] inserted(long[] tags, int first, int count) {
        long[] out = new long[tags.length + count];
        System.arraycopy(tags, 0, out, 0, first);
        System.arraycopy(tags, first, out, first + count, tags.length - first);
        return out;
    }

    private static List<Long> nonZero(long[] tags) {
        List<Long> out = new ArrayList<>();
        for (long t : tags) {
            if (t != 0) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void aFileWithIndexNodesIsShiftedCorrectlyBothWays() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=32m", SMALL)) {
            OpenFile f = env.open("/f");
            int extents = 1000;
            writeSparse(env, f, extents);
            assertThat(((Ext4Inode) f.inode()).treeDepth()).as("index nodes under an index root")
                    .isGreaterThanOrEqualTo(2);
            long[] expected = sparse(extents);
            // Collapse from the middle of the first leaf on: every later leaf and index key moves.
            f.fallocate(COLLAPSE, 51L * K, 100L * K);
            expected = collapsed(expected, 51, 100);
            assertThat(tags(env, f)).isEqualTo(expected);
            // Insert at a written block: it moves up with everything after it.
            f.fallocate(INSERT, 300L * K, 37L * K);
            expected = inserted(expected, 300, 37);
            assertThat(tags(env, f)).isEqualTo(expected);
            // Insert in a hole, near the start.
            f.fallocate(INSERT, 3L * K, 2L * K);
            expected = inserted(expected, 3, 2);
            assertThat(f.size()).isEqualTo((long) expected.length * K);
            assertThat(tags(env, f)).isEqualTo(expected);
            env.remount();
            assertThat(tags(env, env.open("/f"))).isEqualTo(expected);
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        }
    }

    private static BlockDevice device() throws JiomapException {
        return new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=32m,vwc=on,fua=on"));
    }

    private static void crash(Mount mount, PowerCutDevice view) {
        view.powerCut();
        try {
            mount.close();
        } catch (Exception expected) {
            // The abandoned mount cannot write anything any more: that is the point.
        }
    }

    /** Shifts a file of index nodes, fsyncs, cuts the power: the replayed file is the shifted one, fsck clean. */
    private static void survivesAPowerCutAfterFsync(int mode, long offset, long length, long[] expected)
            throws Exception {
        BlockDevice device = device();
        PowerCutDevice view = new PowerCutDevice(device);
        try (Ext4Env env = Ext4Env.on(view, SMALL)) {
            OpenFile f = env.open("/f");
            writeSparse(env, f, 600);
            env.mount.fileSystem().sync();
            f.fallocate(mode, offset, length);
            f.fsync(false);
            crash(env.mount, view);

            env.mount = Mount.mount(Ext4Env.TYPE, device, Mount.Options.defaults());
            OpenFile g = env.mount.open("/f", 0);
            assertThat(g.size()).isEqualTo((long) expected.length * K);
            assertThat(tags(env, g)).isEqualTo(expected);
            env.unmount();
            assertThat(Ext4Env.TYPE.fsck(device, Map.of()).problems()).isEmpty();
        } finally {
            device.close();
        }
    }

    @Test
    void aCollapseSurvivesAPowerCutAfterFsyncThroughJournalReplay() throws Exception {
        survivesAPowerCutAfterFsync(COLLAPSE, 200L * K, 301L * K, collapsed(sparse(600), 200, 301));
    }

    @Test
    void anInsertSurvivesAPowerCutAfterFsyncThroughJournalReplay() throws Exception {
        survivesAPowerCutAfterFsync(INSERT, 201L * K, 64L * K, inserted(sparse(600), 201, 64));
    }

    /**
     * A shift over thousands of extents spans several journal commits; the power goes before the last. In the
     * replayed state, fsck is clean and every surviving block is there exactly once, in its order: blocks
     * moved or not yet moved, none lost, none mapped twice.
     */
    private static void aCutMidShiftLeavesEveryBlockOnceInOrder(int mode, long offset, long length) throws Exception {
        BlockDevice device = device();
        PowerCutDevice view = new PowerCutDevice(device);
        try (Ext4Env env = Ext4Env.on(view, SMALL)) {
            OpenFile f = env.open("/f");
            int extents = 6000;
            writeSparse(env, f, extents);
            env.mount.fileSystem().sync();
            var journal = ((io.jiomap.fs.ext4like.mount.Ext4FileSystem) env.mount.fileSystem()).volume().journal();
            long tidBefore = journal.committedTid();
            f.fallocate(mode, offset, length);
            assertThat(journal.committedTid()).as("the shift spanned commits").isGreaterThan(tidBefore + 1);
            crash(env.mount, view);

            env.mount = Mount.mount(Ext4Env.TYPE, device, Mount.Options.defaults());
            OpenFile g = env.mount.open("/f", 0);
            long[] layout = tags(env, g);
            List<Long> survivors = nonZero(layout);
            long[] done = mode == COLLAPSE ? collapsed(sparse(extents), (int) (offset / K), (int) (length / K))
                    : inserted(sparse(extents), (int) (offset / K), (int) (length / K));
            // Commits come only from a full journal (no timer): the replayed state is one from inside the shift.
            assertThat(layout).as("a state from the middle of the shift").isNotEqualTo(sparse(extents))
                    .isNotEqualTo(done);
            assertThat(g.size()).as("the size changes where the kernel's ext4 changes it").isEqualTo(
                    mode == COLLAPSE ? sparse(extents).length * (long) K : (long) done.length * K);
            List<Long> all = new ArrayList<>();
            List<Long> notCollapsed = new ArrayList<>();
            for (long i = 1; i <= extents; i++) {
                all.add(i);
                long block = 2 * (i - 1);
                if (mode != COLLAPSE || block < offset / K || block >= (offset + length) / K) {
                    notCollapsed.add(i);
                }
            }
            assertThat(survivors).satisfiesAnyOf(s -> assertThat(s).isEqualTo(all),
                    s -> assertThat(s).isEqualTo(notCollapsed));
            env.unmount();
            assertThat(Ext4Env.TYPE.fsck(device, Map.of()).problems()).isEmpty();
        } finally {
            device.close();
        }
    }

    @Test
    void aPowerCutInTheMiddleOfALongCollapseLeavesAConsistentFile() throws Exception {
        aCutMidShiftLeavesEveryBlockOnceInOrder(COLLAPSE, 10L * K, 20L * K);
    }

    @Test
    void aPowerCutInTheMiddleOfALongInsertLeavesAConsistentFile() throws Exception {
        aCutMidShiftLeavesEveryBlockOnceInOrder(INSERT, 10L * K, 20L * K);
    }
}
