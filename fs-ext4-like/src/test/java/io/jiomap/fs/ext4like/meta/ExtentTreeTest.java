package io.jiomap.fs.ext4like.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.ExtentNode;
import io.jiomap.fs.ext4like.disk.FormatException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The extent tree on an in-memory block store: splits, depth growth and shrink, limits, the on-disk form. */
class ExtentTreeTest {
    private static final int BS = 1024;
    private static final long INO = 12;

    /**
     * Blocks in a map; allocation hands out increasing numbers, frees are counted. The blocks written (what the
     * filesystem's store dirties in the journal), allocated and freed are recorded until {@link #clearLog}.
     */
    private static final class Store implements ExtentTree.Store {
        final Map<Long, byte[]> blocks = new HashMap<>();
        long next = 10_000;
        int freed;
        final Set<Long> written = new HashSet<>();
        final Set<Long> allocated = new HashSet<>();
        final Set<Long> freedBlocks = new HashSet<>();

        @Override
        public byte[] read(long block) {
            return blocks.get(block);
        }

        @Override
        public long allocate(long goal) {
            allocated.add(next);
            return next++;
        }

        @Override
        public void write(long block, byte[] data) {
            blocks.put(block, data.clone());
            written.add(block);
        }

        @Override
        public void free(long block) {
            blocks.remove(block);
            freed++;
            freedBlocks.add(block);
        }

        void clearLog() {
            written.clear();
            allocated.clear();
            freedBlocks.clear();
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

    /** After every step: the blocks decode to what memory holds, in order, and every extent is found by lookup. */
    private void assertConsistent(String when) throws Exception {
        List<Extent> all = tree.extents();
        assertThat(reloaded().extents()).as("decoded from the blocks, %s", when).isEqualTo(all);
        for (int i = 0; i < all.size(); i++) {
            Extent e = all.get(i);
            if (i > 0) {
                assertThat(all.get(i - 1).end()).as("in order, %s", when).isLessThanOrEqualTo(e.logical());
            }
            assertThat(tree.findFrom(e.logical())).as("lookup of %s, %s", e, when).isEqualTo(e);
        }
    }

    private static Extent moved(Extent e, long by) {
        return new Extent(e.logical() + by, e.length(), e.physical(), e.unwritten());
    }

    @Test
    void everyStepOfAShiftLeavesAConsistentTreeAndWritesOneLeafWithItsPath() throws Exception {
        List<Extent> want = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            Extent e = new Extent(3L * i, 2, 100_000 + 5L * i, i % 4 == 0);
            tree.replace(e.logical(), e.end(), List.of(e));
            want.add(e);
        }
        assertThat(tree.depth()).isEqualTo(2);
        // Down by 1000 from block 3000 on (a collapse of [2000, 3000) after its punch).
        tree.replace(2000, 3000, List.of());
        want.removeIf(e -> e.logical() >= 2000 && e.logical() < 3000);
        int steps = 0;
        for (long lo = 3000; lo >= 0; steps++) {
            store.clearLog();
            lo = tree.shiftStep(lo, Long.MAX_VALUE, -1000);
            assertThat(store.written.size()).as("a leaf and its index path").isLessThanOrEqualTo(tree.depth());
            assertThat(store.allocated).isEmpty();
            assertConsistent("down, step " + steps);
        }
        want.replaceAll(e -> e.logical() >= 3000 ? moved(e, -1000) : e);
        assertThat(tree.extents()).isEqualTo(want);
        assertThat(steps).as("one step per leaf").isGreaterThan(50);
        // Up by 700 from block 6000 on (an insert at a block boundary between extents).
        for (long hi = Long.MAX_VALUE; hi >= 0; ) {
            store.clearLog();
            hi = tree.shiftStep(6000, hi, 700);
            assertThat(store.written.size()).isLessThanOrEqualTo(tree.depth());
            assertConsistent("up");
        }
        want.replaceAll(e -> e.logical() >= 6000 ? moved(e, 700) : e);
        assertThat(tree.extents()).isEqualTo(want);
    }

    @Test
    void splitAtCutsTheStraddlingExtentWithoutMergingItBack() throws Exception {
        tree.replace(0, 100, List.of(new Extent(0, 100, 5000, false)));
        tree.splitAt(40);
        assertThat(tree.extents()).containsExactly(new Extent(0, 40, 5000, false), new Extent(40, 60, 5040, false));
        tree.splitAt(40);
        tree.splitAt(200);
        assertThat(tree.extents()).as("nothing straddles those").hasSize(2);
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

    /** The blocks from the root down to the leaf whose keys cover {@code lblk}, read from the encoded nodes. */
    private List<Long> pathTo(long lblk) throws FormatException {
        byte[] root = new byte[60];
        tree.encodeRoot(root);
        ExtentNode.Decoded node = ExtentNode.decode(root, 0, ExtentNode.ROOT_MAX, -1, "root");
        List<Long> path = new ArrayList<>();
        while (node.depth() > 0) {
            ExtentNode.Index pick = node.indexes().getFirst();
            for (ExtentNode.Index i : node.indexes()) {
                if (i.logical() <= lblk) {
                    pick = i;
                }
            }
            path.add(pick.child());
            node = ExtentNode.decode(store.blocks.get(pick.child()), 0, ExtentNode.blockMax(BS), INO, "node");
        }
        return path;
    }

    @Test
    void anEditRewritesOnlyTheLeavesItTouchesAndTheirPathToTheRoot() throws Exception {
        for (int i = 0; i < 20_000; i++) {
            tree.replace(2L * i, 2L * i + 1, List.of(new Extent(2L * i, 1, 100_000 + 3L * i, false)));
        }
        int nodes = tree.nodeBlocks().size();
        assertThat(tree.depth()).isEqualTo(3);
        assertThat(nodes).as("hundreds of nodes").isGreaterThan(300);

        // One block in the middle: its leaf and the index nodes above it, plus whatever a split adds.
        long mid = 2 * 9_001 + 1;
        List<Long> path = pathTo(mid);
        store.clearLog();
        tree.replace(mid, mid + 1, List.of(new Extent(mid, 1, 900_000, true)));
        assertThat(store.written).as("blocks rewritten (journaled by the filesystem)").isNotEmpty()
                .allSatisfy(b -> assertThat(path.contains(b) || store.allocated.contains(b)).as("block %d", b)
                        .isTrue());
        assertThat(store.written.size() - store.allocated.size()).isLessThanOrEqualTo(tree.depth());
        assertThat(store.freedBlocks).isEmpty();

        // A punch across leaf boundaries: the leaves it spans and their paths, none of the nodes outside.
        long from = 2 * 4_000;
        long to = 2 * 4_400;
        Set<Long> spanned = new HashSet<>();
        for (long b = from; b < to; b += 2) {
            spanned.addAll(pathTo(b));
        }
        assertThat(spanned.size()).as("the punch spans several leaves").isGreaterThan(tree.depth() + 1);
        store.clearLog();
        tree.replace(from, to, List.of());
        assertThat(store.written).isNotEmpty().isSubsetOf(spanned);
        assertThat(store.freedBlocks).isSubsetOf(spanned);
        assertThat(store.allocated).isEmpty();
        assertThat(store.written.size() + store.freedBlocks.size()).isLessThan(nodes / 10);
        assertThat(reloaded().extents()).isEqualTo(tree.extents());
    }

    @Test
    void anEditInsideALeafThatKeepsItsFirstExtentRewritesThatLeafAlone() throws Exception {
        for (int i = 0; i < 20_000; i++) {
            tree.replace(2L * i, 2L * i + 1, List.of(new Extent(2L * i, 1, 100_000 + 3L * i, false)));
        }
        assertThat(tree.depth()).isEqualTo(3);
        long mid = 2 * 9_001;
        List<Long> path = pathTo(mid);
        long leaf = path.getLast();
        assertThat(pathTo(mid - 2).getLast()).as("not the leaf's first extent").isEqualTo(leaf);

        // The unwritten-to-written conversion of end_io, on an extent that is not the first of its leaf.
        tree.replace(mid, mid + 1, List.of(new Extent(mid, 1, 100_000 + 3L * 9_001, true)));
        store.clearLog();
        tree.replace(mid, mid + 1, List.of(new Extent(mid, 1, 100_000 + 3L * 9_001, false)));

        assertThat(store.written).as("blocks rewritten (journaled by the filesystem)").containsExactly(leaf);
        assertThat(store.allocated).isEmpty();
        assertThat(store.freedBlocks).isEmpty();
        assertThat(reloaded().extents()).isEqualTo(tree.extents());
    }

    /**
     * Random edits in a tree of many small (1 KiB) nodes, checked block by block against a flat model: lookups at and
     * around every extent edge (leaf edges among them) and range queries, before and after a reload from the blocks.
     */
    @Test
    void lookupsAcrossLeafBoundariesAgreeWithAFlatModelUnderRandomEdits() throws Exception {
        int span = 150_000;
        long[] phys = new long[span];
        boolean[] unwritten = new boolean[span];
        BitSet mapped = new BitSet(span);
        Random rnd = new Random(11);
        ExtentTree t = tree;
        int maxDepth = 0;
        for (int step = 0; step < 60_000; step++) {
            int start = rnd.nextInt(span - 400);
            int kind = rnd.nextInt(20);
            int before = t.nodeBlocks().size();
            int delta;
            if (kind == 0) {
                int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 400 : 20);
                delta = t.replace(start, start + len, List.of());
                mapped.clear(start, start + len);
            } else if (kind == 1) {
                // end_io's conversion: the unwritten pieces of a range become written, merging with neighbours.
                int len = 1 + rnd.nextInt(30);
                List<Extent> conv = new ArrayList<>();
                for (Extent e : t.overlapping(start, start + len)) {
                    if (e.unwritten()) {
                        long s = Math.max(start, e.logical());
                        long n = Math.min(start + len, e.end()) - s;
                        conv.add(new Extent(s, (int) n, e.physicalAt(s), false));
                    }
                }
                delta = 0;
                for (Extent c : conv) {
                    delta += t.replace(c.logical(), c.end(), List.of(c));
                    for (long b = c.logical(); b < c.end(); b++) {
                        unwritten[(int) b] = false;
                    }
                }
            } else {
                int len = kind == 2 ? 1 + rnd.nextInt(50) : 1;
                long p = 1_000_000 + 3L * start + (rnd.nextBoolean() ? 0 : 500_000);
                boolean u = rnd.nextInt(3) == 0;
                delta = t.replace(start, start + len, List.of(new Extent(start, len, p, u)));
                for (int k = 0; k < len; k++) {
                    phys[start + k] = p + k;
                    unwritten[start + k] = u;
                }
                mapped.set(start, start + len);
            }
            assertThat(delta).as("node blocks gained").isEqualTo(t.nodeBlocks().size() - before);
            maxDepth = Math.max(maxDepth, t.depth());
            if (step % 6_000 == 5_999) {
                checkAgainstModel(t, span, phys, unwritten, mapped, rnd);
            }
            if (step == 30_000) {
                t = reloaded();
            }
        }
        assertThat(maxDepth).as("deep enough to have index nodes between the root and the leaves").isEqualTo(3);
        checkAgainstModel(t, span, phys, unwritten, mapped, rnd);
        byte[] root = new byte[60];
        t.encodeRoot(root);
        checkAgainstModel(ExtentTree.load(INO, root, BS, store), span, phys, unwritten, mapped, rnd);
    }

    private static void checkAgainstModel(ExtentTree t, int span, long[] phys, boolean[] unwritten, BitSet mapped,
            Random rnd) {
        List<Extent> all = t.extents();
        BitSet seen = new BitSet(span);
        long prevEnd = 0;
        for (Extent e : all) {
            assertThat(e.logical()).isGreaterThanOrEqualTo(prevEnd);
            prevEnd = e.end();
            for (long b = e.logical(); b < e.end(); b++) {
                assertThat(mapped.get((int) b)).as("block %d mapped", b).isTrue();
                assertThat(e.physicalAt(b)).as("block %d", b).isEqualTo(phys[(int) b]);
                assertThat(e.unwritten()).as("block %d unwritten", b).isEqualTo(unwritten[(int) b]);
                seen.set((int) b);
            }
        }
        assertThat(seen).isEqualTo(mapped);
        int lastMapped = mapped.previousSetBit(span - 1);
        checkLast(t.last(), lastMapped, phys);
        Set<Long> probes = new HashSet<>();
        for (Extent e : all) {
            probes.addAll(List.of(e.logical() - 1, e.logical(), e.logical() + 1, e.end() - 1, e.end()));
        }
        probes.add(0L);
        probes.add((long) span + 5);
        for (long q : probes) {
            if (q < 0) {
                continue;
            }
            Extent from = t.findFrom(q);
            int next = q < span ? mapped.nextSetBit((int) q) : -1;
            if (next < 0) {
                assertThat(from).as("findFrom(%d)", q).isNull();
            } else {
                assertThat(from).as("findFrom(%d)", q).isNotNull();
                assertThat(from.logical()).as("findFrom(%d)", q).isLessThanOrEqualTo(next);
                assertThat(from.end()).as("findFrom(%d)", q).isGreaterThan(next);
                assertThat(from.logical() <= q || from.logical() == next).as("findFrom(%d) starts at %d", q, next)
                        .isTrue();
            }
            Extent before = t.findBefore(q);
            int prev = q > 0 ? mapped.previousSetBit((int) Math.min(q, span) - 1) : -1;
            checkLast(before, prev, phys);
        }
        for (int i = 0; i < 300; i++) {
            long s = rnd.nextInt(span);
            long e = s + 1 + rnd.nextInt(i % 10 == 0 ? 5_000 : 100);
            BitSet got = new BitSet(span);
            long lastEnd = -1;
            for (Extent x : t.overlapping(s, e)) {
                assertThat(x.logical()).isLessThan(e);
                assertThat(x.end()).isGreaterThan(s);
                assertThat(x.logical()).isGreaterThanOrEqualTo(lastEnd);
                lastEnd = x.end();
                got.set((int) Math.max(s, x.logical()), (int) Math.min(e, x.end()));
            }
            BitSet want = mapped.get((int) s, (int) Math.min(e, span));
            assertThat(got.get((int) s, (int) Math.min(e, span))).as("[%d, %d)", s, e).isEqualTo(want);
        }
    }

    /** {@code e} is the extent holding block {@code b} (-1: e is null). */
    private static void checkLast(Extent e, int b, long[] phys) {
        if (b < 0) {
            assertThat(e).isNull();
            return;
        }
        assertThat(e).as("extent of block %d", b).isNotNull();
        assertThat(e.logical()).isLessThanOrEqualTo(b);
        assertThat(e.end()).isGreaterThan(b);
        assertThat(e.physicalAt(b)).isEqualTo(phys[b]);
    }
}
