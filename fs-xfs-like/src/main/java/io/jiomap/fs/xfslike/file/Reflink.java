package io.jiomap.fs.xfslike.file;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.api.vfs.Timestamps;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Allocator;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.meta.RefcountIndex;
import io.jiomap.fs.xfslike.mount.MountState;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocks shared between files (the kernel's {@code xfs_reflink.c}): sharing them (clone), breaking the sharing on
 * write (copy-on-write staging in the CoW fork, ended or cancelled by end_io) or on request (fallocate's unshare),
 * and reporting it (fiemap's SHARED).
 */
final class Reflink {
    private Reflink() {
    }

    // ---- copy-on-write ----

    /**
     * Shared blocks under a direct write: a copy-on-write allocation in the CoW fork, staged in the refcount index so
     * recovery frees it after a crash, reported MAPPED + SHARED with the data-fork extent as srcmap; end_io remaps
     * it. Blocks the write covers only in part get the old contents copied first (the engine does not read srcmap).
     */
    static int copyOnWriteLocked(XfsLikeInode ip, IomapIter iter, long pos, long length, long fb, long sharedLen,
                                 long dataBlock, Iomap iomap, Iomap srcmap) throws JiomapException {
        MountState mount = ip.mount();
        InodeCore core = ip.core();
        int shift = ip.shift();
        Extent staged = core.cow().find(fb);
        if (staged == null) {
            long last = (pos + length - 1) >>> shift;
            long count = Math.min(sharedLen, last + 1 - fb);
            Extent nextCow = core.cow().nextFrom(fb);
            if (nextCow != null) {
                count = Math.min(count, nextCow.startoff() - fb);
            }
            int ag = Metadata.agOfIno(core.ino());
            ip.blocks().prepareLocked(FileAllocation.blocksNeededLocked(ip, fb, last), ag);
            ip.reservations().reserveMetadataLocked(count + 8);
            WriteRequestState.reserveEndIoRoomLocked(iter, ip.reservations());
            Transaction t = new Transaction(mount.metadata());
            List<Allocator.Piece> pieces = ip.blocks().allocateLocked(t, ag, -1, count);
            long off = fb;
            for (Allocator.Piece p : pieces) {
                t.add(new LogItem.Stage(p.start(), p.length()));
                core.cow().insert(new Extent(off, p.start(), p.length(), false));
                off += p.length();
            }
            mount.log().commitLocked(t);
            mount.log().pushIfLargeLocked();
            staged = core.cow().find(fb);
            copyPartialBlocksLocked(ip, pos, length, fb, count);
        } else {
            // An earlier mapping of this write, or an aligned write beside it, staged these blocks. A partial write
            // never finds staging a failed write left behind: it took the lock exclusively, which cancels that.
            WriteRequestState.reserveEndIoRoomLocked(iter, ip.reservations());
        }
        long run = Math.min(staged.end(), fb + sharedLen) - fb;
        int dirty = mount.log().dataDirtyLocked(core) || pos + length > core.size() ? Iomap.F_DIRTY : 0;
        iomap.set(fb << shift, run << shift, staged.blockOf(fb) << shift, IomapType.MAPPED, Iomap.F_SHARED | dirty);
        srcmap.set(fb << shift, run << shift, dataBlock << shift, IomapType.MAPPED, 0);
        return 0;
    }

    /** Copies the old contents of the blocks the write covers only in part, among the staged {@code [fb, fb+n)}. */
    private static void copyPartialBlocksLocked(XfsLikeInode ip, long pos, long length, long fb, long n)
            throws JiomapException {
        int bs = ip.blockSize();
        int shift = ip.shift();
        long end = pos + length;
        long head = pos >>> shift;
        long tail = (end - 1) >>> shift;
        boolean partialHead = (pos & (bs - 1)) != 0;
        if (partialHead && head >= fb && head < fb + n) {
            copyIntoStagingLocked(ip, head);
        }
        if ((end & (bs - 1)) != 0 && tail >= fb && tail < fb + n && !(tail == head && partialHead)) {
            copyIntoStagingLocked(ip, tail);
        }
    }

    private static void copyIntoStagingLocked(XfsLikeInode ip, long fileBlock) throws JiomapException {
        InodeCore core = ip.core();
        Disk disk = ip.mount().disk();
        long from = core.data().find(fileBlock).blockOf(fileBlock);
        long to = core.cow().find(fileBlock).blockOf(fileBlock);
        disk.write(to, disk.read(from, 1), 0);
    }

    /** xfs_reflink_end_cow: staged blocks replace the data fork's, which lose one owner. */
    static void endCowLocked(XfsLikeInode ip, Transaction t, long fb, long blocks) {
        InodeCore core = ip.core();
        for (Extent c : core.cow().overlapping(fb, blocks)) {
            t.add(new LogItem.Unstage(c.startblock(), c.blockcount()));
            ip.blocks().unmapAndReleaseLocked(t, core, c.startoff(), c.blockcount());
            t.add(new LogItem.Map(core.ino(), c));
            core.cow().remove(c.startoff(), c.blockcount());
        }
    }

    /** xfs_reflink_cancel_cow_range: staged blocks go back to the free space. */
    static void cancelCowLocked(InodeCore core, Transaction t, long fb, long blocks) {
        for (Extent c : core.cow().overlapping(fb, blocks)) {
            t.add(new LogItem.Unstage(c.startblock(), c.blockcount()));
            t.add(new LogItem.Give(c.startblock(), c.blockcount()));
            core.cow().remove(c.startoff(), c.blockcount());
        }
    }

    /**
     * With the I/O lock exclusive and direct I/O drained no write is in flight, so copy-on-write staging still in
     * the CoW fork belongs to none: a write that failed before its first bio left it (its end_io cancels only what
     * it submitted). It goes back to the free space here, as truncate and punch do in XFS
     * (xfs_reflink_cancel_cow_range), so nothing reuses its stale contents and no space stays held until remount.
     */
    static void cancelLeftoverCowLocked(XfsLikeInode ip) {
        InodeCore core = ip.core();
        if (core.cow().isEmpty()) {
            return;
        }
        Transaction t = new Transaction(ip.mount().metadata());
        cancelCowLocked(core, t, 0, Long.MAX_VALUE / 2);
        ip.mount().log().commitLocked(t);
    }

    // ---- unshare ----

    /** Blocks copied per transaction by {@link #unshareLocked}: bounds the buffer and the transaction. */
    static final int UNSHARE_CHUNK = 256;

    /**
     * FALLOC_FL_UNSHARE_RANGE (xfs_reflink_unshare): every shared block of file blocks {@code [fb, endBlock)} gets a
     * private copy, at most {@link #UNSHARE_CHUNK} blocks per transaction. Each copy is written before the
     * transaction that maps it and drops one owner of the old blocks, so a crash shows either the shared blocks or
     * the copies, never a block mapped without its data. Unwritten extents and holes are never shared.
     */
    static void unshareLocked(XfsLikeInode ip, long fb, long endBlock) throws JiomapException {
        InodeCore core = ip.core();
        RefcountIndex refcount = ip.mount().metadata().refcount();
        long off = fb;
        while (off < endBlock) {
            Extent e = core.data().find(off);
            if (e == null) {
                Extent next = core.data().nextFrom(off);
                if (next == null) {
                    return;
                }
                off = next.startoff();
                continue;
            }
            long stop = Math.min(e.end(), endBlock);
            RefcountIndex.Shared shared = null;
            if (!e.unwritten()) {
                for (RefcountIndex.Shared s : refcount.counts(e.blockOf(off), stop - off)) {
                    if (s.count() >= 2) {
                        shared = s;
                        break;
                    }
                }
            }
            if (shared == null) {
                off = stop;
                continue;
            }
            long at = off + (shared.start() - e.blockOf(off));
            long n = Math.min(shared.length(), UNSHARE_CHUNK);
            copyOffLocked(ip, at, shared.start(), n);
            off = at + n;
        }
    }

    /** Maps file blocks {@code [fb, fb + n)}, now device blocks {@code [from, from + n)}, to a fresh copy of them. */
    private static void copyOffLocked(XfsLikeInode ip, long fb, long from, long n) throws JiomapException {
        MountState mount = ip.mount();
        InodeCore core = ip.core();
        Disk disk = mount.disk();
        int ag = Metadata.agOfIno(core.ino());
        ip.blocks().prepareLocked(n, ag);
        ip.reservations().reserveMetadataLocked(n * 2 + 8);
        byte[] data = disk.read(from, (int) n);
        int bs = ip.blockSize();
        Transaction t = new Transaction(mount.metadata());
        List<Allocator.Piece> pieces = ip.blocks().allocateLocked(t, ag, -1, n);
        long at = fb;
        int done = 0;
        for (Allocator.Piece p : pieces) {
            disk.writeBytes(p.start() * bs, data, done * bs, (int) p.length() * bs, 0);
            done += (int) p.length();
        }
        ip.blocks().unmapAndReleaseLocked(t, core, fb, n);
        for (Allocator.Piece p : pieces) {
            t.add(new LogItem.Map(core.ino(), new Extent(at, p.start(), p.length(), false)));
            at += p.length();
        }
        mount.log().commitLocked(t);
        mount.log().pushIfLargeLocked();
    }

    // ---- clone ----

    /** FICLONERANGE: both files alone (the lower inode number locked first), then {@link #remapLocked}. */
    static int cloneRange(XfsLikeInode dst, Inode source, long srcOffset, long dstOffset, long length) {
        if (!(source instanceof XfsLikeInode src) || src.mount() != dst.mount()) {
            return -Errno.EXDEV;
        }
        if (!dst.mount().log().superblock().reflink()) {
            return -Errno.EOPNOTSUPP;
        }
        if (dst.isRemoved() || src.isRemoved()) {
            return -Errno.ENOENT;
        }
        XfsLikeInode firstLock = src.ino() <= dst.ino() ? src : dst;
        XfsLikeInode secondLock = firstLock == dst ? src : dst;
        firstLock.lockExclusiveAndDrain();
        if (secondLock != firstLock) {
            secondLock.lockExclusiveAndDrain();
        }
        try {
            dst.mount().lockMetadata();
            try {
                return remapLocked(src, dst, srcOffset, dstOffset, length);
            } finally {
                dst.mount().unlockMetadata();
            }
        } catch (JiomapException e) {
            return -e.errno();
        } finally {
            if (secondLock != firstLock) {
                secondLock.unlockExclusive();
            }
            firstLock.unlockExclusive();
        }
    }

    /** xfs_reflink_remap_range, under both I/O locks and the metadata lock. */
    private static int remapLocked(XfsLikeInode src, XfsLikeInode dst, long srcOffset, long dstOffset, long length)
            throws JiomapException {
        InodeCore core = dst.core();
        int bs = dst.blockSize();
        int shift = dst.shift();
        long len = length == 0 ? src.size() - srcOffset : length;
        if (srcOffset < 0 || dstOffset < 0 || len < 0 || srcOffset + len > src.size()) {
            return -Errno.EINVAL;
        }
        if (((srcOffset | dstOffset) & (bs - 1)) != 0) {
            return -Errno.EINVAL;
        }
        boolean toSourceEof = srcOffset + len == src.size();
        if ((len & (bs - 1)) != 0 && !(toSourceEof && dstOffset + len >= core.size())) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        long blocks = (len + bs - 1) >>> shift;
        long sfb = srcOffset >>> shift;
        long dfb = dstOffset >>> shift;
        if (src == dst && sfb < dfb + blocks && dfb < sfb + blocks) {
            return -Errno.EINVAL;
        }
        List<Extent> pieces = src.core().data().overlapping(sfb, blocks);
        dst.reservations().reserveMetadataLocked(pieces.size() * 6L + 16);
        MountState mount = dst.mount();
        Transaction t = new Transaction(mount.metadata());
        dst.blocks().unmapAndReleaseLocked(t, core, dfb, blocks);
        for (Extent p : pieces) {
            if (p.unwritten()) {
                // Unwritten blocks read as zeros: the destination gets a hole, which reads the same.
                continue;
            }
            t.add(new LogItem.Refcount(p.startblock(), p.blockcount(), 1));
            t.add(new LogItem.Map(core.ino(), new Extent(dfb + (p.startoff() - sfb), p.startblock(), p.blockcount(),
                    false)));
        }
        long newSize = Math.max(core.size(), dstOffset + len);
        t.add(LogItem.Core.of(core).size(newSize).modified(Timestamps.now()));
        mount.log().commitLocked(t);
        mount.log().pushIfLargeLocked();
        return 0;
    }

    // ---- reporting ----

    /** fiemap: the file's extents in {@code [start, start + length)}, each piece flagged SHARED where it is. */
    static List<FileExtent> fiemap(XfsLikeInode ip, long start, long length) {
        List<FileExtent> out = new ArrayList<>();
        if (length <= 0 || start < 0) {
            return out;
        }
        MountState mount = ip.mount();
        int bs = ip.blockSize();
        int shift = ip.shift();
        InodeCore core = ip.core();
        mount.lockMetadata();
        try {
            RefcountIndex refcount = mount.metadata().refcount();
            long fb = start >>> shift;
            long endBlock = Math.min(Long.MAX_VALUE >>> (shift + 1), (start + length + bs - 1) >>> shift);
            Extent lastOfFile = core.data().last();
            for (Extent e : core.data().overlapping(fb, endBlock - fb)) {
                List<RefcountIndex.Shared> counts = e.unwritten()
                        ? List.of(new RefcountIndex.Shared(e.startblock(), e.blockcount(), 1))
                        : refcount.counts(e.startblock(), e.blockcount());
                for (RefcountIndex.Shared s : counts) {
                    long logical = e.startoff() + (s.start() - e.startblock());
                    int flags = (e.unwritten() ? FileExtent.UNWRITTEN : 0) | (s.count() >= 2 ? FileExtent.SHARED : 0);
                    boolean last = lastOfFile != null && logical + s.length() == lastOfFile.end();
                    if (last) {
                        flags |= FileExtent.LAST;
                    }
                    out.add(new FileExtent(logical << shift, s.start() << shift, s.length() << shift, flags));
                }
            }
            return out;
        } finally {
            mount.unlockMetadata();
        }
    }
}
