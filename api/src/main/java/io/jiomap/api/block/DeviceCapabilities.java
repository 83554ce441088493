package io.jiomap.api.block;

/**
 * What a device can do; the core's FUA, write-through and caller-completion decisions read these.
 *
 * @param logicalBlockSize  the unit of addressing and of direct-I/O alignment (512 or 4096)
 * @param physicalBlockSize the unit the device writes atomically
 * @param capacityBytes     the device size, a multiple of the logical block size
 * @param maxTransferBytes  the largest single bio; larger I/O is split
 * @param dmaAlignment      the alignment the memory of a bio must have
 * @param queueCount        the number of hardware submission queues
 * @param queueDepth        the number of requests each queue holds before a submitter must wait
 * @param volatileWriteCache whether completed writes may sit in a cache that a power cut loses (the kernel's
 *                          QUEUE_FLAG_WC); without one, a completed write is durable
 * @param fua               whether the device honours FUA per write (QUEUE_FLAG_FUA)
 * @param polling           whether completions can be polled by the submitter instead of delivered by interrupt:
 *                          the device puts {@link Bio#POLLED} bios on poll queues that {@link BlockDevice#poll}
 *                          reaps (NVMe with {@code poll_queues} &gt; 0); without it a POLLED bio completes by
 *                          interrupt and the core never marks one
 */
public record DeviceCapabilities(int logicalBlockSize, int physicalBlockSize, long capacityBytes,
                                 int maxTransferBytes, int dmaAlignment, int queueCount, int queueDepth,
                                 boolean volatileWriteCache, boolean fua, boolean polling) {
    public DeviceCapabilities {
        if (Integer.bitCount(logicalBlockSize) != 1 || logicalBlockSize < 512) {
            throw new IllegalArgumentException("logical block size must be a power of two >= 512: " + logicalBlockSize);
        }
        if (physicalBlockSize < logicalBlockSize || physicalBlockSize % logicalBlockSize != 0) {
            throw new IllegalArgumentException("physical block size " + physicalBlockSize
                    + " must be a multiple of the logical block size " + logicalBlockSize);
        }
        if (capacityBytes <= 0 || capacityBytes % logicalBlockSize != 0) {
            throw new IllegalArgumentException("capacity " + capacityBytes
                    + " must be a positive multiple of the logical block size " + logicalBlockSize);
        }
        if (maxTransferBytes < logicalBlockSize || maxTransferBytes % logicalBlockSize != 0) {
            throw new IllegalArgumentException("max transfer " + maxTransferBytes
                    + " must be a multiple of the logical block size " + logicalBlockSize);
        }
        if (Integer.bitCount(dmaAlignment) != 1) {
            throw new IllegalArgumentException("DMA alignment must be a power of two: " + dmaAlignment);
        }
        if (queueCount < 1 || queueDepth < 1) {
            throw new IllegalArgumentException("queue count and depth must be >= 1");
        }
    }

    /** FUA is meaningful only with a volatile cache: without one every completed write is already stable. */
    public boolean writeThroughByFua() {
        return fua || !volatileWriteCache;
    }

    /**
     * These capabilities with polling switched off: what a decorator reports when it hands bios to another device
     * under its own (a polled bio's queue would be the inner device's, which the submitter cannot poll through it).
     */
    public DeviceCapabilities withoutPolling() {
        return polling ? new DeviceCapabilities(logicalBlockSize, physicalBlockSize, capacityBytes, maxTransferBytes,
                dmaAlignment, queueCount, queueDepth, volatileWriteCache, fua, false) : this;
    }
}
