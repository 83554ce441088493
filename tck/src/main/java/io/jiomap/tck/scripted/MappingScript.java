package io.jiomap.tck.scripted;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The mappings of one scripted file: non-overlapping extents, each a {@link Mapping}, with a default for every byte
 * no extent covers. Not thread-safe: the inode guards it.
 */
final class MappingScript {
    /** Where the default mapping stops: far beyond any test file, and far from overflowing offset + length. */
    static final long LIMIT = 1L << 50;

    /** One scripted range {@code [start, end)}. */
    record Extent(long start, long end, Mapping mapping) {
    }

    private final TreeMap<Long, Extent> extents = new TreeMap<>();
    private Mapping defaultMapping = Mapping.mapped();

    void setDefault(Mapping m) {
        defaultMapping = m;
    }

    Mapping defaultMapping() {
        return defaultMapping;
    }

    /** Scripts {@code [start, end)} as {@code m}, replacing what was there. */
    void put(long start, long end, Mapping m) {
        if (start < 0 || end <= start || end > LIMIT) {
            throw new IllegalArgumentException("bad scripted range [" + start + ", " + end + ")");
        }
        splitAt(start);
        splitAt(end);
        extents.subMap(start, true, end, false).clear();
        extents.put(start, new Extent(start, end, m));
    }

    /** The extent (scripted, or the default over the gap) that covers {@code pos}. */
    Extent find(long pos) {
        Map.Entry<Long, Extent> floor = extents.floorEntry(pos);
        if (floor != null && floor.getValue().end() > pos) {
            return floor.getValue();
        }
        long gapStart = floor == null ? 0 : floor.getValue().end();
        Long next = extents.higherKey(pos);
        return new Extent(gapStart, next == null ? LIMIT : next, defaultMapping);
    }

    /** Applies {@code change} to every mapping over {@code [start, end)}, splitting extents at the edges. */
    void transform(long start, long end, UnaryOperator<Mapping> change) {
        long p = start;
        while (p < end) {
            Extent e = find(p);
            long pieceEnd = Math.min(e.end(), end);
            Mapping changed = change.apply(e.mapping());
            if (!changed.equals(e.mapping())) {
                put(p, pieceEnd, changed);
            }
            p = pieceEnd;
        }
    }

    /** The scripted extents, in file order. */
    List<Extent> extents() {
        return new ArrayList<>(extents.values());
    }

    private void splitAt(long p) {
        Map.Entry<Long, Extent> floor = extents.floorEntry(p);
        if (floor == null) {
            return;
        }
        Extent e = floor.getValue();
        if (e.start() < p && e.end() > p) {
            extents.put(e.start(), new Extent(e.start(), p, e.mapping()));
            extents.put(p, new Extent(p, e.end(), e.mapping()));
        }
    }
}
