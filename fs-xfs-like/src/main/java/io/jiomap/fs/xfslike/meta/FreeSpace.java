package io.jiomap.fs.xfslike.meta;

import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongBinaryOperator;

/**
 * The free space of one allocation group, indexed twice as XFS does: by start block (bnobt, to merge neighbours on
 * free) and by length (cntbt, to find the best fit on allocation). The two are changed together, so they always
 * describe the same extents; the checker compares what is stored of both.
 */
public final class FreeSpace {
    private final TreeMap<Long, Long> byBlock = new TreeMap<>();
    /** (length << 32 | offset from {@link #base}): ordered by length, then start, like the cntbt key. */
    private final TreeSet<Long> bySize = new TreeSet<>();
    private final long base;
    private long freeBlocks;

    /** @param base the AG's first block: lengths and offsets from it fit in 31 bits each */
    public FreeSpace(long base) {
        this.base = base;
    }

    private long sizeKey(long start, long len) {
        return (len << 32) | (start - base);
    }

    public long freeBlocks() {
        return freeBlocks;
    }

    public int extentCount() {
        return byBlock.size();
    }

    public long longest() {
        return bySize.isEmpty() ? 0 : bySize.last() >>> 32;
    }

    public java.util.NavigableMap<Long, Long> byBlock() {
        return byBlock;
    }

    /** The by-size index as (length, start) pairs, in its order. */
    public void forEachBySize(LongBinaryOperator visitor) {
        for (long k : bySize) {
            visitor.applyAsLong(k >>> 32, (k & 0xffffffffL) + base);
        }
    }

    /** Whether all of {@code [start, start + len)} is free. */
    public boolean isFree(long start, long len) {
        Map.Entry<Long, Long> e = byBlock.floorEntry(start);
        return e != null && e.getKey() + e.getValue() >= start + len;
    }

    /** Whether any block of {@code [start, start + len)} is free. */
    public boolean anyFree(long start, long len) {
        Map.Entry<Long, Long> e = byBlock.floorEntry(start);
        if (e != null && e.getKey() + e.getValue() > start) {
            return true;
        }
        Long next = byBlock.ceilingKey(start);
        return next != null && next < start + len;
    }

    /** Takes {@code [start, start + len)} out of the free space; it must all be free. */
    public void take(long start, long len) {
        Map.Entry<Long, Long> e = byBlock.floorEntry(start);
        if (e == null || e.getKey() + e.getValue() < start + len) {
            throw new IllegalStateException("blocks [" + start + ", " + (start + len) + ") are not free");
        }
        long fs = e.getKey();
        long fl = e.getValue();
        removeExtent(fs, fl);
        if (start > fs) {
            addExtent(fs, start - fs);
        }
        if (start + len < fs + fl) {
            addExtent(start + len, fs + fl - start - len);
        }
        freeBlocks -= len;
    }

    /** Returns {@code [start, start + len)} to the free space, merging with free neighbours; none may be free. */
    public void give(long start, long len) {
        if (anyFree(start, len)) {
            throw new IllegalStateException("blocks [" + start + ", " + (start + len) + ") are already free");
        }
        long s = start;
        long l = len;
        Map.Entry<Long, Long> before = byBlock.lowerEntry(s);
        if (before != null && before.getKey() + before.getValue() == s) {
            removeExtent(before.getKey(), before.getValue());
            s = before.getKey();
            l += before.getValue();
        }
        Long after = byBlock.get(start + len);
        if (after != null) {
            removeExtent(start + len, after);
            l += after;
        }
        addExtent(s, l);
        freeBlocks += len;
    }

    /** Adds an extent as read from disk (no merging: the checker must see what is stored). */
    public void load(long start, long len) {
        addExtent(start, len);
        freeBlocks += len;
    }

    private void addExtent(long s, long l) {
        byBlock.put(s, l);
        bySize.add(sizeKey(s, l));
    }

    private void removeExtent(long s, long l) {
        byBlock.remove(s);
        bySize.remove(sizeKey(s, l));
    }

    /** Free extents of at least {@code len} blocks, smallest first (best fit); then the rest, largest first. */
    public NavigableSet<Long> sizeKeysFrom(long len) {
        return bySize.tailSet(len << 32, true);
    }

    public NavigableSet<Long> sizeKeysBelow(long len) {
        return bySize.headSet(len << 32, false).descendingSet();
    }

    public long keyLength(long key) {
        return key >>> 32;
    }

    public long keyStart(long key) {
        return (key & 0xffffffffL) + base;
    }
}
