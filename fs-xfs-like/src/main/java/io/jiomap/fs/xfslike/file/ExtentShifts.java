package io.jiomap.fs.xfslike.file;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.Timestamps;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.mount.MountState;
import java.util.List;

/**
 * fallocate's collapse and insert range (the kernel's {@code xfs_collapse_file_space} and
 * {@code xfs_insert_file_space}): the extents after a point move down or up by a whole number of blocks. A move
 * keeps each extent's device blocks, so the reference counts (kept per device block) stay right for shared ones.
 *
 * <p>The moves run with the file alone, in transactions of at most {@link #BATCH} extents, in an order that keeps
 * every prefix a consistent file: collapse frees the range first, moves extents lowest first (each into room already
 * vacated) and shrinks the size with the last move; insert grows the size first, then moves extents highest first.
 * A crash part-way leaves a map fsck accepts, with no block mapped twice, as XFS's one extent per transaction does.
 */
final class ExtentShifts {
    /** Extents moved per transaction. */
    static final int BATCH = 64;

    private ExtentShifts() {
    }

    /** Checks what does not depend on the file's size: block alignment of both ends. */
    static boolean aligned(XfsLikeInode ip, long offset, long length) {
        return ((offset | length) & (ip.blockSize() - 1)) == 0;
    }

    /** FALLOC_FL_COLLAPSE_RANGE: {@code [offset, offset + length)} goes, what follows moves down, size shrinks. */
    static int collapseLocked(XfsLikeInode ip, long offset, long length) throws JiomapException {
        MountState mount = ip.mount();
        InodeCore core = ip.core();
        int shift = ip.shift();
        long size = core.size();
        if (offset + length >= size) {
            throw new JiomapException(Errno.EINVAL, "collapse range [" + offset + ", " + (offset + length)
                    + ") must end before EOF (" + size + ")");
        }
        long fb = offset >>> shift;
        long n = length >>> shift;
        ip.reservations().reserveMetadataLocked(8);
        Transaction punch = new Transaction(mount.metadata());
        ip.blocks().unmapAndReleaseLocked(punch, core, fb, n);
        mount.log().commitLocked(punch);
        List<Extent> after = core.data().overlapping(fb + n, Geometry.MAX_FILE_BLOCKS - fb - n);
        int i = 0;
        do {
            int end = Math.min(after.size(), i + BATCH);
            Transaction t = new Transaction(mount.metadata());
            for (; i < end; i++) {
                move(t, core, after.get(i), -n);
            }
            if (i == after.size()) {
                t.add(LogItem.Core.of(core).size(size - length).modified(Timestamps.now()));
            }
            mount.log().commitLocked(t);
            mount.log().pushIfLargeLocked();
        } while (i < after.size());
        return 0;
    }

    /** FALLOC_FL_INSERT_RANGE: what starts at or after {@code offset} moves up, leaving a hole; size grows. */
    static int insertLocked(XfsLikeInode ip, long offset, long length) throws JiomapException {
        MountState mount = ip.mount();
        InodeCore core = ip.core();
        int shift = ip.shift();
        long size = core.size();
        if (offset >= size) {
            throw new JiomapException(Errno.EINVAL, "insert range at " + offset + " must start before EOF ("
                    + size + ")");
        }
        long fb = offset >>> shift;
        long n = length >>> shift;
        Extent last = core.data().last();
        if (length > Geometry.maxFileBytes(shift) - size
                || last != null && last.end() > Geometry.MAX_FILE_BLOCKS - n) {
            throw new JiomapException(Errno.EFBIG, "insert range of " + length + " bytes would take the file past"
                    + " the largest size, " + Geometry.maxFileBytes(shift) + " bytes");
        }
        // The extent holding fb is split there: its part from fb on moves like the extents after it.
        List<Extent> after = core.data().overlapping(fb, Geometry.MAX_FILE_BLOCKS - fb);
        ip.reservations().reserveMetadataLocked(8);
        int i = after.size();
        Transaction t = new Transaction(mount.metadata());
        t.add(LogItem.Core.of(core).size(size + length).modified(Timestamps.now()));
        while (true) {
            int stop = Math.max(0, i - BATCH);
            while (i > stop) {
                move(t, core, after.get(--i), n);
            }
            mount.log().commitLocked(t);
            mount.log().pushIfLargeLocked();
            if (i == 0) {
                return 0;
            }
            t = new Transaction(mount.metadata());
        }
    }

    /** Moves {@code e} (a whole record, or the part of one from the insert point on) by {@code delta} blocks. */
    private static void move(Transaction t, InodeCore core, Extent e, long delta) {
        t.add(new LogItem.Unmap(core.ino(), e.startoff(), e.blockcount()));
        t.add(new LogItem.Map(core.ino(), new Extent(e.startoff() + delta, e.startblock(), e.blockcount(),
                e.unwritten())));
    }
}
