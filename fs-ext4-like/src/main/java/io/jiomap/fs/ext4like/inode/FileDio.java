package io.jiomap.fs.ext4like.inode;

import io.jiomap.api.Errno;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.fs.ext4like.meta.ExtentTree;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Direct reads and writes of one inode (the kernel's {@code ext4_dio_read_iter} and {@code ext4_dio_write_iter} with
 * {@code ext4_dio_write_checks}, docs/filesystems.md, "ext4-like locking"): the inode lock shared for aligned
 * overwrites of written blocks inside EOF, exclusive otherwise, with FORCE_WAIT (and a drain for unaligned
 * non-overwrites) for unaligned or extending writes; NOWAIT gets EAGAIN wherever it would block or allocate. An
 * extending write goes on the orphan list before its I/O and is cleaned up after it; a write that may need end_io
 * reserves end_io's credits and tree blocks first ({@link Reservation}).
 */
final class FileDio {
    private static final int HOLES = 1;
    private static final int UNWRITTEN_BLOCKS = 2;

    private final Ext4Inode in;
    private final IomapBegin iomap;
    private final WriteEndIo endIo;

    FileDio(Ext4Inode in) {
        this.in = in;
        this.iomap = new IomapBegin(in);
        this.endIo = new WriteEndIo(in);
    }

    long read(Iocb iocb, MemorySegment buffer, long offset, long length) {
        int unusable = in.unusable();
        if (unusable != 0) {
            return unusable;
        }
        ReentrantReadWriteLock.ReadLock l = in.lock.readLock();
        if (iocb.hasFlag(Iocb.NOWAIT)) {
            if (!l.tryLock()) {
                return -Errno.EAGAIN;
            }
        } else {
            l.lock();
        }
        try {
            in.touchForRead();
            return in.vol.directIo().rw(iocb, buffer, offset, length, iomap, null, 0, null, 0);
        } finally {
            l.unlock();
        }
    }

    long write(Iocb iocb, MemorySegment buffer, long offset, long length) {
        int unusable = in.unusable();
        if (unusable != 0) {
            return unusable;
        }
        if (length == 0) {
            return 0;
        }
        int bs = in.bs;
        long pos = iocb.position();
        long end = pos + length;
        if (pos < 0 || end / bs > 0xFFFF_FFFFL) {
            return pos < 0 ? -Errno.EINVAL : -Errno.EFBIG;
        }
        boolean nowait = iocb.hasFlag(Iocb.NOWAIT);
        boolean shared = end <= in.size;
        if (!lockForWrite(shared, nowait)) {
            return -Errno.EAGAIN;
        }
        boolean extend = false;
        try {
            if (in.deleted) {
                return -Errno.ENOENT;
            }
            while (true) {
                extend = end > in.size;
                boolean unaligned = ((pos | length) & (bs - 1)) != 0;
                int shape = rangeShape(pos, end);
                boolean overwrite = shape == 0;
                boolean unwritten = (shape & UNWRITTEN_BLOCKS) != 0;
                if (shared && (extend || !overwrite || (unaligned && unwritten))) {
                    if (nowait) {
                        return -Errno.EAGAIN;
                    }
                    in.lock.readLock().unlock();
                    shared = false;
                    in.lock.writeLock().lock();
                    continue;
                }
                int dioFlags = 0;
                if (!shared && (unaligned || extend)) {
                    if (nowait) {
                        return -Errno.EAGAIN;
                    }
                    if (unaligned && (!overwrite || unwritten)) {
                        in.dio().waitForDrain();
                    }
                    // ext4 completes these in the waiter (docs/dio-contract.md, "Row 4", "Row 5").
                    dioFlags = DirectIoEngine.FORCE_WAIT;
                }
                in.touchForWrite();
                if (extend) {
                    int r = addOrphanForExtension();
                    if (r < 0) {
                        return r;
                    }
                }
                try {
                    // The reservation rides in the request's private slot; a pure overwrite passes none.
                    Reservation reserved = !overwrite || extend ? Reservation.take(in, nowait) : null;
                    long ret = in.vol.directIo().rw(iocb, buffer, offset, length, iomap, endIo, dioFlags, reserved, 0);
                    if (reserved != null && ret != -Errno.EIOCBQUEUED) {
                        // The request is over: end_io ran (and gave the reservation back) or never will. Queued,
                        // end_io runs later and gives it back: the write path must not touch it.
                        reserved.releaseIfNotTakenOver(in);
                    }
                    return ret;
                } finally {
                    if (extend) {
                        finishExtendingWrite();
                    }
                }
            }
        } catch (FsError e) {
            return -e.errno();
        } finally {
            if (shared) {
                in.lock.readLock().unlock();
            } else {
                in.lock.writeLock().unlock();
            }
        }
    }

    private boolean lockForWrite(boolean shared, boolean nowait) {
        ReentrantReadWriteLock lock = in.lock;
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

    /** What [pos, end) holds besides written blocks: {@link #HOLES} | {@link #UNWRITTEN_BLOCKS} (0: all written). */
    private int rangeShape(long pos, long end) {
        int bs = in.bs;
        long from = pos / bs;
        long to = (end + bs - 1) / bs;
        int shape = 0;
        Journal j = in.journal();
        j.metaLock().lock();
        try {
            long at = from;
            while (at < to) {
                ExtentTree.Found e = in.tree.findFrom(at, in.found) ? in.found : null;
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
            j.metaLock().unlock();
        }
    }

    /**
     * Before an extending write: put the inode on the orphan list (journaled), so a crash between the data and the
     * size update trims the blocks past i_size (docs/filesystems.md, "ext4-like").
     */
    private int addOrphanForExtension() {
        try (Journal.Handle h = in.journal().start(OrphanList.CREDITS)) {
            in.vol.orphans().addLocked(in);
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
        OrphanList orphans = in.vol.orphans();
        try (Journal.Handle h = in.journal().start(in.editCredits() + OrphanList.CREDITS)) {
            if (orphans.containsLocked(in)) {
                in.unmapLocked((in.size + in.bs - 1) / in.bs, 1L << 32);
                orphans.removeLocked(in);
                in.persistLocked(true);
            }
        } catch (FsError e) {
            in.vol.reportError("cleaning up after an extending write to inode " + in.ino(), e);
        }
    }
}
