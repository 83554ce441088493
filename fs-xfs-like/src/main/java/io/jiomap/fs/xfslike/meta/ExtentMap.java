package io.jiomap.fs.xfslike.meta;

import io.jiomap.fs.xfslike.format.Geometry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A file's extent map in memory (the iext tree): sorted, non-overlapping records keyed by file block, so a lookup is
 * O(log n) however many extents the file has. Adjacent records that continue each other logically and physically,
 * with the same written state, are merged up to the record length limit. Every change is deterministic, so replaying
 * the same log items rebuilds the same map.
 */
public final class ExtentMap {
    private final TreeMap<Long, Extent> byOffset = new TreeMap<>();

    /** The extent containing file block {@code off}, or null (a hole). */
    public Extent find(long off) {
        Map.Entry<Long, Extent> e = byOffset.floorEntry(off);
        return e != null && e.getValue().contains(off) ? e.getValue() : null;
    }

    /** The last extent starting before {@code off}, whole, or null: where a write at {@code off} continues. */
    public Extent lastBefore(long off) {
        Map.Entry<Long, Extent> e = byOffset.lowerEntry(off);
        return e == null ? null : e.getValue();
    }

    /** The first extent starting at or after {@code off}, or null. */
    public Extent nextFrom(long off) {
        Map.Entry<Long, Extent> e = byOffset.ceilingEntry(off);
        return e == null ? null : e.getValue();
    }

    /** The extents overlapping {@code [off, off + len)}, clipped to it, in order. */
    public List<Extent> overlapping(long off, long len) {
        List<Extent> out = new ArrayList<>();
        Long from = byOffset.floorKey(off);
        for (Extent e : byOffset.tailMap(from == null ? off : from, true).values()) {
            if (e.startoff() >= off + len) {
                break;
            }
            Extent c = e.clip(off, len);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** Removes every mapping inside {@code [off, off + len)}, splitting records at the edges; returns what went. */
    public List<Extent> remove(long off, long len) {
        List<Extent> removed = overlapping(off, len);
        if (removed.isEmpty()) {
            return removed;
        }
        // Both edges are looked up before either is split: splitting the first would hide the last.
        Extent first = find(off);
        Extent last = find(off + len - 1);
        if (first != null && first.startoff() < off) {
            byOffset.put(first.startoff(), new Extent(first.startoff(), first.startblock(), off - first.startoff(),
                    first.unwritten()));
        }
        if (last != null && last.end() > off + len) {
            long s = off + len;
            byOffset.put(s, new Extent(s, last.blockOf(s), last.end() - s, last.unwritten()));
        }
        byOffset.subMap(off, true, off + len, false).clear();
        return removed;
    }

    /** Maps {@code e}, which must land on a hole; merges with neighbours and splits at the length limit. */
    public void insert(Extent e) {
        if (e.blockcount() <= 0) {
            throw new IllegalArgumentException("empty extent " + e);
        }
        if (!overlapping(e.startoff(), e.blockcount()).isEmpty()) {
            throw new IllegalStateException("extent " + e + " overlaps an existing mapping");
        }
        Extent cur = e;
        Map.Entry<Long, Extent> before = byOffset.lowerEntry(cur.startoff());
        if (before != null && continues(before.getValue(), cur)) {
            Extent p = before.getValue();
            byOffset.remove(p.startoff());
            cur = new Extent(p.startoff(), p.startblock(), p.blockcount() + cur.blockcount(), cur.unwritten());
        }
        Map.Entry<Long, Extent> after = byOffset.ceilingEntry(cur.end());
        if (after != null && continues(cur, after.getValue())) {
            Extent n = after.getValue();
            byOffset.remove(n.startoff());
            cur = new Extent(cur.startoff(), cur.startblock(), cur.blockcount() + n.blockcount(), cur.unwritten());
        }
        while (cur.blockcount() > Geometry.MAX_EXTENT_BLOCKS) {
            long n = Geometry.MAX_EXTENT_BLOCKS;
            byOffset.put(cur.startoff(), new Extent(cur.startoff(), cur.startblock(), n, cur.unwritten()));
            cur = new Extent(cur.startoff() + n, cur.startblock() + n, cur.blockcount() - n, cur.unwritten());
        }
        byOffset.put(cur.startoff(), cur);
    }

    private static boolean continues(Extent a, Extent b) {
        return a.end() == b.startoff() && a.startblock() + a.blockcount() == b.startblock()
                && a.unwritten() == b.unwritten() && a.blockcount() + b.blockcount() <= Geometry.MAX_EXTENT_BLOCKS;
    }

    /** Adds a record as read from disk, without merging (so the checker sees what is stored). */
    public void load(Extent e) {
        byOffset.put(e.startoff(), e);
    }

    public int size() {
        return byOffset.size();
    }

    public boolean isEmpty() {
        return byOffset.isEmpty();
    }

    public Collection<Extent> all() {
        return byOffset.values();
    }

    public Extent last() {
        Map.Entry<Long, Extent> e = byOffset.lastEntry();
        return e == null ? null : e.getValue();
    }

    public long blocks() {
        long n = 0;
        for (Extent e : byOffset.values()) {
            n += e.blockcount();
        }
        return n;
    }
}
