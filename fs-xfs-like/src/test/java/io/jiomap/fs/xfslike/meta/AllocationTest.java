package io.jiomap.fs.xfslike.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.fs.xfslike.format.Geometry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The free-space indexes, the allocator and extent maps. */
class AllocationTest {
    private static final Geometry G = new Geometry(4096, 16384, 4, 4096, 1, 256, 257, 769, 512);

    private static TreeMap<Long, Long> bySize(FreeSpace f) {
        TreeMap<Long, Long> out = new TreeMap<>();
        f.forEachBySize((len, start) -> {
            out.put(start, len);
            return 0;
        });
        return out;
    }

    @Test
    void byBlockAndBySizeIndexesStayEqualThroughRandomTakesAndGives() {
        FreeSpace f = new FreeSpace(0);
        f.load(10, 10_000);
        Random r = new Random(1);
        List<long[]> taken = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            if (taken.isEmpty() || r.nextBoolean()) {
                long s = 10 + r.nextInt(9_990);
                long l = 1 + r.nextInt(8);
                if (f.isFree(s, l)) {
                    f.take(s, l);
                    taken.add(new long[] {s, l});
                }
            } else {
                long[] t = taken.remove(r.nextInt(taken.size()));
                f.give(t[0], t[1]);
            }
            assertThat(bySize(f)).isEqualTo(new TreeMap<>(f.byBlock()));
        }
        for (long[] t : taken) {
            f.give(t[0], t[1]);
        }
        assertThat(f.byBlock()).as("everything merged back").containsExactly(java.util.Map.entry(10L, 10_000L));
        assertThatThrownBy(() -> f.give(20, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void allocatorFindsExactlyTheFreeBlocksAndNoMore() {
        Metadata m = Metadata.empty(G);
        Allocator a = new Allocator(m);
        long free = m.freeBlocks();
        List<Allocator.Piece> all = a.plan(0, -1, free);
        assertThat(all.stream().mapToLong(Allocator.Piece::length).sum()).isEqualTo(free);
        for (Allocator.Piece p : all) {
            m.takeFree(p.start(), p.length());
        }
        assertThat(m.freeBlocks()).isZero();
        assertThat(a.plan(0, -1, 1)).as("one block more than there is").isNull();
    }

    @Test
    void allocatorContinuesAtTheGoalAndAvoidsBusyBlocks() {
        Metadata m = Metadata.empty(G);
        Allocator a = new Allocator(m);
        long start = G.agDataStart(1);
        assertThat(a.plan(1, start + 100, 10)).containsExactly(new Allocator.Piece(start + 100, 10));
        a.markBusy(start + 100, 10);
        assertThat(a.plan(1, start + 100, 10))
                .noneMatch(p -> p.start() < start + 110 && p.start() + p.length() > start + 100);
        m.takeFree(G.agDataStart(0), G.agEnd(0) - G.agDataStart(0));
        for (int ag = 1; ag < 4; ag++) {
            m.takeFree(G.agDataStart(ag), G.agEnd(ag) - G.agDataStart(ag));
        }
        m.giveFree(start + 100, 10);
        assertThat(a.plan(1, -1, 5)).as("only busy blocks are free: a log force is needed first").isNull();
        a.clearBusy();
        assertThat(a.plan(1, -1, 5)).isNotNull();
    }

    @Test
    void extentMapSplitsAndMergesAndStaysSortedWithManyExtents() {
        ExtentMap map = new ExtentMap();
        map.insert(new Extent(0, 1000, 10, false));
        map.insert(new Extent(10, 1010, 5, false));
        assertThat(map.all()).as("contiguous: merged").containsExactly(new Extent(0, 1000, 15, false));
        assertThat(map.remove(4, 3)).containsExactly(new Extent(4, 1004, 3, false));
        assertThat(map.all()).containsExactly(new Extent(0, 1000, 4, false), new Extent(7, 1007, 8, false));
        map.insert(new Extent(4, 1004, 3, true));
        assertThat(map.size()).as("different state: not merged").isEqualTo(3);
        map.remove(4, 3);
        map.insert(new Extent(4, 1004, 3, false));
        assertThat(map.all()).containsExactly(new Extent(0, 1000, 15, false));

        ExtentMap many = new ExtentMap();
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            many.insert(new Extent(2L * i, 10L * i, 1, false));
        }
        assertThat(many.size()).isEqualTo(n);
        assertThat(many.find(2L * 123_456)).isEqualTo(new Extent(2L * 123_456, 10L * 123_456, 1, false));
        assertThat(many.find(2L * 123_456 + 1)).as("a hole between extents").isNull();
        assertThat(many.overlapping(1000, 10)).hasSize(5);
    }

    @Test
    void extentsLongerThanTheRecordLimitAreSplit() {
        ExtentMap map = new ExtentMap();
        map.insert(new Extent(0, 0, Geometry.MAX_EXTENT_BLOCKS + 10, true));
        assertThat(map.all()).containsExactly(new Extent(0, 0, Geometry.MAX_EXTENT_BLOCKS, true),
                new Extent(Geometry.MAX_EXTENT_BLOCKS, Geometry.MAX_EXTENT_BLOCKS, 10, true));
    }

    @Test
    void referenceCountsSplitAtTheEdgesOfAnAdjustment() {
        RefcountIndex idx = new RefcountIndex();
        idx.adjust(100, 20, 1);
        idx.adjust(105, 5, -1);
        assertThat(idx.counts(100, 20)).extracting(RefcountIndex.Shared::count).containsExactly(2, 1, 2);
        idx.adjust(105, 5, 1);
        assertThat(idx.shared()).containsExactly(new RefcountIndex.Shared(100, 20, 2));
        idx.stage(500, 4);
        idx.unstage(501, 2);
        assertThat(idx.staging()).containsEntry(500L, 1L).containsEntry(503L, 1L);
    }
}
