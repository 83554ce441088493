package io.jiomap.fs.ext4like.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.ExtentNode;
import io.jiomap.fs.ext4like.disk.FormatException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The extent tree on an in-memory block store: splits, depth growth and shrink, limits, the on-disk form. */
class ExtentTreeTest {
    private static final int BS = 1024;
    private static final long INO = 12;

    /** Blocks in a map; allocation hands out increasing numbers, frees are counted. */
    private static final class Store implements ExtentTree.Store {
        final Map<Long, byte[]> blocks = new HashMap<>();
        long next = 10_000;
        int freed;

        @Override
        public byte[] read(long block) {
            return blocks.get(block);
        }

        @Override
        public long allocate(long goal) {
            return next++;
        }

        @Override
        public void write(long block, byte[] data) {
            blocks.put(block, data.clone());
        }

        @Override
        public void free(long block) {
            blocks.remove(block);
            freed++;
        }

        @Override
        public void rootChanged() {
        }
    }

    private final Store store = new Store();
    private final ExtentTree tree = ExtentTree.empty(INO, BS, store);

    private ExtentTree reloaded() throws FormatException {
        byte[] root = new byte[60];
        tree.encodeRoot(root);
        return ExtentTree.load(INO, root, BS, store);
    }

    @Test
    void manyExtentsSplitIntoIndexNodesAndTheTreeGrowsInDepth() throws Exception {
        List<Extent> want = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            Extent e = new Extent(2L * i, 1, 100_000 + 3L * i, i % 3 == 0);
            tree.replace(e.logical(), e.end(), List.of(e));
            want.add(e);
        }
        assertThat(tree.depth()).as("84 entries per 1 KiB node: 20000 extents need index levels").isEqualTo(3);
        assertThat(tree.extents()).isEqualTo(want);
        ExtentTree back = reloaded();
        assertThat(back.extents()).as("decoded from the blocks").isEqualTo(want);
        assertThat(back.nodeBlocks()).hasSameSizeAs(tree.nodeBlocks());
        assertThat(tree.findFrom(2 * 777 + 1)).isEqualTo(want.get(778));
        assertThat(tree.findBefore(2 * 500)).isEqualTo(want.get(499));
    }

    @Test
    void removingEverythingShrinksTheTreeBackIntoTheInodeAndFreesItsBlocks() throws Exception {
        for (int i = 0; i < 1000; i++) {
            tree.replace(2L * i, 2L * i + 1, List.of(new Extent(2L * i, 1, 50_000 + 2L * i, false)));
        }
        int nodes = tree.nodeBlocks().size();
        assertThat(tree.depth()).isGreaterThan(0);
        for (int i = 999; i >= 0; i -= 7) {
            tree.replace(Math.max(0, 2L * i - 12), 2L * i + 1, List.of());
        }
        tree.replace(0, 1L << 32, List.of());
        assertThat(tree.extents()).isEmpty();
        assertThat(tree.depth()).isZero();
        assertThat(tree.nodeBlocks()).isEmpty();
        assertThat(store.freed).as("every node block ever allocated was freed").isEqualTo((int) (store.next - 10_000));
        assertThat(nodes).isPositive();
        assertThat(reloaded().extents()).isEmpty();
    }

    @Test
    void contiguousBlocksMergeOnlyUpToTheLengthLimits() throws Exception {
        for (long b = 0; b < 70_000; b += 1000) {
            tree.replace(b, b + 1000, List.of(new Extent(b, 1000, 500_000 + b, true)));
        }
        List<Extent> all = tree.extents();
        assertThat(all).allSatisfy(e -> assertThat(e.length()).isLessThanOrEqualTo(Extent.MAX_UNWRITTEN));
        assertThat(all.stream().mapToLong(Extent::length).sum()).isEqualTo(70_000);
        assertThat(all).hasSize(3);
        for (long b = 0; b < 70_000; b += 1000) {
            tree.replace(b, b + 1000, List.of(new Extent(b, 1000, 500_000 + b, false)));
        }
        assertThat(tree.extents()).allSatisfy(e -> assertThat(e.length()).isLessThanOrEqualTo(Extent.MAX_INIT))
                .hasSize(3).extracting(Extent::unwritten).containsOnly(false);
        assertThat(tree.extents().stream().mapToLong(Extent::length).sum()).isEqualTo(70_000);
        assertThat(reloaded().extents()).isEqualTo(tree.extents());
    }

    @Test
    void unwrittenLengthIsEncodedInTheLengthAsExt4Does() throws Exception {
        byte[] b = new byte[60];
        Extent longest = new Extent(5, Extent.MAX_UNWRITTEN, 1L << 40, true);
        Extent init = new Extent(40_000, Extent.MAX_INIT, 77, false);
        ExtentNode.encodeLeaf(b, 0, ExtentNode.ROOT_MAX, List.of(longest, init));
        assertThat(io.jiomap.fs.ext4like.disk.Bytes.u16(b, 12 + 4)).isEqualTo(65535);
        assertThat(io.jiomap.fs.ext4like.disk.Bytes.u16(b, 24 + 4)).isEqualTo(32768);
        assertThat(ExtentNode.decode(b, 0, ExtentNode.ROOT_MAX, -1, "root").extents())
                .containsExactly(longest, init);
    }

    @Test
    void randomEditsKeepTheTreeEqualToAFlatModelWithKeysCoveringChildren() throws Exception {
        Random rnd = new Random(3);
        long[] model = new long[4000];
        for (int step = 0; step < 3000; step++) {
            long start = rnd.nextInt(3900);
            int len = 1 + rnd.nextInt(60);
            if (rnd.nextInt(3) == 0) {
                tree.replace(start, start + len, List.of());
                for (int k = 0; k < len; k++) {
                    model[(int) start + k] = 0;
                }
            } else {
                long phys = 1_000_000 + rnd.nextInt(1_000_000);
                tree.replace(start, start + len, List.of(new Extent(start, len, phys, false)));
                for (int k = 0; k < len; k++) {
                    model[(int) start + k] = phys + k;
                }
            }
        }
        long[] seen = new long[4000];
        long prevEnd = 0;
        for (Extent e : reloaded().extents()) {
            assertThat(e.logical()).isGreaterThanOrEqualTo(prevEnd);
            prevEnd = e.end();
            for (long b = e.logical(); b < e.end(); b++) {
                seen[(int) b] = e.physicalAt(b);
            }
        }
        assertThat(seen).isEqualTo(model);
    }

    @Test
    void aRangeQueryFindsExactlyTheExtentsThatAWalkOfTheWholeTreeWouldFind() throws Exception {
        Random rnd = new Random(5);
        // Single blocks at random offsets, then punches: many leaves, some left empty, a tree of depth 2 or more.
        for (int step = 0; step < 6000; step++) {
            long at = rnd.nextInt(200_000);
            if (rnd.nextInt(4) == 0) {
                tree.replace(at, at + 1 + rnd.nextInt(400), List.of());
            } else {
                tree.replace(at, at + 1, List.of(new Extent(at, 1, 5_000_000 + at, rnd.nextBoolean())));
            }
        }
        assertThat(tree.depth()).isGreaterThanOrEqualTo(1);
        List<Extent> all = tree.extents();
        for (int q = 0; q < 2000; q++) {
            long start = rnd.nextInt(201_000);
            long end = start + 1 + rnd.nextInt(q % 10 == 0 ? 50_000 : 64);
            List<Extent> expected = all.stream().filter(e -> e.logical() < end && e.end() > start).toList();
            assertThat(tree.overlapping(start, end)).as("[%d, %d)", start, end).isEqualTo(expected);
        }
    }
}
