package io.jiomap.fs.xfslike.meta;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses blocks for new extents: first at the goal (right after the file's previous extent, so appends stay
 * contiguous), then the smallest free extent that holds the rest (cntbt best fit), then the largest ones. It plans
 * without changing anything; the caller logs the plan as TAKE items.
 *
 * <p>Blocks freed by transactions that are not yet on stable storage are <em>busy</em> (XFS busy extents): reusing
 * them for another file before the free is stable would let a crash show that file's new data in the old owner. A
 * plan never uses busy blocks; when only busy blocks would do, the caller forces the log, which makes every free
 * stable, and plans again.
 */
public final class Allocator {
    private final Metadata meta;
    private final TreeMap<Long, Long> busy = new TreeMap<>();
    private final TreeMap<Long, Long> unshared = new TreeMap<>();
    private long busyBlocks;

    public Allocator(Metadata meta) {
        this.meta = meta;
    }

    /** A piece of a plan: {@code [start, start + length)}. */
    public record Piece(long start, long length) {
    }

    public void markBusy(long start, long len) {
        busy.put(start, len);
        busyBlocks += len;
    }

    /**
     * Blocks that stopped being shared in a transaction not yet stable: on disk another file may still map them, so
     * their remaining owner must not overwrite them in place until that transaction is (the same hazard as busy
     * extents, for a reference count dropping to one instead of zero).
     */
    public void markUnshared(long start, long len) {
        unshared.merge(start, len, Math::max);
    }

    /** Whether any block of the range stopped being shared in a transaction not yet stable. */
    public boolean isRecentlyUnshared(long start, long len) {
        if (unshared.isEmpty()) {
            // Every overwrite asks: the usual answer must not build a map view per write.
            return false;
        }
        // Few entries (the set empties at every log force), possibly overlapping: a scan is simplest.
        for (Map.Entry<Long, Long> e : unshared.headMap(start + len, false).entrySet()) {
            if (e.getKey() + e.getValue() > start) {
                return true;
            }
        }
        return false;
    }

    /** Every free and every reference count change is now stable. */
    public void clearBusy() {
        busy.clear();
        unshared.clear();
        busyBlocks = 0;
    }

    public long busyBlocks() {
        return busyBlocks;
    }

    private boolean overlapsBusy(long start, long len) {
        // Busy ranges never overlap one another, so only the last one starting before the end can reach in.
        Map.Entry<Long, Long> e = busy.floorEntry(start + len - 1);
        return e != null && e.getKey() + e.getValue() > start;
    }

    /**
     * Plans {@code count} blocks near {@code goal} (or -1), preferring AG {@code agHint}.
     *
     * @return the pieces, or null when the free blocks that are not busy cannot provide them
     */
    public List<Piece> plan(int agHint, long goal, long count) {
        List<Piece> out = new ArrayList<>();
        long remaining = count;
        int ags = meta.geometry().agCount();
        TreeMap<Long, Long> used = new TreeMap<>();
        if (goal >= 0 && goal < meta.geometry().totalBlocks()) {
            FreeSpace f = meta.free(meta.geometry().agOf(goal));
            Map.Entry<Long, Long> e = f.byBlock().floorEntry(goal);
            if (e != null && e.getKey() + e.getValue() > goal) {
                long n = Math.min(remaining, e.getKey() + e.getValue() - goal);
                if (!overlapsBusy(goal, n)) {
                    out.add(new Piece(goal, n));
                    used.put(e.getKey(), n + (goal - e.getKey()));
                    remaining -= n;
                }
            }
        }
        if (remaining == 0) {
            return out;
        }
        for (int i = 0; i < ags && remaining > 0; i++) {
            FreeSpace f = meta.free((agHint + i) % ags);
            for (long key : f.sizeKeysFrom(remaining)) {
                long s = f.keyStart(key);
                if (!used.containsKey(s) && !overlapsBusy(s, remaining)) {
                    out.add(new Piece(s, remaining));
                    return out;
                }
            }
        }
        for (int i = 0; i < ags && remaining > 0; i++) {
            FreeSpace f = meta.free((agHint + i) % ags);
            for (long key : f.sizeKeysBelow(Long.MAX_VALUE >>> 32)) {
                long s = f.keyStart(key);
                long len = f.keyLength(key);
                if (used.containsKey(s) || overlapsBusy(s, len)) {
                    continue;
                }
                long n = Math.min(len, remaining);
                out.add(new Piece(s, n));
                used.put(s, n);
                remaining -= n;
                if (remaining == 0) {
                    return out;
                }
            }
        }
        return null;
    }
}
