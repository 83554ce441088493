package io.jiomap.fs.xfslike.meta;

import io.jiomap.fs.xfslike.format.Geometry;
import java.util.ArrayList;
import java.util.List;

/**
 * A file's extent map in memory (the iext tree): sorted records keyed by file block, so a lookup is O(log n) however
 * many extents the file has. Adjacent records that continue each other logically and physically, with the same
 * written state, are merged up to the record length limit. Every change is deterministic, so replaying the same log
 * items rebuilds the same map.
 *
 * <p>Storage is compact, as XFS's iext tree: each record is kept in its 16-byte bmbt packing ({@link Extent#packedHigh},
 * {@link Extent#packedLow}) in leaves of up to {@link #LEAF} records, and a position ({@link #locate}) lets the
 * per-I/O paths read a record's fields without allocating. A lookup is shaped for a map far larger than the caches:
 * it binary-searches a small summary (the first offset of every {@link #BLOCK}th leaf, which stays cached), then
 * counts the leaf first offsets at or before the block in one run of {@link #BLOCK} of them, then counts the records
 * at or before it in one leaf. Counting a run reads independent words, so its cache misses overlap; a binary search
 * over the same words would wait for each miss in turn. Unused slots hold {@link #EMPTY}, which sorts after every
 * offset, so the counts need no bounds.
 */
public final class ExtentMap {
    /** Records per leaf: a leaf is 512 bytes of packed records. */
    static final int LEAF = 32;
    /** Leaf first offsets per summary entry. */
    static final int BLOCK = 64;
    private static final long OFF_MASK = (1L << 54) - 1;
    /** An unused slot's high word, and an unused leaf's first offset: its offset is {@link #OFF_MASK}. */
    private static final long EMPTY = Long.MAX_VALUE;

    private long[][] leaves = new long[BLOCK][];
    private int[] counts = new int[BLOCK];
    /** The first record's startoff of every leaf ({@link #OFF_MASK} past the last); leaves are never empty. */
    private long[] firsts = emptyFirsts(BLOCK);
    /** {@code firsts[BLOCK * i]} for every block of leaves in use. */
    private long[] tops = new long[1];
    private int leafCount;
    private int size;

    private static long[] emptyFirsts(int n) {
        long[] f = new long[n];
        java.util.Arrays.fill(f, OFF_MASK);
        return f;
    }

    // ---- positions: leaf << 32 | slot, valid until the next change ----

    /** The position of the extent containing file block {@code off}, or -1 (a hole). */
    public long locate(long off) {
        long p = floor(off);
        return p >= 0 && off < startoff(p) + blockcount(p) ? p : -1;
    }

    public long startoff(long pos) {
        return offOf(leaves[(int) (pos >>> 32)][2 * (int) pos]);
    }

    public long startblock(long pos) {
        long[] leaf = leaves[(int) (pos >>> 32)];
        int s = 2 * (int) pos;
        return ((leaf[s] & 0x1ff) << 43) | (leaf[s + 1] >>> 21);
    }

    public long blockcount(long pos) {
        return leaves[(int) (pos >>> 32)][2 * (int) pos + 1] & ((1L << 21) - 1);
    }

    public boolean unwritten(long pos) {
        return leaves[(int) (pos >>> 32)][2 * (int) pos] < 0;
    }

    /** The record at a position, as an object. */
    public Extent extentAt(long pos) {
        long[] leaf = leaves[(int) (pos >>> 32)];
        int s = 2 * (int) pos;
        return Extent.unpack(leaf[s], leaf[s + 1]);
    }

    private static long offOf(long high) {
        return (high >>> 9) & OFF_MASK;
    }

    /** The position of the last record starting at or before {@code off}, or -1. */
    private long floor(long off) {
        if (leafCount == 0 || off < firsts[0]) {
            return -1;
        }
        if (off >= OFF_MASK) {
            // Past every storable offset (and not below the unused slots' marker): the last record.
            return (long) (leafCount - 1) << 32 | (counts[leafCount - 1] - 1);
        }
        int lo = 0;
        int hi = (leafCount - 1) / BLOCK;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (tops[mid] <= off) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int li = lo * BLOCK - 1;
        for (int i = lo * BLOCK, end = i + BLOCK; i < end; i++) {
            li += firsts[i] <= off ? 1 : 0;
        }
        long[] leaf = leaves[li];
        int slot = -1;
        for (int i = 0; i < 2 * LEAF; i += 2) {
            slot += offOf(leaf[i]) <= off ? 1 : 0;
        }
        return (long) li << 32 | slot;
    }

    /** Sets leaf {@code li}'s first offset, and the summary entry it is the first of. */
    private void setFirst(int li, long first) {
        firsts[li] = first;
        if (li % BLOCK == 0) {
            tops[li / BLOCK] = first;
        }
    }

    /** Recomputes the summary from the block holding leaf {@code li} on, after leaves moved. */
    private void retop(int li) {
        int blocks = (leafCount + BLOCK - 1) / BLOCK;
        if (tops.length < blocks) {
            tops = java.util.Arrays.copyOf(tops, Math.max(blocks, 2 * tops.length));
        }
        for (int b = li / BLOCK; b < blocks; b++) {
            tops[b] = firsts[b * BLOCK];
        }
    }

    /** The position after {@code pos} (or the first one for -1), or -1 past the last record. */
    private long next(long pos) {
        if (pos < 0) {
            return leafCount == 0 ? -1 : 0;
        }
        int li = (int) (pos >>> 32);
        int slot = (int) pos + 1;
        if (slot < counts[li]) {
            return (long) li << 32 | slot;
        }
        return li + 1 < leafCount ? (long) (li + 1) << 32 : -1;
    }

    // ---- queries ----

    /** The extent containing file block {@code off}, or null (a hole). */
    public Extent find(long off) {
        long p = locate(off);
        return p < 0 ? null : extentAt(p);
    }

    /** The last extent starting before {@code off}, whole, or null: where a write at {@code off} continues. */
    public Extent lastBefore(long off) {
        if (off <= 0) {
            return null;
        }
        long p = floor(off - 1);
        return p < 0 ? null : extentAt(p);
    }

    /** The first extent starting at or after {@code off}, or null. */
    public Extent nextFrom(long off) {
        long p = ceiling(off);
        return p < 0 ? null : extentAt(p);
    }

    private long ceiling(long off) {
        long p = off <= 0 ? -1 : floor(off - 1);
        return next(p);
    }

    /** The extents overlapping {@code [off, off + len)}, clipped to it, in order. */
    public List<Extent> overlapping(long off, long len) {
        List<Extent> out = new ArrayList<>();
        long end = off + len;
        long p = floor(off);
        if (p < 0) {
            p = next(-1);
        }
        for (; p >= 0; p = next(p)) {
            long s = startoff(p);
            if (s >= end) {
                break;
            }
            Extent c = extentAt(p).clip(off, len);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** Whether any record overlaps {@code [off, off + len)}. */
    private boolean overlaps(long off, long len) {
        long p = floor(off);
        if (p >= 0 && startoff(p) + blockcount(p) > off) {
            return true;
        }
        p = next(p);
        return p >= 0 && startoff(p) < off + len;
    }

    // ---- changes ----

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
            put(new Extent(first.startoff(), first.startblock(), off - first.startoff(), first.unwritten()));
        }
        if (last != null && last.end() > off + len) {
            long s = off + len;
            put(new Extent(s, last.blockOf(s), last.end() - s, last.unwritten()));
        }
        deleteFrom(off, off + len);
        return removed;
    }

    /** Maps {@code e}, which must land on a hole; merges with neighbours and splits at the length limit. */
    public void insert(Extent e) {
        if (e.blockcount() <= 0) {
            throw new IllegalArgumentException("empty extent " + e);
        }
        if (overlaps(e.startoff(), e.blockcount())) {
            throw new IllegalStateException("extent " + e + " overlaps an existing mapping");
        }
        Extent cur = e;
        Extent before = lastBefore(cur.startoff());
        if (before != null && continues(before, cur)) {
            deleteFrom(before.startoff(), before.startoff() + 1);
            cur = new Extent(before.startoff(), before.startblock(), before.blockcount() + cur.blockcount(),
                    cur.unwritten());
        }
        Extent after = nextFrom(cur.end());
        if (after != null && continues(cur, after)) {
            deleteFrom(after.startoff(), after.startoff() + 1);
            cur = new Extent(cur.startoff(), cur.startblock(), cur.blockcount() + after.blockcount(), cur.unwritten());
        }
        while (cur.blockcount() > Geometry.MAX_EXTENT_BLOCKS) {
            long n = Geometry.MAX_EXTENT_BLOCKS;
            put(new Extent(cur.startoff(), cur.startblock(), n, cur.unwritten()));
            cur = new Extent(cur.startoff() + n, cur.startblock() + n, cur.blockcount() - n, cur.unwritten());
        }
        put(cur);
    }

    private static boolean continues(Extent a, Extent b) {
        return a.end() == b.startoff() && a.startblock() + a.blockcount() == b.startblock()
                && a.unwritten() == b.unwritten() && a.blockcount() + b.blockcount() <= Geometry.MAX_EXTENT_BLOCKS;
    }

    /** Adds a record as read from disk, without merging (so the checker sees what is stored). */
    public void load(Extent e) {
        put(e);
    }

    /**
     * Stores {@code e} at its place in order, replacing a record with the same startoff. Records outside the bmbt
     * packing's ranges cannot be stored (nor written to disk): they fail here rather than being cut.
     */
    private void put(Extent e) {
        if (e.startoff() < 0 || e.startoff() >= OFF_MASK || e.startblock() < 0 || e.startblock() >= 1L << 52
                || e.blockcount() < 0 || e.blockcount() > Geometry.MAX_EXTENT_BLOCKS) {
            throw new IllegalArgumentException("extent " + e + " does not fit a bmbt record (startoff below 2^54 - 1,"
                    + " startblock below 2^52, blockcount at most " + Geometry.MAX_EXTENT_BLOCKS + ")");
        }
        long high = e.packedHigh();
        long low = e.packedLow();
        long p = floor(e.startoff());
        if (p >= 0 && startoff(p) == e.startoff()) {
            long[] leaf = leaves[(int) (p >>> 32)];
            leaf[2 * (int) p] = high;
            leaf[2 * (int) p + 1] = low;
            return;
        }
        if (leafCount == 0) {
            insertLeaf(0);
            insertInto(0, 0, high, low);
            return;
        }
        int li = p < 0 ? 0 : (int) (p >>> 32);
        int slot = p < 0 ? 0 : (int) p + 1;
        if (counts[li] == LEAF) {
            if (slot == LEAF || slot == 0) {
                // Appending past a full leaf's end (or before the first one) starts a new leaf rather than
                // splitting, so records added in order fill their leaves completely.
                int at = slot == 0 ? li : li + 1;
                insertLeaf(at);
                insertInto(at, 0, high, low);
                return;
            }
            splitLeaf(li);
            if (slot > counts[li]) {
                slot -= counts[li];
                li++;
            }
        }
        insertInto(li, slot, high, low);
    }

    private void insertInto(int li, int slot, long high, long low) {
        long[] leaf = leaves[li];
        int n = counts[li];
        System.arraycopy(leaf, 2 * slot, leaf, 2 * slot + 2, 2 * (n - slot));
        leaf[2 * slot] = high;
        leaf[2 * slot + 1] = low;
        counts[li] = n + 1;
        if (slot == 0) {
            setFirst(li, offOf(high));
        }
        size++;
    }

    /** Opens an empty leaf at index {@code at}; the caller fills it before the map is read. */
    private void insertLeaf(int at) {
        // The last block of firsts is always complete (unused entries past the last leaf), for floor's count.
        if (leafCount == leaves.length) {
            int cap = leaves.length * 2;
            leaves = java.util.Arrays.copyOf(leaves, cap);
            counts = java.util.Arrays.copyOf(counts, cap);
            long[] f = emptyFirsts(cap);
            System.arraycopy(firsts, 0, f, 0, leafCount);
            firsts = f;
        }
        System.arraycopy(leaves, at, leaves, at + 1, leafCount - at);
        System.arraycopy(counts, at, counts, at + 1, leafCount - at);
        System.arraycopy(firsts, at, firsts, at + 1, leafCount - at);
        long[] leaf = new long[2 * LEAF];
        for (int i = 0; i < leaf.length; i += 2) {
            leaf[i] = EMPTY;
        }
        leaves[at] = leaf;
        counts[at] = 0;
        leafCount++;
        retop(at);
    }

    private void removeLeaf(int at) {
        System.arraycopy(leaves, at + 1, leaves, at, leafCount - at - 1);
        System.arraycopy(counts, at + 1, counts, at, leafCount - at - 1);
        System.arraycopy(firsts, at + 1, firsts, at, leafCount - at - 1);
        leafCount--;
        leaves[leafCount] = null;
        firsts[leafCount] = OFF_MASK;
        retop(at);
    }

    /** Moves the upper half of full leaf {@code li} into a new leaf after it. */
    private void splitLeaf(int li) {
        insertLeaf(li + 1);
        int keep = counts[li] / 2;
        int move = counts[li] - keep;
        System.arraycopy(leaves[li], 2 * keep, leaves[li + 1], 0, 2 * move);
        clearSlots(leaves[li], keep, keep + move);
        counts[li] = keep;
        counts[li + 1] = move;
        setFirst(li + 1, offOf(leaves[li + 1][0]));
    }

    /** Marks slots {@code [from, to)} of a leaf unused. */
    private static void clearSlots(long[] leaf, int from, int to) {
        for (int i = from; i < to; i++) {
            leaf[2 * i] = EMPTY;
            leaf[2 * i + 1] = 0;
        }
    }

    /** Deletes every record whose startoff lies in {@code [from, to)}. */
    private void deleteFrom(long from, long to) {
        long p = from <= 0 ? -1 : floor(from - 1);
        p = next(p);
        if (p < 0) {
            return;
        }
        int li = (int) (p >>> 32);
        int slot = (int) p;
        while (li < leafCount) {
            long[] leaf = leaves[li];
            int n = counts[li];
            int end = slot;
            while (end < n && offOf(leaf[2 * end]) < to) {
                end++;
            }
            if (end == slot) {
                return;
            }
            System.arraycopy(leaf, 2 * end, leaf, 2 * slot, 2 * (n - end));
            clearSlots(leaf, n - (end - slot), n);
            counts[li] = n - (end - slot);
            size -= end - slot;
            if (counts[li] == 0) {
                removeLeaf(li);
            } else {
                if (slot == 0) {
                    setFirst(li, offOf(leaf[0]));
                }
                if (end < n) {
                    return;
                }
                li++;
            }
            slot = 0;
        }
    }

    // ---- whole map ----

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Every record in order (a copy: changing the map afterwards does not change it). */
    public List<Extent> all() {
        List<Extent> out = new ArrayList<>(size);
        for (long p = next(-1); p >= 0; p = next(p)) {
            out.add(extentAt(p));
        }
        return out;
    }

    public Extent last() {
        return leafCount == 0 ? null : extentAt((long) (leafCount - 1) << 32 | (counts[leafCount - 1] - 1));
    }

    public long blocks() {
        long n = 0;
        for (int li = 0; li < leafCount; li++) {
            long[] leaf = leaves[li];
            for (int s = 0; s < counts[li]; s++) {
                n += leaf[2 * s + 1] & ((1L << 21) - 1);
            }
        }
        return n;
    }
}
