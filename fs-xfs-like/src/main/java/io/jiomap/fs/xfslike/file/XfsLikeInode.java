package io.jiomap.fs.xfslike.file;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.vfs.Timestamps;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.fs.xfslike.alloc.BlockAllocation;
import io.jiomap.fs.xfslike.alloc.Reservations;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.mount.MountState;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A regular file of the XFS-like filesystem as the VFS sees it (the kernel's {@code xfs_file.c}): each operation
 * takes the file's I/O lock the way XFS does and hands the work to the class whose job it is: {@link ReadMapping},
 * {@link WriteMapping} and {@link WriteCompletion} for direct I/O, {@link SpaceChanges} for truncate and fallocate,
 * {@link Reflink} for clone and fiemap.
 *
 * <p>Locking as XFS (docs/filesystems.md, "xfs-like locking"): block-aligned writes inside or at EOF take the I/O lock
 * shared; sub-block writes first try shared as overwrite-only and otherwise take it exclusive, drain and force the
 * engine to wait; a write starting past EOF takes it exclusive and drains. NOWAIT I/O that would block gets
 * -EAGAIN. truncate, fallocate and clone hold it exclusive and drain ({@link #alone}). end_io takes only the
 * metadata lock, never the I/O lock, so a drainer running a deferred completion can never wait for itself
 * (docs/design-rules.md, "Rule 1"; docs/dio-contract.md, "TV30").
 */
public final class XfsLikeInode extends Inode {
    private final FileSystem owner;
    private final MountState mount;
    private final BlockAllocation blocks;
    private final Reservations reservations;
    private final InodeCore core;
    private final int bs;
    private final int shift;
    private final ReentrantReadWriteLock iolock = new ReentrantReadWriteLock();
    private final ReadMapping readMapping = new ReadMapping(this);
    private final WriteMapping writeMapping = new WriteMapping(this);
    private final WriteCompletion writeCompletion = new WriteCompletion(this);
    private volatile boolean removed;

    public XfsLikeInode(FileSystem owner, MountState mount, BlockAllocation blocks, Reservations reservations,
                        InodeCore core) {
        this.owner = owner;
        this.mount = mount;
        this.blocks = blocks;
        this.reservations = reservations;
        this.core = core;
        this.bs = mount.blockSize();
        this.shift = Integer.numberOfTrailingZeros(bs);
    }

    /** The file's last link is gone: every later operation answers ENOENT. */
    public void markRemoved() {
        removed = true;
    }

    boolean isRemoved() {
        return removed;
    }

    MountState mount() {
        return mount;
    }

    BlockAllocation blocks() {
        return blocks;
    }

    Reservations reservations() {
        return reservations;
    }

    /** The inode's metadata; read and changed with the metadata lock held. */
    public InodeCore core() {
        return core;
    }

    int blockSize() {
        return bs;
    }

    /** log2 of the block size: file offset {@code >>> shift} is the file block. */
    int shift() {
        return shift;
    }

    @Override
    public FileSystem fileSystem() {
        return owner;
    }

    @Override
    public long ino() {
        return core.ino();
    }

    @Override
    public long size() {
        return core.size();
    }

    // ---- the I/O lock ----

    /** Takes the I/O lock exclusive and waits until no direct I/O is in flight; CoW staging left over goes. */
    public void lockExclusiveAndDrain() {
        iolock.writeLock().lock();
        dio().waitForDrain();
        mount.lockMetadata();
        try {
            Reflink.cancelLeftoverCowLocked(this);
        } finally {
            mount.unlockMetadata();
        }
    }

    public void unlockExclusive() {
        iolock.writeLock().unlock();
    }

    private boolean lockShared(boolean nowait) {
        if (nowait) {
            return iolock.readLock().tryLock();
        }
        iolock.readLock().lock();
        return true;
    }

    /** A space change run by {@link #alone} with the metadata lock held: a {@code *Locked} body. */
    @FunctionalInterface
    interface SpaceChange {
        int runLocked() throws JiomapException;
    }

    /**
     * Runs a truncate or fallocate with the file to itself (I/O lock exclusive, direct I/O drained, leftover staging
     * cancelled) and the metadata lock held; a JiomapException becomes its -errno.
     */
    int alone(SpaceChange change) {
        lockExclusiveAndDrain();
        try {
            mount.lockMetadata();
            try {
                return change.runLocked();
            } finally {
                mount.unlockMetadata();
            }
        } catch (JiomapException e) {
            return -e.errno();
        } finally {
            unlockExclusive();
        }
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
            if (length > 0) {
                core.touchAccessed(Timestamps.now());
            }
            return mount.directIo().rw(iocb, buffer, offset, length, readMapping, null, 0, null, 0);
        } finally {
            iolock.readLock().unlock();
        }
    }

    @Override
    public long write(Iocb iocb, MemorySegment buffer, long offset, long length) {
        if (removed) {
            return -Errno.ENOENT;
        }
        if (mount.isUnmounted()) {
            return -Errno.ESHUTDOWN;
        }
        if (length > 0) {
            // file_modified: in memory only, logged with the inode's next change, fsync or unmount (lazytime).
            core.touchModified(Timestamps.now());
        }
        long pos = iocb.position();
        boolean nowait = iocb.hasFlag(Iocb.NOWAIT);
        boolean aligned = ((pos | length) & (bs - 1)) == 0;
        boolean pastEof = pos > core.size();
        DirectIoEngine directIo = mount.directIo();
        // xfs_file_dio_write_unaligned: a sub-block write touching EOF needs exclusivity for the zeroing.
        if (!pastEof && (aligned || pos + length < core.size())) {
            if (!lockShared(nowait)) {
                return -Errno.EAGAIN;
            }
            long r;
            try {
                r = directIo.rw(iocb, buffer, offset, length, writeMapping, writeCompletion,
                        aligned ? 0 : DirectIoEngine.OVERWRITE_ONLY, null, 0);
            } finally {
                iolock.readLock().unlock();
            }
            if (aligned || r != -Errno.EAGAIN || nowait) {
                return r;
            }
        } else if (nowait) {
            // Exclusive lock and a drain would block (xfs_file_dio_write_unaligned / write checks).
            return -Errno.EAGAIN;
        }
        // Sub-block zeroing or a write past EOF: nobody else may write these blocks meanwhile.
        lockExclusiveAndDrain();
        try {
            return directIo.rw(iocb, buffer, offset, length, writeMapping, writeCompletion,
                    aligned ? 0 : DirectIoEngine.FORCE_WAIT, null, 0);
        } finally {
            unlockExclusive();
        }
    }

    // ---- sync, space, sharing, stat ----

    @Override
    public int fsync(long start, long end, boolean datasync) {
        if (removed) {
            return 0;
        }
        mount.lockMetadata();
        try {
            if (!datasync && core.timesDirty && !mount.isUnmounted()) {
                // Times a data write or read changed (lazytime) go to the log with fsync, never with fdatasync.
                // The force's PREFLUSH makes the data stable before the log write that names it.
                Transaction t = new Transaction(mount.metadata());
                t.add(LogItem.Core.of(core).timesOnly());
                mount.log().commitLocked(t);
                mount.log().forceLogLocked();
                return 0;
            }
            mount.log().fsyncLocked(core, datasync);
            return 0;
        } catch (JiomapException e) {
            return -e.errno();
        } finally {
            mount.unlockMetadata();
        }
    }

    @Override
    public int truncate(long newSize) {
        return SpaceChanges.truncate(this, newSize);
    }

    @Override
    public int fallocate(int mode, long offset, long length) {
        return SpaceChanges.fallocate(this, mode, offset, length);
    }

    @Override
    public int cloneRange(Inode source, long srcOffset, long dstOffset, long length) {
        return Reflink.cloneRange(this, source, srcOffset, dstOffset, length);
    }

    @Override
    public List<FileExtent> fiemap(long start, long length) {
        return Reflink.fiemap(this, start, length);
    }

    @Override
    public FileStat stat() {
        mount.lockMetadata();
        try {
            return statOfLocked(core, bs);
        } finally {
            mount.unlockMetadata();
        }
    }

    /** The stat of any inode, file or directory, on a filesystem of block size {@code bs}. */
    public static FileStat statOfLocked(InodeCore c, int bs) {
        return new FileStat(c.ino(), c.generation(), c.kind(), c.mode(), c.uid(), c.gid(), c.nlink(), c.size(),
                c.data().blocks() * bs, bs, c.data().size(), c.atime(), c.mtime(), c.ctime());
    }
}
