package io.jiomap.fs.xfslike.meta;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference-count index (refcountbt): records only for blocks shared by two or more mappings; no record means
 * one owner or free (the free space says which). CoW staging extents live in a second domain of the same index
 * (XFS keeps them under the startblock's high bit) so that recovery finds and frees what a crash left staged.
 */
public final class RefcountIndex {
    /** A shared range: {@code count >= 2} owners. */
    public record Shared(long start, long length, int count) {
        public long end() {
            return start + length;
        }
    }

    private final TreeMap<Long, Shared> shared = new TreeMap<>();
    private final TreeMap<Long, Long> staging = new TreeMap<>();

    /** The owner count of every piece of {@code [start, start + len)}: pieces without a record count 1. */
    public List<Shared> counts(long start, long len) {
        List<Shared> out = new ArrayList<>();
        long pos = start;
        long end = start + len;
        Map.Entry<Long, Shared> fl = shared.floorEntry(start);
        Long from = fl != null && fl.getValue().end() > start ? fl.getKey() : Long.valueOf(start);
        for (Shared s : shared.tailMap(from, true).values()) {
            if (s.start() >= end) {
                break;
            }
            long ss = Math.max(s.start(), start);
            long se = Math.min(s.end(), end);
            if (ss > pos) {
                out.add(new Shared(pos, ss - pos, 1));
            }
            out.add(new Shared(ss, se - ss, s.count()));
            pos = se;
        }
        if (pos < end) {
            out.add(new Shared(pos, end - pos, 1));
        }
        return out;
    }

    /** Whether any block of the range has two or more owners. */
    public boolean isShared(long start, long len) {
        for (Shared s : counts(start, len)) {
            if (s.count() >= 2) {
                return true;
            }
        }
        return false;
    }

    /** Adds {@code delta} owners to every block of the range; counts below 2 leave the index. */
    public void adjust(long start, long len, int delta) {
        List<Shared> pieces = counts(start, len);
        // Both edges are looked up before either is split: splitting the first would hide the last.
        Map.Entry<Long, Shared> fl = shared.floorEntry(start);
        Map.Entry<Long, Shared> ll = shared.floorEntry(start + len - 1);
        if (fl != null && fl.getValue().start() < start && fl.getValue().end() > start) {
            Shared s = fl.getValue();
            shared.put(s.start(), new Shared(s.start(), start - s.start(), s.count()));
        }
        if (ll != null && ll.getValue().end() > start + len) {
            Shared s = ll.getValue();
            shared.put(start + len, new Shared(start + len, s.end() - start - len, s.count()));
        }
        shared.subMap(start, true, start + len, false).clear();
        for (Shared p : pieces) {
            int c = p.count() + delta;
            if (c < 0) {
                throw new IllegalStateException("reference count of [" + p.start() + ", " + p.end()
                        + ") would drop below zero");
            }
            if (c >= 2) {
                put(new Shared(p.start(), p.length(), c));
            }
        }
    }

    private void put(Shared s) {
        Map.Entry<Long, Shared> before = shared.lowerEntry(s.start());
        Shared cur = s;
        if (before != null && before.getValue().end() == s.start() && before.getValue().count() == s.count()) {
            shared.remove(before.getKey());
            cur = new Shared(before.getValue().start(), before.getValue().length() + s.length(), s.count());
        }
        Shared after = shared.get(cur.end());
        if (after != null && after.count() == cur.count()) {
            shared.remove(after.start());
            cur = new Shared(cur.start(), cur.length() + after.length(), cur.count());
        }
        shared.put(cur.start(), cur);
    }

    /** Loads a record as stored (no merging). */
    public void loadShared(Shared s) {
        shared.put(s.start(), s);
    }

    public Iterable<Shared> shared() {
        return shared.values();
    }

    public int sharedCount() {
        return shared.size();
    }

    /** Records {@code [start, start + len)} as CoW staging blocks; must not overlap staging already there. */
    public void stage(long start, long len) {
        if (isStaged(start, len)) {
            throw new IllegalStateException("CoW staging [" + start + ", " + (start + len) + ") overlaps staging");
        }
        long s = start;
        long l = len;
        Map.Entry<Long, Long> before = staging.lowerEntry(s);
        if (before != null && before.getKey() + before.getValue() == s) {
            staging.remove(before.getKey());
            s = before.getKey();
            l += before.getValue();
        }
        Long after = staging.remove(start + len);
        if (after != null) {
            l += after;
        }
        staging.put(s, l);
    }

    /** Removes {@code [start, start + len)} from the staging records; all of it must be staged. */
    public void unstage(long start, long len) {
        Map.Entry<Long, Long> e = staging.floorEntry(start);
        if (e == null || e.getKey() + e.getValue() < start + len) {
            throw new IllegalStateException("no CoW staging record covers [" + start + ", " + (start + len) + ")");
        }
        long s = e.getKey();
        long l = e.getValue();
        staging.remove(s);
        if (start > s) {
            staging.put(s, start - s);
        }
        if (start + len < s + l) {
            staging.put(start + len, s + l - start - len);
        }
    }

    /** Whether any block of the range is CoW staging. */
    public boolean isStaged(long start, long len) {
        Map.Entry<Long, Long> e = staging.floorEntry(start);
        if (e != null && e.getKey() + e.getValue() > start) {
            return true;
        }
        Long next = staging.ceilingKey(start);
        return next != null && next < start + len;
    }

    /** Loads a staging record as stored. */
    public void loadStaging(long start, long len) {
        staging.put(start, len);
    }

    public Map<Long, Long> staging() {
        return staging;
    }
}
