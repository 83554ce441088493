package org.example.jiomap.ramdisk;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The device of EXTENDING.md: RAM without a write cache, every bio completed inside {@code submit}. Small on
 * purpose; the jiomap devices (memory, nvme-like, sata-like) add caches, queues and completion threads.
 */
// tag::ramdisk-device[]
final class RamDisk implements BlockDevice {
    private final String name;
    private final DeviceCapabilities capabilities;
    private final Arena arena;
    private final MemorySegment media;
    /** Read-locked by each bio while it copies, write-locked by close: the arena never closes under a copy. */
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** The device owns {@code arena} from now on: the media is allocated from it, and close closes it. */
    RamDisk(String name, Arena arena, long capacity, int logicalBlockSize, int maxTransfer) {
        this.name = name;
        this.capabilities = new DeviceCapabilities(
                logicalBlockSize,   // logicalBlockSize: the unit of addressing and of direct-I/O alignment
                logicalBlockSize,   // physicalBlockSize: RAM writes any whole sector atomically
                capacity,           // capacityBytes
                maxTransfer,        // maxTransferBytes: the core splits larger I/O into bios of at most this
                logicalBlockSize,   // dmaAlignment: the alignment a bio's memory must have
                1,                  // queueCount: one submission queue
                1024,               // queueDepth: requests a queue holds before a submitter waits
                false,              // volatileWriteCache: none, so a completed write is durable
                false,              // fua: with no cache, FUA and flushes have nothing to do
                false);             // polling: bios complete inside submit, nothing is left to poll
        this.arena = arena;
        try {
            this.media = arena.allocate(capacity, 4096);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public void submit(Bio bio) {
        int errno;
        lifecycle.readLock().lock();
        try {
            errno = closed ? Errno.ENODEV : check(bio);
            if (errno == 0 && bio.op() == BioOp.WRITE) {
                MemorySegment.copy(bio.segment(), bio.segmentOffset(), media, bio.address(), bio.length());
            } else if (errno == 0 && bio.op() == BioOp.READ) {
                MemorySegment.copy(media, bio.address(), bio.segment(), bio.segmentOffset(), bio.length());
            }
        } finally {
            lifecycle.readLock().unlock();
        }
        // Ended outside the lock: the submitter's end_io may submit the next bio, or close this device.
        bio.complete(errno);
    }

    /**
     * The BlockDevice contract's refusals: EINVAL misaligned or too long, EIO out of range, EFAULT bad memory,
     * EOPNOTSUPP for a discard (this device reports no discard support).
     */
    private int check(Bio bio) {
        if (bio.op() == BioOp.FLUSH) {
            return 0;
        }
        if (bio.op() == BioOp.DISCARD) {
            return Errno.EOPNOTSUPP;
        }
        long address = bio.address();
        int length = bio.length();
        int lbs = capabilities.logicalBlockSize();
        if (length <= 0 || length > capabilities.maxTransferBytes() || address % lbs != 0 || length % lbs != 0) {
            return Errno.EINVAL;
        }
        if (address < 0 || address > capabilities.capacityBytes() - length) {
            return Errno.EIO;
        }
        long offset = bio.segmentOffset();
        if (offset < 0 || offset > bio.segment().byteSize() - length
                || (bio.op() == BioOp.READ && bio.segment().isReadOnly())) {
            return Errno.EFAULT;
        }
        return 0;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Refuses new bios (ENODEV), waits for the ones still copying (the write lock waits for every read lock), then
     * frees the memory. Without closing the arena every device ever opened keeps its whole capacity until the JVM
     * exits; closing it under a copy would fail that copy.
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                arena.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
// end::ramdisk-device[]
