package io.jiomap.testkit.example;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The device of EXTENDING.md: RAM without a write cache, every bio completed inside {@code submit}. Small on
 * purpose; the jiomap devices (memory, nvme-like, sata-like) add caches, queues and completion threads.
 */
// tag::ramdisk-device[]
final class RamDisk implements BlockDevice {
    private final String name;
    private final DeviceCapabilities capabilities;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment media;
    private volatile boolean closed;

    RamDisk(String name, long capacity, int logicalBlockSize, int maxTransfer) {
        this.name = name;
        // No volatile cache: a completed write is durable, so FUA and flushes have nothing to do.
        this.capabilities = new DeviceCapabilities(logicalBlockSize, logicalBlockSize, capacity, maxTransfer,
                logicalBlockSize, 1, 1024, false, false, false);
        this.media = arena.allocate(capacity, 4096);
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
        int errno = check(bio);
        if (errno == 0 && bio.op() == BioOp.WRITE) {
            MemorySegment.copy(bio.segment(), bio.segmentOffset(), media, bio.address(), bio.length());
        } else if (errno == 0 && bio.op() == BioOp.READ) {
            MemorySegment.copy(media, bio.address(), bio.segment(), bio.segmentOffset(), bio.length());
        }
        bio.complete(errno);
    }

    /** The BlockDevice contract's refusals: ENODEV closed, EINVAL misaligned or too long, EIO out of range, EFAULT. */
    private int check(Bio bio) {
        if (closed) {
            return Errno.ENODEV;
        }
        if (bio.op() == BioOp.FLUSH) {
            return 0;
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

    /** Nothing is ever in flight (bios complete inside submit), so closing only refuses what comes later. */
    @Override
    public void close() {
        closed = true;
    }
}
// end::ramdisk-device[]
