package io.jiomap.device.model;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.DeviceCapabilities;
import java.lang.foreign.MemorySegment;

/**
 * The checks every bio passes on submission (the {@code BlockDevice} contract), before it reaches a queue: an empty
 * bio, one longer than the maximum transfer, or an address or length that is not a multiple of the logical block
 * size ends with EINVAL; a range past the end with EIO; memory too small for the length, or a read into read-only
 * memory, with EFAULT; a closed device with ENODEV. A FLUSH carries no data, so its range is not looked at; a DISCARD
 * carries no memory, and to a device that cannot discard it ends with EOPNOTSUPP, one off the device's discard
 * granularity or larger than its largest discard with EINVAL. A refused
 * bio completes in the submitter's thread, like a bio the kernel's block layer ends before it reaches the driver.
 * Allocates nothing and builds no strings: it runs for every bio.
 */
public final class BioChecks {
    private final long capacity;
    private final long blockMask;
    private final int maxTransfer;
    private final long discardMask;
    private final int maxDiscard;

    /** Checks for a device that cannot discard. */
    public BioChecks(long capacity, int logicalBlockSize, int maxTransfer) {
        this(capacity, logicalBlockSize, maxTransfer, DeviceCapabilities.Discard.NONE);
    }

    public BioChecks(long capacity, int logicalBlockSize, int maxTransfer, DeviceCapabilities.Discard discard) {
        this.capacity = capacity;
        this.blockMask = logicalBlockSize - 1;
        this.maxTransfer = maxTransfer;
        this.discardMask = discard.supported() ? discard.granularity() - 1 : 0;
        this.maxDiscard = discard.maxBytes();
    }

    /**
     * Lets a bio through, or completes it with the errno it fails with.
     *
     * @param closed whether the device is closed
     * @return true when the bio passed and the caller must queue it; false when it has been completed
     */
    public boolean admit(Bio bio, boolean closed) {
        int errno = closed ? Errno.ENODEV : errno(bio);
        if (errno != 0) {
            bio.complete(errno);
            return false;
        }
        return true;
    }

    /** The errno a bio fails its checks with, or 0. */
    private int errno(Bio bio) {
        BioOp op = bio.op();
        if (op == BioOp.FLUSH) {
            return 0;
        }
        long address = bio.address();
        int length = bio.length();
        if (op == BioOp.DISCARD) {
            if (maxDiscard == 0) {
                return Errno.EOPNOTSUPP;
            }
            if (length <= 0 || length > maxDiscard || ((address | length) & discardMask) != 0) {
                return Errno.EINVAL;
            }
            return address < 0 || address > capacity - length ? Errno.EIO : 0;
        }
        if (length <= 0 || length > maxTransfer || ((address | length) & blockMask) != 0) {
            return Errno.EINVAL;
        }
        if (address < 0 || address > capacity - length) {
            return Errno.EIO;
        }
        MemorySegment segment = bio.segment();
        long offset = bio.segmentOffset();
        if (offset < 0 || offset > segment.byteSize() - length || (op == BioOp.READ && segment.isReadOnly())) {
            return Errno.EFAULT;
        }
        return 0;
    }
}
