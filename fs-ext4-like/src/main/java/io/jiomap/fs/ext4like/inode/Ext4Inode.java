package io.jiomap.fs.ext4like.inode;

import io.jiomap.api.Errno;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.vfs.Timestamps;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.InodeRecord;
import io.jiomap.fs.ext4like.meta.Allocator;
import io.jiomap.fs.ext4like.meta.ExtentTree;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A file, directory or symbolic link of an ext4-like filesystem (the kernel's {@code ext4_inode_info}): its record, extent tree,
 * size and locks, and the edits of its block map. The I/O paths live beside it, one job each: {@link FileDio} (read
 * and write, file.c), {@link IomapBegin} (the iomap ops, inode.c), {@link WriteEndIo} (end_io), {@link SpaceOps}
 * (truncate, fallocate, punch, zero, collapse and insert range: extents.c). docs/filesystems.md, "ext4-like" has
 * the rules.
 *
 * <p>Two locks: the inode lock ({@link #lock}, the kernel's i_rwsem) and the metadata lock of the journal. A method
 * whose name ends in {@code Locked} runs with the metadata lock held (inside a journal handle where it changes
 * metadata). The inode lock is taken by the operations themselves ({@link FileDio}, {@link SpaceOps}) and by the
 * namespace before it frees an inode; a method that must run with it held and direct I/O drained ends in
 * {@code Drained}.
 */
public final class Ext4Inode extends Inode implements ExtentTree.Store {
    final Volume vol;
    private final long ino;
    final int bs;
    final InodeRecord rec;
    ExtentTree tree;
    /** Where the I/O paths' lookups put the extent they find; used only with the metadata lock held. */
    final ExtentTree.Found found = new ExtentTree.Found();
    volatile long size;
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile long datasyncTid;
    /** Set when the last name went and the blocks were freed: later I/O through a kept handle fails. */
    volatile boolean deleted;
    /**
     * The times as the VFS sees them; {@link #persistLocked} copies them into the record. A data write or read
     * changes them here only and sets {@link #timesDirty} (lazytime): they reach the disk with the inode's next
     * logged change, an fsync, sync or unmount.
     */
    private volatile long atime;
    private volatile long mtime;
    private volatile long ctime;
    private volatile boolean timesDirty;
    /** Opens not yet released ({@link io.jiomap.api.vfs.FileSystem#open(long)}); changed under the namespace lock. */
    private int opens;
    private final FileDio io;
    private final SpaceOps space;

    Ext4Inode(Volume vol, long ino, InodeRecord rec) {
        this.vol = vol;
        this.ino = ino;
        this.bs = vol.blockSize();
        this.rec = rec;
        this.size = rec.size;
        this.atime = rec.atime;
        this.mtime = rec.mtime;
        this.ctime = rec.ctime;
        this.io = new FileDio(this);
        this.space = new SpaceOps(this);
    }

    @Override
    public FileSystem fileSystem() {
        return vol.fileSystem();
    }

    @Override
    public long ino() {
        return ino;
    }

    @Override
    public long size() {
        return size;
    }

    public boolean isDir() {
        return rec.isDir();
    }

    public boolean isSymlink() {
        return rec.isSymlink();
    }

    /** Directories and symbolic links keep their blocks as journaled metadata (revoked when freed). */
    boolean metadataBlocks() {
        return rec.isDir() || rec.isSymlink();
    }

    public FileKind kind() {
        return isDir() ? FileKind.DIRECTORY : isSymlink() ? FileKind.SYMLINK : FileKind.REGULAR;
    }

    // ---------------------------------------------------------------- times and opens

    public long atime() {
        return atime;
    }

    public long mtime() {
        return mtime;
    }

    public long ctime() {
        return ctime;
    }

    /** Sets the times ({@code -1} leaves one as it is) for the next {@link #persistLocked}. */
    public void setTimes(long newAtime, long newMtime, long newCtime) {
        if (newAtime != -1) {
            atime = newAtime;
        }
        if (newMtime != -1) {
            mtime = newMtime;
        }
        if (newCtime != -1) {
            ctime = newCtime;
        }
    }

    /** A data write: mtime and ctime to now, in memory only (file_update_time with lazytime). */
    void touchForWrite() {
        long now = Timestamps.now();
        mtime = now;
        ctime = now;
        timesDirty = true;
    }

    /** A read: atime to now when relatime says so, in memory only (touch_atime with lazytime). */
    void touchForRead() {
        long now = Timestamps.now();
        if (Timestamps.atimeDue(atime, mtime, ctime, now)) {
            atime = now;
            timesDirty = true;
        }
    }

    /** Whether times changed by I/O wait for the inode's next logged change. */
    public boolean timesDirty() {
        return timesDirty;
    }

    /** Counts an open (namespace lock held). */
    public void opened() {
        opens++;
    }

    /** Ends an open (namespace lock held; the caller checked {@link #isOpen}). @return whether it was the last */
    public boolean released() {
        return --opens == 0;
    }

    public boolean isOpen() {
        return opens > 0;
    }

    /** The on-disk record: link count, mode, orphan chain. Changed only inside a journal handle. */
    public InodeRecord record() {
        return rec;
    }

    /** The extent tree's depth (0: the extents sit in the inode). */
    public int treeDepth() {
        return tree.depth();
    }

    /** The physical block of logical block {@code lblk}, or -1 when it is a hole or unwritten. */
    public long writtenBlockAt(long lblk) {
        vol.journal().metaLock().lock();
        try {
            Extent e = tree.findFrom(lblk);
            return e == null || e.logical() > lblk || e.unwritten() ? -1 : e.physicalAt(lblk);
        } finally {
            vol.journal().metaLock().unlock();
        }
    }

    /** The inode lock (i_rwsem): shared for overwrites, exclusive for everything that changes the layout. */
    public ReentrantReadWriteLock lock() {
        return lock;
    }

    /** Marks the inode deleted, before its blocks are freed: later I/O through a kept handle fails with ENOENT. */
    public void markDeletedDrained() {
        deleted = true;
    }

    /** -ENOENT for I/O on an inode whose last name was removed, -EISDIR on a directory, else 0. */
    int unusable() {
        return deleted ? -Errno.ENOENT : isDir() ? -Errno.EISDIR : isSymlink() ? -Errno.ELOOP : 0;
    }

    Journal journal() {
        return vol.journal();
    }

    // ---------------------------------------------------------------- metadata edits (metadata lock held)

    /** Logs the times I/O changed in memory, if any (sync, unmount). */
    public void persistTimesIfDirty() {
        if (!timesDirty) {
            return;
        }
        try (Journal.Handle h = journal().start(1)) {
            // Checked again under the metadata lock: a deleted inode's slot may be free already.
            if (timesDirty && !deleted) {
                persistLocked(false);
            }
        }
    }

    /** Writes the in-memory inode into its inode-table block in the running transaction. */
    public void persistLocked(boolean dataChange) {
        rec.size = size;
        if (rec.hasExtents()) {
            tree.encodeRoot(rec.iBlock);
        }
        // Cleared before the copy: a time an I/O changes meanwhile stays dirty for the next change.
        timesDirty = false;
        rec.atime = atime;
        rec.mtime = mtime;
        rec.ctime = ctime;
        vol.inodes().writeInodeLocked(ino, rec);
        if (dataChange) {
            datasyncTid = journal().runningTid();
        }
    }

    public void setSizeLocked(long newSize) {
        size = newSize;
        persistLocked(true);
    }

    /** Whether data written now needs a journal commit to be reachable after a crash (ext4_inode_datasync_dirty). */
    public boolean datasyncDirty() {
        return datasyncTid > journal().committedTid();
    }

    @Override
    public byte[] read(long block) {
        return vol.cache().get(block);
    }

    @Override
    public long allocate(long goal) {
        long[] got = vol.allocator().allocateLocked(goal == 0 ? vol.inodes().goalFor(ino) : goal, 1, true);
        rec.blocks++;
        vol.cache().fresh(got[0]);
        return got[0];
    }

    @Override
    public void write(long block, byte[] data) {
        System.arraycopy(data, 0, vol.cache().fresh(block), 0, data.length);
        journal().dirtyLocked(block);
    }

    @Override
    public void free(long block) {
        journal().revokeLocked(block);
        vol.allocator().freeLocked(block, 1);
        rec.blocks--;
    }

    @Override
    public void rootChanged() {
        // The inode is re-encoded by persistLocked() at the end of every operation that changes the tree.
    }

    /** Journal credits of one extent-tree change: a path split at every level, the inode, bitmap, descriptors. */
    int editCredits() {
        return 2 * (tree.depth() + 3) + 6;
    }

    /**
     * Whether the tree can grow by its worst case. An end_io holding a write's node reservation may use the blocks
     * set aside for end_io; everything else leaves them alone.
     */
    private void checkTreeSpaceLocked(boolean reserved) {
        Allocator a = vol.allocator();
        long room = reserved ? a.freeBlocks() : a.freeBlocks() - a.reservedNodes();
        if (room < tree.worstCaseNewNodes()) {
            throw new FsError(Errno.ENOSPC, "no room left for extent-tree blocks of inode " + ino);
        }
    }

    /** Maps [lblk, lblk+count) to new extents, replacing what was there. */
    void mapLocked(long lblk, long count, List<Extent> with) {
        checkTreeSpaceLocked(false);
        tree.replace(lblk, lblk + count, with);
    }

    /** {@link #mapLocked} from an end_io that reserved its tree nodes before its I/O. */
    void mapReservedLocked(long lblk, long count, List<Extent> with) {
        checkTreeSpaceLocked(true);
        tree.replace(lblk, lblk + count, with);
    }

    /** Cuts the extent straddling {@code lblk} in two there ({@link ExtentTree#splitAt}). */
    void splitLocked(long lblk) {
        checkTreeSpaceLocked(false);
        tree.splitAt(lblk);
    }

    /**
     * Allocates up to {@code count} blocks for logical block {@code lblk} near the goal (end of the previous
     * extent, else the inode's group), as one extent.
     */
    public Extent allocateLocked(long lblk, int count, boolean unwritten) {
        checkTreeSpaceLocked(false);
        Extent prev = tree.findBefore(lblk);
        long goal = prev != null ? prev.physicalAt(lblk) : vol.inodes().goalFor(ino);
        int max = Math.min(count, Extent.maxLength(unwritten));
        long[] got = vol.allocator().allocateLocked(goal, max, false);
        Extent e = new Extent(lblk, (int) got[1], got[0], unwritten);
        try {
            tree.replace(lblk, lblk + got[1], List.of(e));
        } catch (FsError err) {
            vol.allocator().freeLocked(got[0], got[1]);
            throw err;
        }
        rec.blocks += got[1];
        return e;
    }

    /** Frees every block mapped in [from, to) and unmaps it. */
    void unmapLocked(long from, long to) {
        List<Extent> gone = tree.overlapping(from, to);
        if (gone.isEmpty()) {
            return;
        }
        checkTreeSpaceLocked(false);
        tree.replace(from, to, List.of());
        for (Extent e : gone) {
            long s = Math.max(from, e.logical());
            long n = Math.min(to, e.end()) - s;
            if (metadataBlocks()) {
                for (long b = 0; b < n; b++) {
                    journal().revokeLocked(e.physicalAt(s) + b);
                }
            }
            vol.allocator().freeLocked(e.physicalAt(s), n);
            rec.blocks -= n;
        }
    }

    // ---------------------------------------------------------------- the Inode operations

    @Override
    public long read(Iocb iocb, MemorySegment buffer, long offset, long length) {
        return io.read(iocb, buffer, offset, length);
    }

    @Override
    public long write(Iocb iocb, MemorySegment buffer, long offset, long length) {
        return io.write(iocb, buffer, offset, length);
    }

    /**
     * ext4_sync_file: a commit when the data needs one (its PREFLUSH makes the data durable), else a flush; fsync
     * (not fdatasync) first logs the times I/O changed in memory.
     */
    @Override
    public int fsync(long start, long end, boolean datasync) {
        try {
            if (!datasync) {
                persistTimesIfDirty();
            }
            if (datasyncDirty() || (!datasync && journal().hasUncommitted())) {
                int r = journal().commit();
                if (r < 0) {
                    return r;
                }
                if (r > 0) {
                    return 0;
                }
            }
            return vol.flushCache();
        } catch (FsError e) {
            return -e.errno();
        }
    }

    @Override
    public int truncate(long newSize) {
        return space.truncate(newSize);
    }

    @Override
    public int fallocate(int mode, long offset, long length) {
        return space.fallocate(mode, offset, length);
    }

    SpaceOps space() {
        return space;
    }

    @Override
    public FileStat stat() {
        journal().metaLock().lock();
        try {
            long dataBlocks = rec.blocks - tree.nodeBlocks().size() - (rec.xattrBlock != 0 ? 1 : 0);
            return new FileStat(ino, rec.generation, kind(), rec.mode & InodeRecord.PERM_MASK, (int) rec.uid,
                    (int) rec.gid, rec.links, size, dataBlocks * bs, bs, tree.extents().size(), atime, mtime, ctime);
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
