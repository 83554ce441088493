package io.jiomap.fs.ext4like;

import io.jiomap.api.Errno;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.InodeRecord;
import io.jiomap.fs.ext4like.meta.Allocator;
import io.jiomap.fs.ext4like.meta.ExtentTree;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A file or directory of an ext4-like filesystem, with ext4's direct-I/O rules (docs/filesystems.md, "ext4-like",
 * "ext4-like direct-write mappings", "ext4-like locking"):
 * <ul>
 *   <li>iomap_begin for a write: written blocks inside EOF are MAPPED; a hole or unwritten range inside EOF is
 *       allocated or kept UNWRITTEN (+NEW when allocated) and converted by end_io in a transaction; at or past EOF
 *       blocks are allocated initialized (MAPPED+NEW), hidden by i_size and the orphan list until end_io raises the
 *       size; DIRTY when the inode's datasync transaction is not committed or the mapping crosses EOF.</li>
 *   <li>Locks: the inode lock shared for aligned overwrites of written blocks inside EOF; exclusive otherwise,
 *       with FORCE_WAIT (and a drain for unaligned non-overwrites) for unaligned or extending writes; NOWAIT gets
 *       EAGAIN wherever it would block or allocate.</li>
 *   <li>end_io needs only the metadata lock, never the inode lock, so it can run in a caller, a workqueue or a
 *       waiter while someone holds the inode lock and drains (docs/design-rules.md, "Rule 1"); its journal credits were
 *       reserved before the I/O (docs/design-rules.md, "Rule 5").</li>
 * </ul>
 */
final class Ext4Inode extends Inode implements IomapOps, DioOps, ExtentTree.Store {
    private final Ext4FileSystem fs;
    private final long ino;
    private final int bs;
    final InodeRecord rec;
    ExtentTree tree;
    /** Where the I/O paths' lookups put the extent they find; used only with the metadata lock held. */
    private final ExtentTree.Found found = new ExtentTree.Found();
    private volatile long size;
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile long datasyncTid;
    /** Set when the last name went and the blocks were freed: later I/O through a kept handle fails. */
    private volatile boolean deleted;
    private final Map<Iocb, Reserved> reservations = new IdentityHashMap<>();

    /**
     * What a write set aside before its I/O for its end_io: journal credits and extent-tree blocks (one node
     * reserve per reservation, since the tree may split at every level when an unwritten extent is split).
     */
    private record Reserved(int credits, int nodes) {
        Reserved plus(Reserved o) {
            return new Reserved(credits + o.credits, nodes + o.nodes);
        }
    }

    Ext4Inode(Ext4FileSystem fs, long ino, InodeRecord rec) {
        this.fs = fs;
        this.ino = ino;
        this.bs = fs.blockSize();
        this.rec = rec;
        this.size = rec.size;
    }

    @Override
    public FileSystem fileSystem() {
        return fs;
    }

    @Override
    public long ino() {
        return ino;
    }

    @Override
    public long size() {
        return size;
    }

    boolean isDir() {
        return rec.isDir();
    }

    /** Called with the inode lock held exclusively and direct I/O drained, before the blocks are freed. */
    void markDeleted() {
        deleted = true;
    }

    /** -ENOENT for I/O on an inode whose last name was removed, -EISDIR on a directory, else 0. */
    private int unusable() {
        return deleted ? -Errno.ENOENT : isDir() ? -Errno.EISDIR : 0;
    }

    private Journal journal() {
        return fs.journal();
    }

    // ---------------------------------------------------------------- metadata (metadata lock held)

    /** Writes the in-memory inode into its inode-table block in the running transaction. */
    void persist(boolean dataChange) {
        rec.size = size;
        tree.encodeRoot(rec.iBlock);
        fs.writeInode(ino, rec);
        if (dataChange) {
            datasyncTid = journal().runningTid();
        }
    }

    void setSizeLocked(long newSize) {
        size = newSize;
        persist(true);
    }

    /** Whether data written now needs a journal commit to be reachable after a crash (ext4_inode_datasync_dirty). */
    boolean datasyncDirty() {
        return datasyncTid > journal().committedTid();
    }

    @Override
    public byte[] read(long block) {
        return fs.cache().get(block);
    }

    @Override
    public long allocate(long goal) {
        long[] got = fs.allocator().allocate(goal == 0 ? fs.goalFor(ino) : goal, 1, true);
        rec.blocks++;
        fs.cache().fresh(got[0]);
        return got[0];
    }

    @Override
    public void write(long block, byte[] data) {
        System.arraycopy(data, 0, fs.cache().fresh(block), 0, data.length);
        journal().dirty(block);
    }

    @Override
    public void free(long block) {
        journal().revoke(block);
        fs.allocator().free(block, 1);
        rec.blocks--;
    }

    @Override
    public void rootChanged() {
        // The inode is re-encoded by persist() at the end of every operation that changes the tree.
    }

    /** Journal credits of one extent-tree change: a path split at every level, the inode, bitmap, descriptors. */
    int editCredits() {
        return 2 * (tree.depth() + 3) + 6;
    }

    private void checkTreeSpace() {
        checkTreeSpace(false);
    }

    /**
     * Whether the tree can grow by its worst case. An end_io holding a write's node reservation may use the blocks
     * set aside for end_io; everything else leaves them alone.
     */
    private void checkTreeSpace(boolean reserved) {
        Allocator a = fs.allocator();
        long room = reserved ? a.freeBlocks() : a.freeBlocks() - a.reservedNodes();
        if (room < tree.worstCaseNewNodes()) {
            throw new FsError(Errno.ENOSPC, "no room left for extent-tree blocks of inode " + ino);
        }
    }

    /** Maps [lblk, lblk+count) to new extents, replacing what was there. Metadata lock held. */
    void mapLocked(long lblk, long count, List<Extent> with) {
        checkTreeSpace();
        tree.replace(lblk, lblk + count, with);
    }

    /** {@link #mapLocked} from an end_io that reserved its tree nodes before its I/O. */
    private void mapReservedLocked(long lblk, long count, List<Extent> with) {
        checkTreeSpace(true);
        tree.replace(lblk, lblk + count, with);
    }

    /**
     * Allocates up to {@code count} blocks for logical block {@code lblk} near the goal (end of the previous
     * extent, else the inode's group), as one extent. Metadata lock held.
     */
    Extent allocateLocked(long lblk, int count, boolean unwritten) {
        checkTreeSpace();
        Extent prev = tree.findBefore(lblk);
        long goal = prev != null ? prev.physicalAt(lblk) : fs.goalFor(ino);
        int max = Math.min(count, Extent.maxLength(unwritten));
        long[] got = fs.allocator().allocate(goal, max, false);
        Extent e = new Extent(lblk, (int) got[1], got[0], unwritten);
        try {
            tree.replace(lblk, lblk + got[1], List.of(e));
        } catch (FsError err) {
            fs.allocator().free(got[0], got[1]);
            throw err;
        }
        rec.blocks += got[1];
        return e;
    }

    /** Frees every block mapped in [from, to) and unmaps it. Metadata lock held. */
    void unmapLocked(long from, long to) {
        List<Extent> gone = tree.overlapping(from, to);
        if (gone.isEmpty()) {
            return;
        }
        checkTreeSpace();
        tree.replace(from, to, List.of());
        for (Extent e : gone) {
            long s = Math.max(from, e.logical());
            long n = Math.min(to, e.end()) - s;
            if (isDir()) {
                for (long b = 0; b < n; b++) {
                    journal().revoke(e.physicalAt(s) + b);
                }
            }
            fs.allocator().free(e.physicalAt(s), n);
            rec.blocks -= n;
        }
    }

    // ---------------------------------------------------------------- iomap

    @Override
    public int begin(IomapIter iter) {
        try {
            return map(iter.pos(), iter.length(), iter.flags(), iter.iomap());
        } catch (FsError e) {
            return -e.errno();
        }
    }

    private int map(long pos, long length, int flags, Iomap iomap) {
        long lblk = pos / bs;
        long lastBlk = (pos + length - 1) / bs;
        boolean write = (flags & WRITE) != 0;
        boolean nowait = (flags & NOWAIT) != 0;
        Journal j = journal();
        j.metaLock().lock();
        try {
            ExtentTree.Found e = tree.findFrom(lblk, found) ? found : null;
            if (e != null && e.logical() <= lblk && (!e.unwritten() || !write || lblk * (long) bs < size)) {
                long end = Math.min(e.end(), lastBlk + 1);
                long off = lblk * bs;
                long len = end * bs - off;
                // ext4_set_iomap: DIRTY when the datasync transaction is uncommitted or the mapping crosses EOF.
                int dirty = write && (datasyncDirty() || off + len > size) ? Iomap.F_DIRTY : 0;
                // Unwritten inside EOF stays unwritten: end_io converts it with the credits its write reserved.
                iomap.set(off, len, e.physicalAt(lblk) * bs, e.unwritten() ? IomapType.UNWRITTEN : IomapType.MAPPED,
                        dirty);
                return 0;
            }
            if (!write) {
                long holeEnd = e == null ? Long.MAX_VALUE / bs : e.logical();
                long end = Math.min(holeEnd, lastBlk + 1);
                iomap.set(lblk * (long) bs, end * bs - lblk * (long) bs, Iomap.NULL_ADDRESS, IomapType.HOLE, 0);
                return 0;
            }
            if (nowait || (flags & OVERWRITE_ONLY) != 0) {
                return -Errno.EAGAIN;
            }
        } finally {
            j.metaLock().unlock();
        }
        return allocateForWrite(lblk, lastBlk, iomap);
    }

    private int allocateForWrite(long lblk, long lastBlk, Iomap iomap) {
        // Past EOF the blocks are initialized (hidden by i_size and the orphan list); inside EOF unwritten.
        long eofBlock = (size + bs - 1) / bs;
        boolean inside = lblk < eofBlock;
        int credits = editCredits();
        Journal j = journal();
        for (int attempt = 0; ; attempt++) {
            try (Journal.Handle h = j.start(credits)) {
                Extent cur = tree.findFrom(lblk);
                if (cur != null && cur.logical() <= lblk && cur.unwritten()) {
                    // Preallocated past EOF: written blocks now, as ext4's CREATE converts them, zeroed around.
                    long n = Math.min(cur.end(), lastBlk + 1) - lblk;
                    mapLocked(lblk, n, List.of(new Extent(lblk, (int) n, cur.physicalAt(lblk), false)));
                    persist(true);
                    iomap.set(lblk * bs, n * bs, cur.physicalAt(lblk) * bs, IomapType.MAPPED,
                            Iomap.F_NEW | Iomap.F_DIRTY);
                    return 0;
                }
                Extent next = tree.findFrom(lblk);
                long holeEnd = next == null ? Long.MAX_VALUE : next.logical();
                long want = Math.min(holeEnd, lastBlk + 1);
                if (inside) {
                    want = Math.min(want, eofBlock);
                }
                Extent e = allocateLocked(lblk, (int) Math.min(want - lblk, Extent.MAX_INIT), inside);
                persist(true);
                long off = lblk * bs;
                long len = e.length() * (long) bs;
                iomap.set(off, len, e.physical() * bs, inside ? IomapType.UNWRITTEN : IomapType.MAPPED,
                        Iomap.F_NEW | Iomap.F_DIRTY);
                return 0;
            } catch (FsError err) {
                if (err.errno() == Errno.ENOSPC && attempt == 0 && fs.allocator().busyBlocks() > 0) {
                    // Blocks freed by the running transaction become free once it commits (ext4_should_retry_alloc).
                    int r = j.commit();
                    if (r >= 0) {
                        continue;
                    }
                }
                return -err.errno();
            }
        }
    }

    // ---------------------------------------------------------------- end_io

    @Override
    public long endIo(IomapIter iter, long written, int error, int flags) {
        Iocb iocb = iter.iocb();
        long pos = iocb.position();
        Reserved reserved;
        synchronized (reservations) {
            reserved = reservations.remove(iocb);
        }
        Journal j = journal();
        boolean convert = (flags & UNWRITTEN) != 0;
        if (error != 0 || written == 0 || (!convert && pos + written <= size)) {
            // Nothing to record: a failure keeps the blocks unwritten (reads give zeros), and a pure overwrite
            // (the common, caller-completed case) stays lock-free.
            if (reserved != null) {
                j.release(reserved.credits());
                fs.allocator().releaseNodes(reserved.nodes());
            }
            return error != 0 ? -error : 0;
        }
        try {
            List<Extent> pieces;
            j.metaLock().lock();
            try {
                pieces = convert ? unwrittenIn(pos / bs, (pos + written + bs - 1) / bs) : List.of();
            } finally {
                j.metaLock().unlock();
            }
            // The first step uses what the write reserved before its I/O; further pieces (a write across several
            // unwritten extents) overdraw, committing to make room but never waiting for other writes' credits.
            try (Journal.Handle h = reserved != null ? j.adopt(reserved.credits())
                    : j.startOverdraft(editCredits() + Ext4FileSystem.ORPHAN_CREDITS + 2)) {
                if (!pieces.isEmpty()) {
                    Extent c = pieces.getFirst();
                    mapReservedLocked(c.logical(), c.length(), List.of(c));
                }
                if (pos + written > size) {
                    size = pos + written;
                    fs.orphanRemoveLocked(this);
                }
                persist(true);
            }
            for (Extent c : pieces.subList(Math.min(1, pieces.size()), pieces.size())) {
                try (Journal.Handle h = j.startOverdraft(editCredits() + 2)) {
                    mapReservedLocked(c.logical(), c.length(), List.of(c));
                    persist(true);
                }
            }
            return 0;
        } catch (FsError e) {
            return -e.errno();
        } finally {
            if (reserved != null) {
                fs.allocator().releaseNodes(reserved.nodes());
            }
        }
    }

    /** The unwritten pieces of [from, to), as written extents to replace them with. */
    private List<Extent> unwrittenIn(long from, long to) {
        List<Extent> conv = new ArrayList<>();
        for (Extent e : tree.overlapping(from, to)) {
            if (e.unwritten()) {
                long s = Math.max(from, e.logical());
                long n = Math.min(to, e.end()) - s;
                conv.add(new Extent(s, (int) n, e.physicalAt(s), false));
            }
        }
        return conv;
    }

    // ---------------------------------------------------------------- read / write

    @Override
    public long read(Iocb iocb, MemorySegment buffer, long offset, long length) {
        if (unusable() != 0) {
            return unusable();
        }
        ReentrantReadWriteLock.ReadLock l = lock.readLock();
        if (iocb.hasFlag(Iocb.NOWAIT)) {
            if (!l.tryLock()) {
                return -Errno.EAGAIN;
            }
        } else {
            l.lock();
        }
        try {
            return fs.directIo().rw(iocb, buffer, offset, length, this, null, 0, null, 0);
        } finally {
            l.unlock();
        }
    }

    @Override
    public long write(Iocb iocb, MemorySegment buffer, long offset, long length) {
        if (unusable() != 0) {
            return unusable();
        }
        if (length == 0) {
            return 0;
        }
        long pos = iocb.position();
        long end = pos + length;
        if (pos < 0 || end / bs > 0xFFFF_FFFFL) {
            return pos < 0 ? -Errno.EINVAL : -Errno.EFBIG;
        }
        boolean nowait = iocb.hasFlag(Iocb.NOWAIT);
        boolean shared = end <= size;
        if (!lockForWrite(shared, nowait)) {
            return -Errno.EAGAIN;
        }
        boolean extend = false;
        try {
            if (deleted) {
                return -Errno.ENOENT;
            }
            while (true) {
                extend = end > size;
                boolean unaligned = ((pos | length) & (bs - 1)) != 0;
                int shape = rangeShape(pos, end);
                boolean overwrite = shape == 0;
                boolean unwritten = (shape & UNWRITTEN_BLOCKS) != 0;
                if (shared && (extend || !overwrite || (unaligned && unwritten))) {
                    if (nowait) {
                        return -Errno.EAGAIN;
                    }
                    lock.readLock().unlock();
                    shared = false;
                    lock.writeLock().lock();
                    continue;
                }
                int dioFlags = 0;
                if (!shared && (unaligned || extend)) {
                    if (nowait) {
                        return -Errno.EAGAIN;
                    }
                    if (unaligned && (!overwrite || unwritten)) {
                        dio().waitForDrain();
                    }
                    // ext4 completes these in the waiter (docs/dio-contract.md, "Row 4", "Row 5").
                    dioFlags = DirectIoEngine.FORCE_WAIT;
                }
                if (extend) {
                    int r = addOrphanForExtension();
                    if (r < 0) {
                        return r;
                    }
                }
                try {
                    if (!overwrite || extend) {
                        // docs/design-rules.md, "Rule 5": end_io's first transaction (conversion, size, orphan removal)
                        // is paid for before the I/O.
                        int credits = editCredits() + Ext4FileSystem.ORPHAN_CREDITS + 2;
                        if (!journal().reserve(credits, nowait)) {
                            return -Errno.EAGAIN;
                        }
                        // The tree may split at every level when end_io converts part of an unwritten extent.
                        int nodes = tree.worstCaseNewNodes();
                        if (!fs.allocator().reserveNodes(nodes)) {
                            journal().release(credits);
                            return -Errno.ENOSPC;
                        }
                        synchronized (reservations) {
                            reservations.merge(iocb, new Reserved(credits, nodes), Reserved::plus);
                        }
                    }
                    long ret = fs.directIo().rw(iocb, buffer, offset, length, this, this, dioFlags, null, 0);
                    if (ret < 0 && ret != -Errno.EIOCBQUEUED) {
                        releaseUnused(iocb);
                    }
                    return ret;
                } finally {
                    if (extend) {
                        finishExtendingWrite();
                    }
                }
            }
        } catch (FsError e) {
            releaseUnused(iocb);
            return -e.errno();
        } finally {
            if (shared) {
                lock.readLock().unlock();
            } else {
                lock.writeLock().unlock();
            }
        }
    }

    private boolean lockForWrite(boolean shared, boolean nowait) {
        if (shared) {
            if (nowait) {
                return lock.readLock().tryLock();
            }
            lock.readLock().lock();
        } else {
            if (nowait) {
                return lock.writeLock().tryLock();
            }
            lock.writeLock().lock();
        }
        return true;
    }

    private static final int HOLES = 1;
    private static final int UNWRITTEN_BLOCKS = 2;

    /** What [pos, end) holds besides written blocks: {@link #HOLES} | {@link #UNWRITTEN_BLOCKS} (0: all written). */
    private int rangeShape(long pos, long end) {
        long from = pos / bs;
        long to = (end + bs - 1) / bs;
        int shape = 0;
        journal().metaLock().lock();
        try {
            long at = from;
            while (at < to) {
                ExtentTree.Found e = tree.findFrom(at, found) ? found : null;
                if (e == null || e.logical() >= to) {
                    return shape | HOLES;
                }
                if (e.logical() > at) {
                    shape |= HOLES;
                }
                if (e.unwritten()) {
                    shape |= UNWRITTEN_BLOCKS;
                }
                at = e.end();
            }
            return shape;
        } finally {
            journal().metaLock().unlock();
        }
    }

    /**
     * Before an extending write: put the inode on the orphan list (journaled), so a crash between the data and the
     * size update trims the blocks past i_size (docs/filesystems.md, "ext4-like").
     */
    private int addOrphanForExtension() {
        try (Journal.Handle h = journal().start(Ext4FileSystem.ORPHAN_CREDITS)) {
            fs.orphanAddLocked(this);
            return 0;
        } catch (FsError e) {
            return -e.errno();
        }
    }

    /**
     * After an extending write (it waited, FORCE_WAIT): if end_io did not raise the size over everything
     * allocated (an error or a short write), free the blocks past i_size and leave the orphan list
     * (ext4_inode_extension_cleanup).
     */
    private void finishExtendingWrite() {
        try (Journal.Handle h = journal().start(editCredits() + Ext4FileSystem.ORPHAN_CREDITS)) {
            if (fs.isOrphan(this)) {
                unmapLocked((size + bs - 1) / bs, 1L << 32);
                fs.orphanRemoveLocked(this);
                persist(true);
            }
        } catch (FsError e) {
            fs.reportError("cleaning up after an extending write to inode " + ino, e);
        }
    }

    /** Releases what a write reserved when it failed without an end_io (it never started its I/O). */
    private void releaseUnused(Iocb iocb) {
        Reserved r;
        synchronized (reservations) {
            r = reservations.remove(iocb);
        }
        if (r != null) {
            journal().release(r.credits());
            fs.allocator().releaseNodes(r.nodes());
        }
    }

    // ---------------------------------------------------------------- fsync, truncate, fallocate

    @Override
    public int fsync(long start, long end, boolean datasync) {
        try {
            if (datasyncDirty() || (!datasync && journal().hasUncommitted())) {
                int r = journal().commit();
                if (r < 0) {
                    return r;
                }
                if (r > 0) {
                    // The commit block's PREFLUSH made the data durable.
                    return 0;
                }
            }
            return fs.flushCache();
        } catch (FsError e) {
            return -e.errno();
        }
    }

    @Override
    public int truncate(long newSize) {
        if (unusable() != 0) {
            return unusable();
        }
        if (newSize < 0 || (newSize + bs - 1) / bs > 0xFFFF_FFFFL) {
            return newSize < 0 ? -Errno.EINVAL : -Errno.EFBIG;
        }
        lock.writeLock().lock();
        try {
            dio().waitForDrain();
            if (deleted) {
                return -Errno.ENOENT;
            }
            return truncateLocked(newSize);
        } catch (FsError e) {
            return -e.errno();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Inode lock held exclusively, direct I/O drained. */
    int truncateLocked(long newSize) {
        if (newSize >= size) {
            try (Journal.Handle h = journal().start(2)) {
                setSizeLocked(newSize);
            }
            return 0;
        }
        zeroPartialBlock(newSize);
        try (Journal.Handle h = journal().start(Ext4FileSystem.ORPHAN_CREDITS + 2)) {
            // On the orphan list first: a crash before the blocks are all freed finishes the truncate at mount.
            fs.orphanAddLocked(this);
            setSizeLocked(newSize);
        }
        trimPastEof();
        return 0;
    }

    /** Frees everything past i_size in steps of bounded transactions, then leaves the orphan list. */
    void trimPastEof() {
        long from = (size + bs - 1) / bs;
        while (true) {
            try (Journal.Handle h = journal().start(editCredits() + 8 + Ext4FileSystem.ORPHAN_CREDITS)) {
                Extent last = tree.last();
                if (last == null || last.end() <= from) {
                    if (fs.isOrphan(this)) {
                        fs.orphanRemoveLocked(this);
                    }
                    persist(true);
                    return;
                }
                long start = Math.max(from, last.logical());
                unmapLocked(start, last.end());
                persist(true);
            }
        }
    }

    /** Zeroes the bytes of the block holding {@code pos} from {@code pos} on, if it holds written data. */
    private void zeroPartialBlock(long pos) {
        int in = (int) (pos % bs);
        if (in == 0) {
            return;
        }
        zeroBytes(pos, bs - in);
    }

    /** Writes zeros over [pos, pos+len) within one block, if that block is written (read-modify-write). */
    private void zeroBytes(long pos, int len) {
        long lblk = pos / bs;
        Extent e;
        journal().metaLock().lock();
        try {
            e = tree.findFrom(lblk);
        } finally {
            journal().metaLock().unlock();
        }
        if (e == null || e.logical() > lblk || e.unwritten()) {
            return;
        }
        long phys = e.physicalAt(lblk);
        byte[] b = fs.cache().readRaw(phys);
        java.util.Arrays.fill(b, (int) (pos % bs), (int) (pos % bs) + len, (byte) 0);
        fs.cache().writeRaw(phys, b, 0);
    }

    @Override
    public int fallocate(int mode, long offset, long length) {
        if (unusable() != 0) {
            return unusable();
        }
        boolean keep = (mode & FALLOC_KEEP_SIZE) != 0;
        int op = mode & ~FALLOC_KEEP_SIZE;
        if (op != 0 && op != FALLOC_PUNCH_HOLE && op != FALLOC_ZERO_RANGE) {
            return -Errno.EOPNOTSUPP;
        }
        if (op == FALLOC_PUNCH_HOLE && !keep) {
            return -Errno.EOPNOTSUPP;
        }
        if (offset < 0 || length <= 0) {
            return -Errno.EINVAL;
        }
        long end = offset + length;
        if ((end + bs - 1) / bs > 0xFFFF_FFFFL) {
            return -Errno.EFBIG;
        }
        lock.writeLock().lock();
        try {
            dio().waitForDrain();
            if (deleted) {
                return -Errno.ENOENT;
            }
            if (op == FALLOC_PUNCH_HOLE) {
                punch(offset, end);
                return 0;
            }
            long first = offset / bs;
            long last = (end + bs - 1) / bs;
            if (op == FALLOC_ZERO_RANGE) {
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
            if (!keep && end > size) {
                try (Journal.Handle h = journal().start(2)) {
                    setSizeLocked(end);
                }
            }
            return 0;
        } catch (FsError e) {
            return -e.errno();
        } finally {
            lock.writeLock().unlock();
        }
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
            try (Journal.Handle h = journal().start(editCredits() + 2)) {
                Extent w = null;
                for (Extent e : tree.overlapping(from, to)) {
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
                mapLocked(s, n, List.of(new Extent(s, (int) n, w.physicalAt(s), true)));
                persist(true);
            }
        }
    }

    /**
     * Allocates unwritten extents for every hole in [first, last). Checks the space first, so an ENOSPC leaves
     * the file as it was.
     */
    private int preallocate(long first, long last) {
        long holes;
        journal().metaLock().lock();
        try {
            holes = holeBlocks(first, last);
            if (holes > fs.allocator().availableForData()) {
                return -Errno.ENOSPC;
            }
        } finally {
            journal().metaLock().unlock();
        }
        long at = first;
        while (at < last) {
            try (Journal.Handle h = journal().start(editCredits() + 2)) {
                Extent e = tree.findFrom(at);
                if (e != null && e.logical() <= at) {
                    at = e.end();
                    continue;
                }
                long holeEnd = e == null ? last : Math.min(last, e.logical());
                Extent got = allocateLocked(at, (int) Math.min(holeEnd - at, Extent.MAX_UNWRITTEN), true);
                persist(true);
                at = got.end();
            }
        }
        return 0;
    }

    private long holeBlocks(long first, long last) {
        long mapped = 0;
        for (Extent e : tree.overlapping(first, last)) {
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
            try (Journal.Handle h = journal().start(editCredits() + 8)) {
                // From the end, one extent at a time: each step is a small transaction. Extents do not overlap,
                // so the last one starting before `at` is the only candidate: the ones before it end sooner.
                Extent victim = tree.findBefore(at);
                if (victim == null || victim.end() <= fullFrom) {
                    return;
                }
                long s = Math.max(fullFrom, victim.logical());
                unmapLocked(s, Math.min(at, victim.end()));
                persist(true);
                at = s;
            }
        }
    }

    // ---------------------------------------------------------------- stat, fiemap

    @Override
    public FileStat stat() {
        journal().metaLock().lock();
        try {
            long dataBlocks = rec.blocks - tree.nodeBlocks().size();
            return new FileStat(ino, isDir() ? FileKind.DIRECTORY : FileKind.REGULAR, size, dataBlocks * bs,
                    rec.links, bs, tree.extents().size());
        } finally {
            journal().metaLock().unlock();
        }
    }

    @Override
    public List<FileExtent> fiemap(long start, long length) {
        List<FileExtent> out = new ArrayList<>();
        journal().metaLock().lock();
        try {
            List<Extent> all = tree.extents();
            long end = length <= 0 ? start : start + length;
            for (int i = 0; i < all.size(); i++) {
                Extent e = all.get(i);
                long lo = e.logical() * bs;
                long hi = e.end() * bs;
                if (hi <= start || lo >= end) {
                    continue;
                }
                int flags = (e.unwritten() ? FileExtent.UNWRITTEN : 0) | (i == all.size() - 1 ? FileExtent.LAST : 0);
                out.add(new FileExtent(lo, e.physical() * bs, hi - lo, flags));
            }
        } finally {
            journal().metaLock().unlock();
        }
        return out;
    }

    @Override
    public String toString() {
        return "ext4-like inode " + ino;
    }
}
