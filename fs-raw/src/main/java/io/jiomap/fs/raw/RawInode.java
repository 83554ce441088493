package io.jiomap.fs.raw;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.Inode;
import java.util.List;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.StampedLock;

/**
 * The raw filesystem's single file. Direct I/O takes the inode lock shared for submission only; fallocate takes it
 * exclusive and drains direct I/O first, so a zeroing never races a write.
 */
final class RawInode extends Inode implements IomapOps {
    /** The device's inode number (the root directory is 1). */
    static final long INO = 2;
    private static final int ZERO_CHUNK = 1 << 20;

    private final RawFileSystem fs;
    private final DirectIoEngine directIo;
    private final BlockDevice device;
    private final long size;
    private final StampedLock lock = new StampedLock();

    RawInode(RawFileSystem fs, DirectIoEngine directIo) {
        this.fs = fs;
        this.directIo = directIo;
        this.device = fs.device();
        this.size = device.capabilities().capacityBytes();
    }

    @Override
    public FileSystem fileSystem() {
        return fs;
    }

    @Override
    public long ino() {
        return INO;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int begin(IomapIter iter) {
        long pos = iter.pos();
        long length = iter.length();
        Iomap iomap = iter.iomap();
        if (pos >= size) {
            // Only reads get here (writes are clipped to the device): beyond the end reads as a hole.
            iomap.set(pos, length, Iomap.NULL_ADDRESS, IomapType.HOLE, 0);
        } else {
            iomap.set(pos, Math.min(length, size - pos), pos, IomapType.MAPPED, 0);
        }
        return 0;
    }

    @Override
    public long read(Iocb iocb, MemorySegment buffer, long offset, long length) {
        long stamp = readLock(iocb);
        if (stamp == 0) {
            return -Errno.EAGAIN;
        }
        try {
            return directIo.rw(iocb, buffer, offset, length, this, null, 0, null, 0);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    @Override
    public long write(Iocb iocb, MemorySegment buffer, long offset, long length) {
        long pos = iocb.position();
        if (pos >= size) {
            // A block device has no room past its end (blkdev_write_iter).
            return -Errno.ENOSPC;
        }
        long len = Math.min(length, size - pos);
        long stamp = readLock(iocb);
        if (stamp == 0) {
            return -Errno.EAGAIN;
        }
        try {
            return directIo.rw(iocb, buffer, offset, len, this, null, 0, null, 0);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private long readLock(Iocb iocb) {
        return iocb.hasFlag(Iocb.NOWAIT) ? lock.tryReadLock() : lock.readLock();
    }

    /** Nothing but the device cache holds unsynced state: a flush makes everything durable. */
    @Override
    public int fsync(long start, long end, boolean datasync) {
        return SyncBio.flush(device);
    }

    /** The size of a device is fixed (ftruncate on a block device gives EINVAL). */
    @Override
    public int truncate(long newSize) {
        return -Errno.EINVAL;
    }

    /**
     * Zero range and punch hole both write zeros over the range (a raw device cannot deallocate); plain allocation
     * is refused with EOPNOTSUPP, as for a Linux block device.
     */
    @Override
    public int fallocate(int mode, long offset, long length) {
        boolean zero = mode == FALLOC_ZERO_RANGE || mode == (FALLOC_ZERO_RANGE | FALLOC_KEEP_SIZE)
                || mode == (FALLOC_PUNCH_HOLE | FALLOC_KEEP_SIZE);
        if (!zero) {
            return -Errno.EOPNOTSUPP;
        }
        int lbs = device.capabilities().logicalBlockSize();
        if (offset < 0 || length <= 0 || offset % lbs != 0 || length % lbs != 0 || offset + length > size) {
            return -Errno.EINVAL;
        }
        long stamp = lock.writeLock();
        try {
            dio().waitForDrain();
            // Shared, not confined: the device reads the zeroes on its own completion thread. Each bio stays within
            // the device's largest transfer, which refuses longer ones with EINVAL.
            try (Arena arena = Arena.ofShared()) {
                long chunk = Math.min(Math.min(ZERO_CHUNK, device.capabilities().maxTransferBytes()), length);
                MemorySegment zeroes = arena.allocate(chunk, 4096);
                for (long done = 0; done < length; ) {
                    int n = (int) Math.min(zeroes.byteSize(), length - done);
                    int r = SyncBio.write(device, offset + done, zeroes, 0, n, 0);
                    if (r < 0) {
                        return r;
                    }
                    done += n;
                }
            }
            return 0;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    void drainForUnmount() {
        long stamp = lock.writeLock();
        try {
            dio().waitForDrain();
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    @Override
    public FileStat stat() {
        return new FileStat(ino(), 0, FileKind.REGULAR, 0644, 0, 0, 1, size, size, fileSystem().blockSize(), 1, 0, 0, 0);
    }

    /** The whole device is one written extent at device address 0. */
    @Override
    public List<FileExtent> fiemap(long start, long length) {
        if (start >= size || length <= 0) {
            return List.of();
        }
        return List.of(new FileExtent(0, 0, size, FileExtent.LAST));
    }
}
