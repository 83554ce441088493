package io.jiomap.fs.ext4like.inode;

import io.jiomap.api.Errno;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Timestamps;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import java.util.Arrays;
import java.util.List;

/**
 * The space changes of one inode (the kernel's extents.c: {@code ext4_truncate}, {@code ext4_fallocate},
 * {@code ext4_punch_hole}, {@code ext4_zero_range}, {@code ext4_collapse_range}, {@code ext4_insert_range}): each
 * keeps new direct I/O out with the inode lock held exclusively, drains what is in flight, and changes the extent
 * tree in bounded transactions. A truncate puts the inode on the orphan list first, so a crash before every block is
 * freed finishes it at mount.
 */
final class SpaceOps {
    private final Ext4Inode in;
    private final int bs;

    SpaceOps(Ext4Inode in) {
        this.in = in;
        this.bs = in.bs;
    }

    private Journal journal() {
        return in.journal();
    }

    int truncate(long newSize) {
        int unusable = in.unusable();
        if (unusable != 0) {
            return unusable;
        }
        if (newSize < 0 || (newSize + bs - 1) / bs > 0xFFFF_FFFFL) {
            return newSize < 0 ? -Errno.EINVAL : -Errno.EFBIG;
        }
        in.lock.writeLock().lock();
        try {
            in.dio().waitForDrain();
            if (in.deleted) {
                return -Errno.ENOENT;
            }
            long now = Timestamps.now();
            in.setTimes(-1, now, now);
            return truncateDrained(newSize);
        } catch (FsError e) {
            return -e.errno();
        } finally {
            in.lock.writeLock().unlock();
        }
    }

    private int truncateDrained(long newSize) {
        if (newSize >= in.size) {
            try (Journal.Handle h = journal().start(2)) {
                in.setSizeLocked(newSize);
            }
            return 0;
        }
        zeroPartialBlock(newSize);
        try (Journal.Handle h = journal().start(OrphanList.CREDITS + 2)) {
            // On the orphan list first: a crash before the blocks are all freed finishes the truncate at mount.
            in.vol.orphans().addLocked(in);
            in.setSizeLocked(newSize);
        }
        trimPastEof();
        return 0;
    }

    /** Frees everything past i_size in steps of bounded transactions, then leaves the orphan list. */
    void trimPastEof() {
        long from = (in.size + bs - 1) / bs;
        OrphanList orphans = in.vol.orphans();
        while (true) {
            try (Journal.Handle h = journal().start(in.editCredits() + 8 + OrphanList.CREDITS)) {
                Extent last = in.tree.last();
                if (last == null || last.end() <= from) {
                    if (orphans.containsLocked(in)) {
                        orphans.removeLocked(in);
                    }
                    in.persistLocked(true);
                    return;
                }
                long start = Math.max(from, last.logical());
                in.unmapLocked(start, last.end());
                in.persistLocked(true);
            }
        }
    }

    /** Zeroes the bytes of the block holding {@code pos} from {@code pos} on, if it holds written data. */
    private void zeroPartialBlock(long pos) {
        int at = (int) (pos % bs);
        if (at == 0) {
            return;
        }
        zeroBytes(pos, bs - at);
    }

    /** Writes zeros over [pos, pos+len) within one block, if that block is written (read-modify-write). */
    private void zeroBytes(long pos, int len) {
        long phys = in.writtenBlockAt(pos / bs);
        if (phys < 0) {
            return;
        }
        byte[] b = in.vol.cache().readRaw(phys);
        Arrays.fill(b, (int) (pos % bs), (int) (pos % bs) + len, (byte) 0);
        in.vol.cache().writeRaw(phys, b, 0);
    }

    int fallocate(int mode, long offset, long length) {
        int unusable = in.unusable();
        if (unusable != 0) {
            return unusable;
        }
        boolean keep = (mode & Inode.FALLOC_KEEP_SIZE) != 0;
        int op = mode & ~Inode.FALLOC_KEEP_SIZE;
        if (op == Inode.FALLOC_COLLAPSE_RANGE || op == Inode.FALLOC_INSERT_RANGE) {
            return shiftRange(op == Inode.FALLOC_INSERT_RANGE, offset, length);
        }
        // UNSHARE_RANGE among the rest: ext4 shares no blocks between files, and ext4_fallocate refuses it too.
        if (op != 0 && op != Inode.FALLOC_PUNCH_HOLE && op != Inode.FALLOC_ZERO_RANGE) {
            return -Errno.EOPNOTSUPP;
        }
        if (op == Inode.FALLOC_PUNCH_HOLE && !keep) {
            return -Errno.EOPNOTSUPP;
        }
        if (offset < 0 || length <= 0) {
            return -Errno.EINVAL;
        }
        long end = offset + length;
        if ((end + bs - 1) / bs > 0xFFFF_FFFFL) {
            return -Errno.EFBIG;
        }
        in.lock.writeLock().lock();
        try {
            in.dio().waitForDrain();
            if (in.deleted) {
                return -Errno.ENOENT;
            }
            long now = Timestamps.now();
            in.setTimes(-1, now, now);
            if (op == Inode.FALLOC_PUNCH_HOLE) {
                punch(offset, end);
                return 0;
            }
            long first = offset / bs;
            long last = (end + bs - 1) / bs;
            if (op == Inode.FALLOC_ZERO_RANGE) {
                long fullFrom = (offset + bs - 1) / bs;
                long fullTo = end / bs;
                zeroEdges(offset, end, fullFrom, fullTo);
                if (fullFrom < fullTo) {
                    unwriteRange(fullFrom, fullTo);
                }
                first = fullFrom;
                last = Math.max(fullFrom, fullTo);
            }
            int r = preallocate(first, last);
            if (r < 0) {
                return r;
            }
            if (!keep && end > in.size) {
                try (Journal.Handle h = journal().start(2)) {
                    in.setSizeLocked(end);
                }
            }
            return 0;
        } catch (FsError e) {
            return -e.errno();
        } finally {
            in.lock.writeLock().unlock();
        }
    }

    /**
     * Collapse range (ext4_collapse_range) or insert range (ext4_insert_range): whole blocks only, the range inside
     * the file. Collapse unmaps the range and moves every extent after it down, then shrinks the size; insert splits
     * the extent straddling the offset and grows the size first (so an extent moved past the old end stays inside
     * the file), then moves every extent at or after the offset up. Each step is its own bounded transaction and
     * leaves a consistent tree: extents move only into room made for them, from the edge they move towards. A crash
     * between steps leaves part of the extents moved, as the kernel's ext4 does, never a block mapped twice or lost.
     */
    private int shiftRange(boolean insert, long offset, long length) {
        if (!in.rec.hasExtents()) {
            return -Errno.EOPNOTSUPP;
        }
        if (offset % bs != 0 || length % bs != 0) {
            return -Errno.EINVAL;
        }
        long first = offset / bs;
        long count = length / bs;
        in.lock.writeLock().lock();
        try {
            in.dio().waitForDrain();
            if (in.deleted) {
                return -Errno.ENOENT;
            }
            if (insert ? offset >= in.size : offset + length >= in.size) {
                return -Errno.EINVAL;
            }
            if (insert) {
                int r = insertDrained(first, count, length);
                if (r < 0) {
                    return r;
                }
            } else {
                collapseDrained(first, count, length);
            }
            return 0;
        } catch (FsError e) {
            return -e.errno();
        } finally {
            in.lock.writeLock().unlock();
        }
    }

    private void collapseDrained(long first, long count, long length) {
        punch(first * bs, (first + count) * bs);
        long lo = first + count;
        while (lo >= 0) {
            try (Journal.Handle h = journal().start(in.editCredits() + 2)) {
                lo = in.tree.shiftStep(lo, Long.MAX_VALUE, -count);
                in.persistLocked(true);
            }
        }
        try (Journal.Handle h = journal().start(2)) {
            long now = Timestamps.now();
            in.setTimes(-1, now, now);
            in.setSizeLocked(in.size - length);
        }
    }

    private int insertDrained(long first, long count, long length) {
        long newSize = in.size + length;
        journal().metaLock().lock();
        try {
            Extent last = in.tree.last();
            if ((newSize + bs - 1) / bs > 0xFFFF_FFFFL || (last != null && last.end() + count > 0xFFFF_FFFFL)) {
                return -Errno.EFBIG;
            }
        } finally {
            journal().metaLock().unlock();
        }
        try (Journal.Handle h = journal().start(in.editCredits() + 2)) {
            // The split first: an ENOSPC for its tree block leaves the file as it was.
            in.splitLocked(first);
            long now = Timestamps.now();
            in.setTimes(-1, now, now);
            in.setSizeLocked(newSize);
        }
        long hi = Long.MAX_VALUE;
        while (hi >= 0) {
            try (Journal.Handle h = journal().start(in.editCredits() + 2)) {
                hi = in.tree.shiftStep(first, hi, count);
                in.persistLocked(true);
            }
        }
        return 0;
    }

    private void zeroEdges(long offset, long end, long fullFrom, long fullTo) {
        if (fullFrom > fullTo) {
            zeroBytes(offset, (int) (end - offset));
            return;
        }
        if (offset % bs != 0) {
            zeroBytes(offset, (int) (fullFrom * bs - offset));
        }
        if (end % bs != 0) {
            zeroBytes(fullTo * bs, (int) (end - fullTo * bs));
        }
    }

    /** Makes written extents in [from, to) unwritten (ZERO_RANGE keeps the blocks, reads give zeros). */
    private void unwriteRange(long from, long to) {
        while (true) {
            try (Journal.Handle h = journal().start(in.editCredits() + 2)) {
                Extent w = null;
                for (Extent e : in.tree.overlapping(from, to)) {
                    if (!e.unwritten()) {
                        w = e;
                        break;
                    }
                }
                if (w == null) {
                    return;
                }
                long s = Math.max(from, w.logical());
                long n = Math.min(Math.min(to, w.end()) - s, Extent.MAX_UNWRITTEN);
                in.mapLocked(s, n, List.of(new Extent(s, (int) n, w.physicalAt(s), true)));
                in.persistLocked(true);
            }
        }
    }

    /**
     * Allocates unwritten extents for every hole in [first, last). Checks the space first, so an ENOSPC leaves
     * the file as it was.
     */
    private int preallocate(long first, long last) {
        journal().metaLock().lock();
        try {
            if (holeBlocksLocked(first, last) > in.vol.allocator().availableForData()) {
                return -Errno.ENOSPC;
            }
        } finally {
            journal().metaLock().unlock();
        }
        long at = first;
        while (at < last) {
            try (Journal.Handle h = journal().start(in.editCredits() + 2)) {
                Extent e = in.tree.findFrom(at);
                if (e != null && e.logical() <= at) {
                    at = e.end();
                    continue;
                }
                long holeEnd = e == null ? last : Math.min(last, e.logical());
                Extent got = in.allocateLocked(at, (int) Math.min(holeEnd - at, Extent.MAX_UNWRITTEN), true);
                in.persistLocked(true);
                at = got.end();
            }
        }
        return 0;
    }

    private long holeBlocksLocked(long first, long last) {
        long mapped = 0;
        for (Extent e : in.tree.overlapping(first, last)) {
            long s = Math.max(first, e.logical());
            long t = Math.min(last, e.end());
            if (t > s) {
                mapped += t - s;
            }
        }
        return (last - first) - mapped;
    }

    private void punch(long offset, long end) {
        long fullFrom = (offset + bs - 1) / bs;
        long fullTo = end / bs;
        zeroEdges(offset, end, fullFrom, fullTo);
        long at = fullTo;
        while (fullFrom < at) {
            try (Journal.Handle h = journal().start(in.editCredits() + 8)) {
                // From the end, one extent at a time: each step is a small transaction. Extents do not overlap,
                // so the last one starting before `at` is the only candidate: the ones before it end sooner.
                Extent victim = in.tree.findBefore(at);
                if (victim == null || victim.end() <= fullFrom) {
                    return;
                }
                long s = Math.max(fullFrom, victim.logical());
                in.unmapLocked(s, Math.min(at, victim.end()));
                in.persistLocked(true);
                at = s;
            }
        }
    }
}
