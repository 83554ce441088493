package io.jiomap.fs.xfslike;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FileExtent;
import io.jiomap.api.fs.FileStat;
import io.jiomap.api.fs.FileSystem;
import io.jiomap.api.fs.Inode;
import io.jiomap.api.io.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Allocator;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.ExtentMap;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.meta.RefcountIndex;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A regular file of the XFS-like filesystem: the iomap callbacks and end_io of its direct I/O, and the operations
 * that change its blocks.
 *
 * <p>Locking as XFS (docs/filesystems.md, "xfs-like locking"): block-aligned writes inside or at EOF take the I/O lock
 * shared; sub-block writes first try shared as overwrite-only and otherwise take it exclusive, drain and force the
 * engine to wait; a write starting past EOF takes it exclusive and drains. NOWAIT I/O that would block gets
 * -EAGAIN. truncate, fallocate and clone hold it exclusive and drain. end_io takes only the metadata lock, never
 * the I/O lock, so a drainer running a deferred completion can never wait for itself (docs/design-rules.md, "Rule 1";
 * docs/dio-contract.md, "TV30").
 */
final class XfsLikeInode extends Inode implements DioOps {
    /** The iocb of the write being mapped on this thread, so begin can reserve end_io room for that request. */
    private static final ThreadLocal<Iocb> MAPPING = new ThreadLocal<>();

    private final XfsLikeFileSystem fs;
    private final InodeCore core;
    private final int bs;
    private final int shift;
    private final ReentrantReadWriteLock iolock = new ReentrantReadWriteLock();
    private final ReadOps readOps = new ReadOps();
    private final WriteOps writeOps = new WriteOps();
    private volatile boolean removed;

    XfsLikeInode(XfsLikeFileSystem fs, InodeCore core) {
        this.fs = fs;
        this.core = core;
        this.bs = fs.blockSize();
        this.shift = Integer.numberOfTrailingZeros(bs);
    }

    void markRemoved() {
        removed = true;
    }

    @Override
    public FileSystem fileSystem() {
        return fs;
    }

    @Override
    public long ino() {
        return core.ino();
    }

    @Override
    public long size() {
        return core.size();
    }

    void lockExclusiveAndDrain() {
        iolock.writeLock().lock();
        dio().waitForDrain();
        cancelLeftoverCow();
    }

    /**
     * With the I/O lock exclusive and direct I/O drained no write is in flight, so copy-on-write staging still in
     * the CoW fork belongs to none: a write that failed before its first bio left it (its end_io cancels only what
     * it submitted). It goes back to the free space here, as truncate and punch do in XFS
     * (xfs_reflink_cancel_cow_range), so nothing reuses its stale contents and no space stays held until remount.
     */
    private void cancelLeftoverCow() {
        fs.meta.lock();
        try {
            if (core.cow().isEmpty()) {
                return;
            }
            Transaction t = new Transaction(fs.md);
            cancelCow(t, 0, Long.MAX_VALUE / 2);
            fs.commit(t);
        } finally {
            fs.meta.unlock();
        }
    }

    void unlockExclusive() {
        iolock.writeLock().unlock();
    }

    private boolean lockShared(boolean nowait) {
        if (nowait) {
            return iolock.readLock().tryLock();
        }
        iolock.readLock().lock();
        return true;
    }

    // ---- read and write ----

    @Override
    public long read(Iocb iocb, MemorySegment buffer, long offset, long length) {
        if (removed) {
            return -Errno.ENOENT;
        }
        if (!lockShared(iocb.hasFlag(Iocb.NOWAIT))) {
            return -Errno.EAGAIN;
        }
        try {
            return fs.directIo.rw(iocb, buffer, offset, length, readOps, null, 0, null, 0);
        } finally {
            iolock.readLock().unlock();
        }
    }

    @Override
    public long write(Iocb iocb, MemorySegment buffer, long offset, long length) {
        if (removed) {
            return -Errno.ENOENT;
        }
        if (fs.isUnmounted()) {
            return -Errno.ESHUTDOWN;
        }
        long pos = iocb.position();
        boolean nowait = iocb.hasFlag(Iocb.NOWAIT);
        boolean aligned = ((pos | length) & (bs - 1)) == 0;
        boolean pastEof = pos > core.size();
        MAPPING.set(iocb);
        try {
            // xfs_file_dio_write_unaligned: a sub-block write touching EOF needs exclusivity for the zeroing.
            if (!pastEof && (aligned || pos + length < core.size())) {
                if (!lockShared(nowait)) {
                    return -Errno.EAGAIN;
                }
                long r;
                try {
                    r = fs.directIo.rw(iocb, buffer, offset, length, writeOps, this,
                            aligned ? 0 : DirectIoEngine.OVERWRITE_ONLY, null, 0);
                } finally {
                    iolock.readLock().unlock();
                }
                settle(iocb, r);
                if (aligned || r != -Errno.EAGAIN || nowait) {
                    return r;
                }
            } else if (nowait) {
                // Exclusive lock and a drain would block (xfs_file_dio_write_unaligned / write checks).
                return -Errno.EAGAIN;
            }
            // Sub-block zeroing or a write past EOF: nobody else may write these blocks meanwhile.
            lockExclusiveAndDrain();
            long r;
            try {
                r = fs.directIo.rw(iocb, buffer, offset, length, writeOps, this,
                        aligned ? 0 : DirectIoEngine.FORCE_WAIT, null, 0);
            } finally {
                unlockExclusive();
            }
            settle(iocb, r);
            return r;
        } finally {
            // set(null), not remove(): the thread's entry stays, so the next write allocates nothing here.
            MAPPING.set(null);
        }
    }

    /** A request that ended without queueing ran end_io already or never will: drop what it reserved. */
    private void settle(Iocb iocb, long r) {
        if (r != -Errno.EIOCBQUEUED) {
            fs.releaseEndIo(iocb);
        }
    }

    /** Mapping for reads: MAPPED, UNWRITTEN or HOLE from the data fork. */
    private final class ReadOps implements IomapOps {
        @Override
        public int begin(IomapIter iter) {
            long pos = iter.pos();
            long length = iter.length();
            int flags = iter.flags();
            Iomap iomap = iter.iomap();
            if ((flags & NOWAIT) != 0) {
                if (!fs.meta.tryLock()) {
                    return -Errno.EAGAIN;
                }
            } else {
                fs.meta.lock();
            }
            try {
                long fb = pos >>> shift;
                long last = (pos + length - 1) >>> shift;
                ExtentMap map = core.data();
                long at = map.locate(fb);
                if (at < 0) {
                    Extent next = map.nextFrom(fb);
                    long end = next == null ? last + 1 : Math.min(next.startoff(), last + 1);
                    iomap.set(fb << shift, (end - fb) << shift, Iomap.NULL_ADDRESS, IomapType.HOLE, 0);
                } else {
                    // Read through the position, not an Extent: a mapping allocates nothing.
                    long start = map.startoff(at);
                    long end = Math.min(start + map.blockcount(at), last + 1);
                    iomap.set(fb << shift, (end - fb) << shift, (map.startblock(at) + fb - start) << shift,
                            map.unwritten(at) ? IomapType.UNWRITTEN : IomapType.MAPPED, 0);
                }
                return 0;
            } finally {
                fs.meta.unlock();
            }
        }
    }

    /** Mapping for direct writes: what xfs_direct_write_iomap_begin reports. */
    private final class WriteOps implements IomapOps {
        @Override
        public int begin(IomapIter iter) {
            long pos = iter.pos();
            long length = iter.length();
            int flags = iter.flags();
            Iomap iomap = iter.iomap();
            Iomap srcmap = iter.srcmap();
            boolean nowait = (flags & NOWAIT) != 0;
            boolean overwriteOnly = (flags & OVERWRITE_ONLY) != 0;
            if (nowait) {
                if (!fs.meta.tryLock()) {
                    return -Errno.EAGAIN;
                }
            } else {
                fs.meta.lock();
            }
            try {
                if (removed) {
                    return -Errno.ENOENT;
                }
                long fb = pos >>> shift;
                long last = (pos + length - 1) >>> shift;
                ExtentMap map = core.data();
                long at = map.locate(fb);
                if (at < 0) {
                    if (nowait || overwriteOnly) {
                        return -Errno.EAGAIN;
                    }
                    return allocateHole(pos, length, fb, last, iomap);
                }
                // Read through the position, not an Extent: an overwrite's mapping allocates nothing.
                boolean unwritten = map.unwritten(at);
                long block = map.startblock(at) + fb - map.startoff(at);
                long runEnd = Math.min(map.startoff(at) + map.blockcount(at), last + 1);
                if (!unwritten && fs.md.refcount().sharedCount() > 0) {
                    List<RefcountIndex.Shared> counts = fs.md.refcount().counts(block, runEnd - fb);
                    RefcountIndex.Shared firstPiece = counts.getFirst();
                    if (firstPiece.count() >= 2) {
                        if (nowait || overwriteOnly) {
                            return -Errno.EAGAIN;
                        }
                        return copyOnWrite(pos, length, fb, firstPiece.length(), block, iomap, srcmap);
                    }
                    runEnd = fb + firstPiece.length();
                } else if (unwritten && overwriteOnly && ((pos | length) & (bs - 1)) != 0) {
                    return -Errno.EAGAIN;
                }
                if (overwriteOnly && runEnd << shift < pos + length) {
                    // One mapping must cover the whole overwrite-only write: a refusal after a submitted mapping
                    // would fail the write asynchronously instead of sending it to the exclusive path.
                    return -Errno.EAGAIN;
                }
                if (!unwritten && fs.alloc.isRecentlyUnshared(block, runEnd - fb)) {
                    // Another file may still map these blocks on disk: make the unsharing stable first.
                    if (nowait) {
                        return -Errno.EAGAIN;
                    }
                    fs.forceLog();
                }
                boolean extending = pos + length > core.size();
                if (unwritten || extending) {
                    fs.reserveEndIo(MAPPING.get());
                }
                int dirty = fs.dataDirty(core) || extending ? Iomap.F_DIRTY : 0;
                iomap.set(fb << shift, (runEnd - fb) << shift, block << shift,
                        unwritten ? IomapType.UNWRITTEN : IomapType.MAPPED, dirty);
                return 0;
            } catch (JiomapException ex) {
                return -ex.errno();
            } finally {
                fs.meta.unlock();
            }
        }
    }

    /** Blocks the write {@code [fb, last]} still needs: its holes and its shared blocks. Caller holds the lock. */
    private long blocksNeeded(long fb, long last) {
        long need = 0;
        long off = fb;
        for (Extent e : core.data().overlapping(fb, last + 1 - fb)) {
            need += e.startoff() - off;
            if (!e.unwritten()) {
                for (RefcountIndex.Shared s : fs.md.refcount().counts(e.startblock(), e.blockcount())) {
                    need += s.count() >= 2 ? s.length() : 0;
                }
            }
            off = e.end();
        }
        return need + (last + 1 - off);
    }

    /**
     * A hole: allocates unwritten extents for the hole's part of the write (XFS allocates unwritten for direct
     * writes, so a crash before end_io shows zeros, never stale blocks) and reports UNWRITTEN + NEW. ENOSPC is
     * decided for the whole write before anything is allocated.
     */
    private int allocateHole(long pos, long length, long fb, long last, Iomap iomap) throws JiomapException {
        Extent next = core.data().nextFrom(fb);
        long holeEnd = next == null ? last + 1 : Math.min(next.startoff(), last + 1);
        long count = holeEnd - fb;
        long total = blocksNeeded(fb, last);
        int ag = Metadata.agOfIno(core.ino());
        fs.prepareAllocation(total, ag);
        fs.reserveMetadata(Math.min(count, fs.freeExtentCount()) * 2 + 4);
        fs.reserveEndIo(MAPPING.get());
        Transaction t = new Transaction(fs.md);
        List<Allocator.Piece> pieces = fs.allocate(t, ag, goalFor(fb), count);
        long off = fb;
        for (Allocator.Piece p : pieces) {
            t.add(new LogItem.Map(core.ino(), new Extent(off, p.start(), p.length(), true)));
            off += p.length();
        }
        markPreallocIfPastEof(t, holeEnd);
        fs.commit(t);
        fs.pushIfLarge();
        Allocator.Piece first = pieces.getFirst();
        int dirty = Iomap.F_DIRTY;
        iomap.set(fb << shift, first.length() << shift, first.start() << shift, IomapType.UNWRITTEN,
                Iomap.F_NEW | dirty);
        return 0;
    }

    /** The block right after the file's extent before {@code fb}: where an append continues contiguously. */
    private long goalFor(long fb) {
        // One lookup: listing every extent before fb made each allocating write cost O(extents in the file).
        Extent prev = core.data().lastBefore(fb);
        return prev == null ? -1 : prev.startblock() + prev.blockcount();
    }

    /** Blocks ending past the EOF block need the prealloc marker (fsck: blocks past EOF only with it). */
    private void markPreallocIfPastEof(Transaction t, long endBlock) {
        long eofBlocks = (core.size() + bs - 1) >>> shift;
        if (endBlock > eofBlocks && !core.hasFlag(InodeCore.FLAG_PREALLOC)) {
            t.add(new LogItem.Core(core.ino(), core.size(), core.nlink(), core.flags() | InodeCore.FLAG_PREALLOC,
                    core.mtime(), core.ctime(), false));
        }
    }

    /**
     * Shared blocks: a copy-on-write allocation in the CoW fork, staged in the refcount index so recovery frees it
     * after a crash, reported MAPPED + SHARED with the data-fork extent as srcmap. end_io remaps it.
     * Blocks the write covers only in part get the old contents copied first (the engine does not read srcmap).
     */
    private int copyOnWrite(long pos, long length, long fb, long sharedLen, long dataBlock, Iomap iomap,
                            Iomap srcmap)
            throws JiomapException {
        Extent staged = core.cow().find(fb);
        if (staged == null) {
            long last = (pos + length - 1) >>> shift;
            long count = Math.min(sharedLen, last + 1 - fb);
            Extent nextCow = core.cow().nextFrom(fb);
            if (nextCow != null) {
                count = Math.min(count, nextCow.startoff() - fb);
            }
            int ag = Metadata.agOfIno(core.ino());
            fs.prepareAllocation(blocksNeeded(fb, last), ag);
            fs.reserveMetadata(count + 8);
            fs.reserveEndIo(MAPPING.get());
            Transaction t = new Transaction(fs.md);
            List<Allocator.Piece> pieces = fs.allocate(t, ag, -1, count);
            long off = fb;
            for (Allocator.Piece p : pieces) {
                t.add(new LogItem.Stage(p.start(), p.length()));
                core.cow().insert(new Extent(off, p.start(), p.length(), false));
                off += p.length();
            }
            fs.commit(t);
            fs.pushIfLarge();
            staged = core.cow().find(fb);
            copyPartialBlocks(pos, length, fb, count);
        } else {
            // An earlier mapping of this write, or an aligned write beside it, staged these blocks. A partial write
            // never finds staging a failed write left behind: it took the lock exclusively, which cancels that.
            fs.reserveEndIo(MAPPING.get());
        }
        long run = Math.min(staged.end(), fb + sharedLen) - fb;
        int dirty = fs.dataDirty(core) || pos + length > core.size() ? Iomap.F_DIRTY : 0;
        iomap.set(fb << shift, run << shift, staged.blockOf(fb) << shift, IomapType.MAPPED, Iomap.F_SHARED | dirty);
        srcmap.set(fb << shift, run << shift, dataBlock << shift, IomapType.MAPPED, 0);
        return 0;
    }

    /** Copies the old contents of the blocks the write covers only in part, among the staged {@code [fb, fb+n)}. */
    private void copyPartialBlocks(long pos, long length, long fb, long n) throws JiomapException {
        long end = pos + length;
        long head = pos >>> shift;
        long tail = (end - 1) >>> shift;
        boolean partialHead = (pos & (bs - 1)) != 0;
        if (partialHead && head >= fb && head < fb + n) {
            copyIntoStaging(head);
        }
        if ((end & (bs - 1)) != 0 && tail >= fb && tail < fb + n && !(tail == head && partialHead)) {
            copyIntoStaging(tail);
        }
    }

    private void copyIntoStaging(long fileBlock) throws JiomapException {
        copyBlock(core.data().find(fileBlock).blockOf(fileBlock), core.cow().find(fileBlock).blockOf(fileBlock));
    }

    private void copyBlock(long from, long to) throws JiomapException {
        fs.disk.write(to, fs.disk.read(from, 1), 0);
    }

    // ---- end_io ----

    /**
     * xfs_dio_write_end_io: on success converts the written unwritten blocks, ends copy-on-write (remap, old blocks
     * lose a reference) and raises the size, in one transaction whose room was reserved at begin; on error cancels
     * the CoW staging of the range. Takes only the metadata lock (class comment).
     */
    @Override
    public long endIo(IomapIter iter, long size, int error, int flags) {
        Iocb iocb = iter.iocb();
        long pos = iocb.position();
        if (error == 0 && flags == 0 && pos + size <= core.size()) {
            fs.releaseEndIo(iocb);
            return 0;
        }
        fs.meta.lock();
        try {
            if (removed || size == 0) {
                return error != 0 ? -error : 0;
            }
            long fb = pos >>> shift;
            long blocks = ((pos + size + bs - 1) >>> shift) - fb;
            Transaction t = new Transaction(fs.md);
            if (error != 0) {
                if ((flags & COW) != 0) {
                    cancelCow(t, fb, blocks);
                    fs.commit(t);
                }
                return -error;
            }
            if ((flags & COW) != 0) {
                endCow(t, fb, blocks);
            }
            if ((flags & UNWRITTEN) != 0) {
                for (Extent e : core.data().overlapping(fb, blocks)) {
                    if (e.unwritten()) {
                        t.add(new LogItem.Unmap(core.ino(), e.startoff(), e.blockcount()));
                        t.add(new LogItem.Map(core.ino(), e.withUnwritten(false)));
                    }
                }
            }
            if (pos + size > core.size()) {
                t.add(new LogItem.Core(core.ino(), pos + size, core.nlink(), core.flags(),
                        System.currentTimeMillis(), System.currentTimeMillis(), false));
            }
            fs.commit(t);
            return 0;
        } finally {
            fs.meta.unlock();
            fs.releaseEndIo(iocb);
        }
    }

    /** xfs_reflink_end_cow: staged blocks replace the data fork's, which lose one owner. */
    private void endCow(Transaction t, long fb, long blocks) {
        for (Extent c : core.cow().overlapping(fb, blocks)) {
            t.add(new LogItem.Unstage(c.startblock(), c.blockcount()));
            fs.unmapAndRelease(t, core, c.startoff(), c.blockcount());
            t.add(new LogItem.Map(core.ino(), c));
            core.cow().remove(c.startoff(), c.blockcount());
        }
    }

    /** xfs_reflink_cancel_cow_range: staged blocks go back to the free space. */
    private void cancelCow(Transaction t, long fb, long blocks) {
        for (Extent c : core.cow().overlapping(fb, blocks)) {
            t.add(new LogItem.Unstage(c.startblock(), c.blockcount()));
            t.add(new LogItem.Give(c.startblock(), c.blockcount()));
            core.cow().remove(c.startoff(), c.blockcount());
        }
    }

    // ---- sync, size, space ----

    @Override
    public int fsync(long start, long end, boolean datasync) {
        if (removed) {
            return 0;
        }
        return fs.fsync(core, datasync);
    }

    @Override
    public int truncate(long newSize) {
        if (newSize < 0) {
            return -Errno.EINVAL;
        }
        if (removed) {
            return -Errno.ENOENT;
        }
        return alone(() -> {
            fs.reserveMetadata(8);
            long old = core.size();
            Transaction t = new Transaction(fs.md);
            if (newSize < old) {
                long keep = (newSize + bs - 1) >>> shift;
                replaceEofBlock(t, newSize);
                fs.unmapAndRelease(t, core, keep, Long.MAX_VALUE / 2 - keep);
            }
            int flags = core.flags();
            if (newSize < old || core.data().isEmpty()) {
                flags &= ~InodeCore.FLAG_PREALLOC;
                Extent lastExt = core.data().last();
                if (lastExt != null && lastExt.end() > (newSize + bs - 1) >>> shift) {
                    flags |= InodeCore.FLAG_PREALLOC;
                }
            }
            long now = System.currentTimeMillis();
            t.add(new LogItem.Core(core.ino(), newSize, core.nlink(), flags, now, now, false));
            fs.commit(t);
            fs.pushIfLarge();
            return 0;
        });
    }

    /** A space change run by {@link #alone}, under the metadata lock. */
    @FunctionalInterface
    private interface SpaceChange {
        int run() throws JiomapException;
    }

    /**
     * Runs a truncate or fallocate with the file to itself (I/O lock exclusive, direct I/O drained, leftover staging
     * cancelled) and the metadata lock held; a JiomapException becomes its -errno.
     */
    private int alone(SpaceChange change) {
        lockExclusiveAndDrain();
        try {
            fs.meta.lock();
            try {
                return change.run();
            } finally {
                fs.meta.unlock();
            }
        } catch (JiomapException e) {
            return -e.errno();
        } finally {
            unlockExclusive();
        }
    }

    /**
     * Zeroes {@code [pos, pos + len)} inside one block on disk if the block holds written data (holes and unwritten
     * blocks read as zeros already); a shared block is first given a private copy. Keeps the rule that bytes past
     * EOF in the EOF block are zero, so a later extension never exposes old data. Caller holds the metadata lock.
     */
    private void zeroPartialBlock(long pos, long len) throws JiomapException {
        if ((pos & (bs - 1)) == 0 && len >= bs) {
            return;
        }
        long fb = pos >>> shift;
        Extent e = core.data().find(fb);
        if (e == null || e.unwritten()) {
            return;
        }
        long block = e.blockOf(fb);
        byte[] data = fs.disk.read(block, 1);
        int from = (int) (pos & (bs - 1));
        java.util.Arrays.fill(data, from, (int) Math.min(bs, from + len), (byte) 0);
        if (fs.md.refcount().isShared(block, 1)) {
            Transaction t = new Transaction(fs.md);
            remapToCopy(t, fb, data);
            fs.commit(t);
        } else {
            if (fs.alloc.isRecentlyUnshared(block, 1)) {
                // Another file may still map this block on disk: make the unsharing stable before writing in place.
                fs.forceLog();
            }
            fs.disk.write(block, data, 0);
        }
    }

    /**
     * Truncating into the middle of a written block: the bytes past the new EOF must read as zeros once the file
     * grows again, but zeroing them in place before the size change is stable would let a crash show the old size
     * with those bytes gone. So the block is copied with its tail zeroed to a new block, which replaces it in the
     * truncate's own transaction: either both happen or neither. Caller holds the metadata lock; the transaction is
     * still empty, so the allocation may force the log.
     */
    private void replaceEofBlock(Transaction t, long newSize) throws JiomapException {
        if ((newSize & (bs - 1)) == 0) {
            return;
        }
        long fb = newSize >>> shift;
        Extent e = core.data().find(fb);
        if (e == null || e.unwritten()) {
            return;
        }
        byte[] data = fs.disk.read(e.blockOf(fb), 1);
        java.util.Arrays.fill(data, (int) (newSize & (bs - 1)), bs, (byte) 0);
        remapToCopy(t, fb, data);
    }

    /**
     * In {@code t}, maps file block {@code fb} to a newly allocated block holding {@code data} and releases the old
     * one: a private copy of a shared block, or a change that must become visible only with {@code t}. Caller holds
     * the metadata lock; {@code t} holds nothing yet, so the allocation may force the log.
     */
    private void remapToCopy(Transaction t, long fb, byte[] data) throws JiomapException {
        int ag = Metadata.agOfIno(core.ino());
        fs.prepareAllocation(1, ag);
        Allocator.Piece p = fs.allocate(t, ag, -1, 1).getFirst();
        fs.disk.write(p.start(), data, 0);
        fs.unmapAndRelease(t, core, fb, 1);
        t.add(new LogItem.Map(core.ino(), new Extent(fb, p.start(), 1, false)));
    }

    @Override
    public int fallocate(int mode, long offset, long length) {
        int keep = mode & FALLOC_KEEP_SIZE;
        int op = mode & ~FALLOC_KEEP_SIZE;
        if (op != 0 && op != FALLOC_PUNCH_HOLE && op != FALLOC_ZERO_RANGE) {
            // Modes XFS has but this filesystem does not (collapse, insert, unshare): what vfs_fallocate answers.
            return -Errno.EOPNOTSUPP;
        }
        if (offset < 0 || length <= 0) {
            return -Errno.EINVAL;
        }
        if (op == FALLOC_PUNCH_HOLE && keep == 0) {
            return -Errno.EOPNOTSUPP;
        }
        if (removed) {
            return -Errno.ENOENT;
        }
        return alone(() -> {
            long end = offset + length;
            long fb = offset >>> shift;
            long lastExcl = (end + bs - 1) >>> shift;
            if (op == 0) {
                preallocate(fb, lastExcl);
            } else {
                long innerStart = (offset + bs - 1) >>> shift;
                long innerEnd = end >>> shift;
                if (innerStart > innerEnd) {
                    zeroPartialBlock(offset, length);
                } else {
                    zeroPartialBlock(offset, ((long) innerStart << shift) - offset);
                    if ((end & (bs - 1)) != 0) {
                        zeroPartialBlock(innerEnd << shift, end - (innerEnd << shift));
                    }
                }
                if (innerEnd > innerStart) {
                    fs.reserveMetadata(8);
                    Transaction t = new Transaction(fs.md);
                    fs.unmapAndRelease(t, core, innerStart, innerEnd - innerStart);
                    fs.commit(t);
                    if (op == FALLOC_ZERO_RANGE) {
                        preallocate(innerStart, innerEnd);
                    }
                }
            }
            if (keep == 0 && end > core.size()) {
                long now = System.currentTimeMillis();
                Transaction t = new Transaction(fs.md);
                t.add(new LogItem.Core(core.ino(), end, core.nlink(), core.flags(), now, now, false));
                fs.commit(t);
            }
            fs.pushIfLarge();
            return 0;
        });
    }

    /** Allocates unwritten extents over the holes of file blocks {@code [fb, endBlock)}; ENOSPC before anything. */
    private void preallocate(long fb, long endBlock) throws JiomapException {
        List<long[]> holes = new ArrayList<>();
        long off = fb;
        for (Extent e : core.data().overlapping(fb, endBlock - fb)) {
            if (e.startoff() > off) {
                holes.add(new long[] {off, e.startoff() - off});
            }
            off = e.end();
        }
        if (off < endBlock) {
            holes.add(new long[] {off, endBlock - off});
        }
        long need = 0;
        for (long[] h : holes) {
            need += h[1];
        }
        if (need == 0) {
            return;
        }
        int ag = Metadata.agOfIno(core.ino());
        fs.prepareAllocation(need, ag);
        fs.reserveMetadata(holes.size() * 4L + 8);
        Transaction t = new Transaction(fs.md);
        for (long[] h : holes) {
            long at = h[0];
            for (Allocator.Piece p : fs.allocate(t, ag, goalFor(at), h[1])) {
                t.add(new LogItem.Map(core.ino(), new Extent(at, p.start(), p.length(), true)));
                at += p.length();
            }
        }
        markPreallocIfPastEof(t, endBlock);
        fs.commit(t);
    }

    // ---- reflink ----

    @Override
    public int cloneRange(Inode source, long srcOffset, long dstOffset, long length) {
        if (!(source instanceof XfsLikeInode src) || src.fs != fs) {
            return -Errno.EXDEV;
        }
        if (!fs.superblock().reflink()) {
            return -Errno.EOPNOTSUPP;
        }
        if (removed || src.removed) {
            return -Errno.ENOENT;
        }
        XfsLikeInode firstLock = src.ino() <= ino() ? src : this;
        XfsLikeInode secondLock = firstLock == this ? src : this;
        firstLock.lockExclusiveAndDrain();
        if (secondLock != firstLock) {
            secondLock.lockExclusiveAndDrain();
        }
        try {
            fs.meta.lock();
            try {
                return remap(src, srcOffset, dstOffset, length);
            } finally {
                fs.meta.unlock();
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

    /** FICLONERANGE (xfs_reflink_remap_range) under both I/O locks and the metadata lock. */
    private int remap(XfsLikeInode src, long srcOffset, long dstOffset, long length) throws JiomapException {
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
        if (src == this && sfb < dfb + blocks && dfb < sfb + blocks) {
            return -Errno.EINVAL;
        }
        List<Extent> pieces = src.core.data().overlapping(sfb, blocks);
        fs.reserveMetadata(pieces.size() * 6L + 16);
        Transaction t = new Transaction(fs.md);
        fs.unmapAndRelease(t, core, dfb, blocks);
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
        long now = System.currentTimeMillis();
        t.add(new LogItem.Core(core.ino(), newSize, core.nlink(), core.flags(), now, now, false));
        fs.commit(t);
        fs.pushIfLarge();
        return 0;
    }

    // ---- stat and fiemap ----

    @Override
    public FileStat stat() {
        fs.meta.lock();
        try {
            return fs.statOf(core);
        } finally {
            fs.meta.unlock();
        }
    }

    @Override
    public List<FileExtent> fiemap(long start, long length) {
        List<FileExtent> out = new ArrayList<>();
        if (length <= 0 || start < 0) {
            return out;
        }
        fs.meta.lock();
        try {
            long fb = start >>> shift;
            long endBlock = Math.min(Long.MAX_VALUE >>> (shift + 1), (start + length + bs - 1) >>> shift);
            Extent lastOfFile = core.data().last();
            for (Extent e : core.data().overlapping(fb, endBlock - fb)) {
                List<RefcountIndex.Shared> counts = e.unwritten()
                        ? List.of(new RefcountIndex.Shared(e.startblock(), e.blockcount(), 1))
                        : fs.md.refcount().counts(e.startblock(), e.blockcount());
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
            fs.meta.unlock();
        }
    }
}
