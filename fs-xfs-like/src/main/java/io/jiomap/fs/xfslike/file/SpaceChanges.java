package io.jiomap.fs.xfslike.file;

import static io.jiomap.api.vfs.Inode.FALLOC_COLLAPSE_RANGE;
import static io.jiomap.api.vfs.Inode.FALLOC_INSERT_RANGE;
import static io.jiomap.api.vfs.Inode.FALLOC_KEEP_SIZE;
import static io.jiomap.api.vfs.Inode.FALLOC_PUNCH_HOLE;
import static io.jiomap.api.vfs.Inode.FALLOC_UNSHARE_RANGE;
import static io.jiomap.api.vfs.Inode.FALLOC_ZERO_RANGE;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.Timestamps;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Allocator;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.mount.MountState;
import java.util.Arrays;

/**
 * Changes to a file's space (the kernel's {@code xfs_bmap_util.c} as {@code xfs_file_fallocate} and
 * {@code xfs_setattr_size} use it): truncate, preallocate, punch hole, zero range, unshare, and the dispatch to
 * {@link ExtentShifts} for collapse and insert. Each runs with the file alone
 * ({@link XfsLikeInode#alone}) and keeps the rule that bytes past EOF in the EOF block are zero on disk, so a later
 * extension never exposes old data.
 */
final class SpaceChanges {
    private SpaceChanges() {
    }

    static int truncate(XfsLikeInode ip, long newSize) {
        if (newSize < 0) {
            return -Errno.EINVAL;
        }
        if (ip.isRemoved()) {
            return -Errno.ENOENT;
        }
        return ip.alone(() -> truncateLocked(ip, newSize));
    }

    private static int truncateLocked(XfsLikeInode ip, long newSize) throws JiomapException {
        MountState mount = ip.mount();
        InodeCore core = ip.core();
        int bs = ip.blockSize();
        int shift = ip.shift();
        ip.reservations().reserveMetadataLocked(8);
        long old = core.size();
        Transaction t = new Transaction(mount.metadata());
        if (newSize < old) {
            long keep = (newSize + bs - 1) >>> shift;
            replaceEofBlockLocked(ip, t, newSize);
            ip.blocks().unmapAndReleaseLocked(t, core, keep, Long.MAX_VALUE / 2 - keep);
        }
        int flags = core.flags();
        if (newSize < old || core.data().isEmpty()) {
            flags &= ~InodeCore.FLAG_PREALLOC;
            Extent lastExt = core.data().last();
            if (lastExt != null && lastExt.end() > (newSize + bs - 1) >>> shift) {
                flags |= InodeCore.FLAG_PREALLOC;
            }
        }
        t.add(LogItem.Core.of(core).size(newSize).flags(flags).modified(Timestamps.now()));
        mount.log().commitLocked(t);
        mount.log().pushIfLargeLocked();
        return 0;
    }

    static int fallocate(XfsLikeInode ip, int mode, long offset, long length) {
        int keep = mode & FALLOC_KEEP_SIZE;
        int op = mode & ~FALLOC_KEEP_SIZE;
        int known = FALLOC_PUNCH_HOLE | FALLOC_COLLAPSE_RANGE | FALLOC_ZERO_RANGE | FALLOC_INSERT_RANGE
                | FALLOC_UNSHARE_RANGE;
        if ((op & ~known) != 0) {
            return -Errno.EOPNOTSUPP;
        }
        // The core refuses combinations before a filesystem sees them; this keeps a direct caller to one mode.
        if (Integer.bitCount(op) > 1 || keep != 0 && (op == FALLOC_COLLAPSE_RANGE || op == FALLOC_INSERT_RANGE)) {
            return -Errno.EINVAL;
        }
        if (offset < 0 || length <= 0) {
            return -Errno.EINVAL;
        }
        if (offset + length < 0) {
            return -Errno.EFBIG;
        }
        if (op == FALLOC_PUNCH_HOLE && keep == 0) {
            return -Errno.EOPNOTSUPP;
        }
        if ((op == FALLOC_COLLAPSE_RANGE || op == FALLOC_INSERT_RANGE) && !ExtentShifts.aligned(ip, offset, length)) {
            return -Errno.EINVAL;
        }
        if (ip.isRemoved()) {
            return -Errno.ENOENT;
        }
        return switch (op) {
            case FALLOC_COLLAPSE_RANGE -> ip.alone(() -> ExtentShifts.collapseLocked(ip, offset, length));
            case FALLOC_INSERT_RANGE -> ip.alone(() -> ExtentShifts.insertLocked(ip, offset, length));
            default -> ip.alone(() -> fallocateLocked(ip, op, keep != 0, offset, length));
        };
    }

    private static int fallocateLocked(XfsLikeInode ip, int op, boolean keepSize, long offset, long length)
            throws JiomapException {
        MountState mount = ip.mount();
        InodeCore core = ip.core();
        int bs = ip.blockSize();
        int shift = ip.shift();
        long end = offset + length;
        long fb = offset >>> shift;
        long lastExcl = (end + bs - 1) >>> shift;
        if (op == 0 || op == FALLOC_UNSHARE_RANGE) {
            if (op == FALLOC_UNSHARE_RANGE) {
                // Blocks past EOF are never shared; as in XFS, unsharing also preallocates the range's holes.
                Reflink.unshareLocked(ip, fb, Math.min(lastExcl, (core.size() + bs - 1) >>> shift));
            }
            FileAllocation.preallocateLocked(ip, fb, lastExcl);
        } else {
            long innerStart = (offset + bs - 1) >>> shift;
            long innerEnd = end >>> shift;
            if (innerStart > innerEnd) {
                zeroPartialBlockLocked(ip, offset, length);
            } else {
                zeroPartialBlockLocked(ip, offset, (innerStart << shift) - offset);
                if ((end & (bs - 1)) != 0) {
                    zeroPartialBlockLocked(ip, innerEnd << shift, end - (innerEnd << shift));
                }
            }
            if (innerEnd > innerStart) {
                ip.reservations().reserveMetadataLocked(8);
                Transaction t = new Transaction(mount.metadata());
                ip.blocks().unmapAndReleaseLocked(t, core, innerStart, innerEnd - innerStart);
                mount.log().commitLocked(t);
                if (op == FALLOC_ZERO_RANGE) {
                    FileAllocation.preallocateLocked(ip, innerStart, innerEnd);
                }
            }
        }
        if (!keepSize && end > core.size()) {
            Transaction t = new Transaction(mount.metadata());
            t.add(LogItem.Core.of(core).size(end).modified(Timestamps.now()));
            mount.log().commitLocked(t);
        }
        mount.log().pushIfLargeLocked();
        return 0;
    }

    /**
     * Zeroes {@code [pos, pos + len)} inside one block on disk if the block holds written data (holes and unwritten
     * blocks read as zeros already); a shared block is first given a private copy.
     */
    private static void zeroPartialBlockLocked(XfsLikeInode ip, long pos, long len) throws JiomapException {
        int bs = ip.blockSize();
        if ((pos & (bs - 1)) == 0 && len >= bs) {
            return;
        }
        MountState mount = ip.mount();
        long fb = pos >>> ip.shift();
        Extent e = ip.core().data().find(fb);
        if (e == null || e.unwritten()) {
            return;
        }
        long block = e.blockOf(fb);
        byte[] data = mount.disk().read(block, 1);
        int from = (int) (pos & (bs - 1));
        Arrays.fill(data, from, (int) Math.min(bs, from + len), (byte) 0);
        if (mount.metadata().refcount().isShared(block, 1)) {
            Transaction t = new Transaction(mount.metadata());
            remapToCopyLocked(ip, t, fb, data);
            mount.log().commitLocked(t);
        } else {
            if (mount.allocator().isRecentlyUnshared(block, 1)) {
                // Another file may still map this block on disk: make the unsharing stable before writing in place.
                mount.log().forceLogLocked();
            }
            mount.disk().write(block, data, 0);
        }
    }

    /**
     * Truncating into the middle of a written block: the bytes past the new EOF must read as zeros once the file
     * grows again, but zeroing them in place before the size change is stable would let a crash show the old size
     * with those bytes gone. So the block is copied with its tail zeroed to a new block, which replaces it in the
     * truncate's own transaction: either both happen or neither. The transaction is still empty, so the allocation
     * may force the log.
     */
    private static void replaceEofBlockLocked(XfsLikeInode ip, Transaction t, long newSize) throws JiomapException {
        int bs = ip.blockSize();
        if ((newSize & (bs - 1)) == 0) {
            return;
        }
        long fb = newSize >>> ip.shift();
        Extent e = ip.core().data().find(fb);
        if (e == null || e.unwritten()) {
            return;
        }
        byte[] data = ip.mount().disk().read(e.blockOf(fb), 1);
        Arrays.fill(data, (int) (newSize & (bs - 1)), bs, (byte) 0);
        remapToCopyLocked(ip, t, fb, data);
    }

    /**
     * In {@code t}, maps file block {@code fb} to a newly allocated block holding {@code data} and releases the old
     * one: a private copy of a shared block, or a change that must become visible only with {@code t}. {@code t}
     * holds nothing yet, so the allocation may force the log.
     */
    private static void remapToCopyLocked(XfsLikeInode ip, Transaction t, long fb, byte[] data)
            throws JiomapException {
        InodeCore core = ip.core();
        int ag = Metadata.agOfIno(core.ino());
        ip.blocks().prepareLocked(1, ag);
        Allocator.Piece p = ip.blocks().allocateLocked(t, ag, -1, 1).getFirst();
        ip.mount().disk().write(p.start(), data, 0);
        ip.blocks().unmapAndReleaseLocked(t, core, fb, 1);
        t.add(new LogItem.Map(core.ino(), new Extent(fb, p.start(), 1, false)));
    }
}
