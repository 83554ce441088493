package io.jiomap.fs.xfslike.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.fs.xfslike.format.Geometry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExtentMapTest {
    /** Block by block what a map must answer: file block to (device block, unwritten), or absent. */
    private static final class Model {
        final long[] block;
        final boolean[] unwritten;

        Model(int blocks) {
            block = new long[blocks];
            unwritten = new boolean[blocks];
            java.util.Arrays.fill(block, -1);
        }

        void map(Extent e) {
            for (long b = 0; b < e.blockcount(); b++) {
                block[(int) (e.startoff() + b)] = e.startblock() + b;
                unwritten[(int) (e.startoff() + b)] = e.unwritten();
            }
        }

        void unmap(long off, long len) {
            for (long b = off; b < Math.min(block.length, off + len); b++) {
                block[(int) b] = -1;
            }
        }
    }

    private static void assertSame(ExtentMap map, Model model) {
        long blocks = 0;
        for (int b = 0; b < model.block.length; b++) {
            Extent e = map.find(b);
            long at = map.locate(b);
            if (model.block[b] < 0) {
                assertThat(e).as("block %d", b).isNull();
                assertThat(at).isNegative();
            } else {
                blocks++;
                assertThat(e).as("block %d", b).isNotNull();
                assertThat(e.blockOf(b)).as("block %d", b).isEqualTo(model.block[b]);
                assertThat(e.unwritten()).isEqualTo(model.unwritten[b]);
                assertThat(map.extentAt(at)).isEqualTo(e);
                assertThat(map.startblock(at) + b - map.startoff(at)).isEqualTo(model.block[b]);
                assertThat(map.unwritten(at)).isEqualTo(model.unwritten[b]);
            }
        }
        assertThat(map.blocks()).isEqualTo(blocks);
        List<Extent> all = map.all();
        assertThat(all).hasSize(map.size());
        for (int i = 1; i < all.size(); i++) {
            Extent p = all.get(i - 1);
            Extent e = all.get(i);
            assertThat(p.end()).isLessThanOrEqualTo(e.startoff());
            // Merged wherever records continue each other.
            assertThat(p.end() == e.startoff() && p.startblock() + p.blockcount() == e.startblock()
                    && p.unwritten() == e.unwritten()).isFalse();
        }
        assertThat(map.last()).isEqualTo(all.isEmpty() ? null : all.getLast());
    }

    @Test
    void randomInsertsAndRemovesAnswerLikeABlockByBlockModelAcrossManyLeaves() {
        int blocks = 20_000;
        ExtentMap map = new ExtentMap();
        Model model = new Model(blocks);
        Random r = new Random(7);
        for (int step = 0; step < 6000; step++) {
            long off = r.nextInt(blocks);
            long len = 1 + r.nextInt(step % 10 == 0 ? 300 : 4);
            if (r.nextInt(3) == 0) {
                List<Extent> removed = map.remove(off, len);
                long removedBlocks = removed.stream().mapToLong(Extent::blockcount).sum();
                long expected = 0;
                for (long b = off; b < Math.min(blocks, off + len); b++) {
                    expected += model.block[(int) b] >= 0 ? 1 : 0;
                }
                assertThat(removedBlocks).isEqualTo(expected);
                model.unmap(off, len);
            } else {
                len = Math.min(len, blocks - off);
                map.remove(off, len);
                model.unmap(off, len);
                // Physically continuing the left neighbour half of the time, so merges happen.
                Extent before = map.lastBefore(off);
                long phys = before != null && r.nextBoolean() ? before.startblock() + before.blockcount()
                        + (off - before.end()) : 1_000_000 + r.nextInt(1_000_000);
                Extent e = new Extent(off, phys, len, r.nextInt(4) == 0);
                map.insert(e);
                model.map(e);
            }
        }
        assertThat(map.size()).isGreaterThan(3 * ExtentMap.LEAF);
        assertSame(map, model);
    }

    @Test
    void recordsAddedInEitherOrderFillTheirLeavesAndStayInOrder() {
        ExtentMap up = new ExtentMap();
        ExtentMap down = new ExtentMap();
        int n = 5 * ExtentMap.LEAF + 3;
        for (int i = 0; i < n; i++) {
            up.load(new Extent(2L * i, 10L * i, 1, false));
            down.insert(new Extent(2L * (n - 1 - i), 10L * (n - 1 - i), 1, false));
        }
        assertThat(up.all()).isEqualTo(down.all());
        assertThat(up.size()).isEqualTo(n);
        assertThat(up.find(2L * 100)).isEqualTo(new Extent(200, 1000, 1, false));
        assertThat(up.find(2L * 100 + 1)).isNull();
        assertThat(up.nextFrom(201)).isEqualTo(new Extent(202, 1010, 1, false));
        assertThat(up.lastBefore(201)).isEqualTo(new Extent(200, 1000, 1, false));
        assertThat(up.lastBefore(0)).isNull();
        assertThat(up.nextFrom(2L * n)).isNull();
    }

    @Test
    void lookupsStayRightAcrossManyBlocksOfLeavesWhileLeavesAreAddedAndRemoved() {
        // More leaves than several summary blocks hold, so the summary, the counted run of first offsets and the
        // unused slots of partly filled leaves are all on the lookup path.
        int n = 3 * ExtentMap.BLOCK * ExtentMap.LEAF + 5;
        int blocks = 2 * n;
        ExtentMap map = new ExtentMap();
        Model model = new Model(blocks);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new Random(3));
        for (int i : order) {
            Extent e = new Extent(2L * i, 7L * i + 3, 1, i % 3 == 0);
            map.insert(e);
            model.map(e);
        }
        assertSame(map, model);

        // A middle range spanning more than a summary block of leaves goes, then the first records.
        long from = 2L * ExtentMap.BLOCK * ExtentMap.LEAF / 2 + 1;
        long len = 2L * ExtentMap.BLOCK * ExtentMap.LEAF + 7;
        map.remove(from, len);
        model.unmap(from, len);
        map.remove(0, 2L * ExtentMap.LEAF + 3);
        model.unmap(0, 2L * ExtentMap.LEAF + 3);
        assertSame(map, model);

        // And records come back into the emptied range, in descending order (each one a new first record).
        for (long off = from + len - 1; off >= from; off -= 2) {
            Extent e = new Extent(off, 1_000_000 + off * 3, 1, false);
            map.insert(e);
            model.map(e);
        }
        assertSame(map, model);
    }

    @Test
    void removingEverythingLeavesAnEmptyMapThatStillWorks() {
        ExtentMap map = new ExtentMap();
        for (int i = 0; i < 3 * ExtentMap.LEAF; i++) {
            map.insert(new Extent(2L * i, 5L * i, 1, i % 2 == 0));
        }
        List<Extent> gone = map.remove(0, Long.MAX_VALUE / 2);

        assertThat(gone).hasSize(3 * ExtentMap.LEAF);
        assertThat(map.isEmpty()).isTrue();
        assertThat(map.last()).isNull();
        assertThat(map.overlapping(0, 100)).isEmpty();
        map.insert(new Extent(4, 9, 2, false));
        assertThat(map.all()).containsExactly(new Extent(4, 9, 2, false));
    }

    @Test
    void aLongMergeSplitsAtTheRecordLengthLimit() {
        ExtentMap map = new ExtentMap();
        long max = Geometry.MAX_EXTENT_BLOCKS;
        map.insert(new Extent(0, 100, max - 10, false));
        map.insert(new Extent(max - 10, 100 + max - 10, 20, false));

        assertThat(map.all()).containsExactly(new Extent(0, 100, max - 10, false),
                new Extent(max - 10, 100 + max - 10, 20, false));
        assertThat(map.blocks()).isEqualTo(max + 10);
    }

    @Test
    void aRecordOutsideTheBmbtPackingIsRefusedNotCut() {
        ExtentMap map = new ExtentMap();

        assertThatThrownBy(() -> map.insert(new Extent((1L << 54) - 1, 1, 1, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit a bmbt record");
        assertThatThrownBy(() -> map.load(new Extent(0, 1L << 52, 1, false)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(map.isEmpty()).isTrue();
    }

    @Test
    void overlappingInsertIsRefused() {
        ExtentMap map = new ExtentMap();
        map.insert(new Extent(10, 100, 5, false));

        assertThatThrownBy(() -> map.insert(new Extent(14, 300, 1, false)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> map.insert(new Extent(5, 300, 6, false)))
                .isInstanceOf(IllegalStateException.class);
        List<Extent> clipped = new ArrayList<>(map.overlapping(12, 100));
        assertThat(clipped).containsExactly(new Extent(12, 102, 3, false));
    }
}
