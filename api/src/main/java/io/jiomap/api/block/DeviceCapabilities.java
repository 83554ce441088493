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
 * @param discard           whether and how the device takes {@link BioOp#DISCARD} bios ({@link Discard#NONE} when it
 *                          does not); since 1.3
 */
public record DeviceCapabilities(int logicalBlockSize, int physicalBlockSize, long capacityBytes,
                                 int maxTransferBytes, int dmaAlignment, int queueCount, int queueDepth,
                                 boolean volatileWriteCache, boolean fua, boolean polling, Discard discard) {
    /**
     * How a device takes {@link BioOp#DISCARD} bios (the kernel's {@code discard_granularity},
     * {@code max_discard_sectors} and whether discarded blocks read back as zeros).
     *
     * @param granularity the unit of discard: the address and length of every discard bio are multiples of it (a
     *                    power of two, a multiple of the logical block size); 0 when the device cannot discard
     * @param maxBytes    the largest single discard bio, a multiple of the granularity; 0 when the device cannot
     *                    discard. Larger ranges are split ({@link SyncBio#discard})
     * @param zeroesData  whether a discarded range reads back as zeros; otherwise its content is undefined
     * @since 1.3
     */
    public record Discard(int granularity, int maxBytes, boolean zeroesData) {
        /** A device that cannot discard. */
        public static final Discard NONE = new Discard(0, 0, false);

        public Discard {
            if (granularity == 0 && maxBytes == 0) {
                if (zeroesData) {
                    throw new IllegalArgumentException("a device that cannot discard cannot zero by discard");
                }
            } else if (Integer.bitCount(granularity) != 1 || maxBytes < granularity || maxBytes % granularity != 0) {
                throw new IllegalArgumentException("discard granularity " + granularity + " must be a power of two"
                        + " and the largest discard " + maxBytes + " a positive multiple of it");
            }
        }

        /** Whether the device takes discard bios at all. */
        public boolean supported() {
            return maxBytes > 0;
        }

        /**
         * Why a discard of {@code [address, address + length)} cannot be one bio to this device, or {@code null}
         * when it can: the message names the granularity or the limit it breaks.
         */
        public String problem(long address, long length) {
            if (!supported()) {
                return "the device cannot discard";
            }
            if (address < 0 || length <= 0 || address % granularity != 0 || length % granularity != 0) {
                return "a discard of " + length + " bytes at " + address + " is not aligned to the device's discard"
                        + " granularity of " + granularity + " bytes (address and length must be multiples of it)";
            }
            if (length > maxBytes) {
                return "a discard of " + length + " bytes is larger than the device's largest discard of " + maxBytes
                        + " bytes";
            }
            return null;
        }
    }

    /** The capabilities of a device that cannot discard. */
    public DeviceCapabilities(int logicalBlockSize, int physicalBlockSize, long capacityBytes, int maxTransferBytes,
                              int dmaAlignment, int queueCount, int queueDepth, boolean volatileWriteCache,
                              boolean fua, boolean polling) {
        this(logicalBlockSize, physicalBlockSize, capacityBytes, maxTransferBytes, dmaAlignment, queueCount,
                queueDepth, volatileWriteCache, fua, polling, Discard.NONE);
    }

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
        if (discard == null) {
            throw new IllegalArgumentException("discard must be given (Discard.NONE when the device cannot discard)");
        }
        if (discard.supported() && discard.granularity() % logicalBlockSize != 0) {
            throw new IllegalArgumentException("discard granularity " + discard.granularity()
                    + " must be a multiple of the logical block size " + logicalBlockSize);
        }
    }

    /** Whether the device takes {@link BioOp#DISCARD} bios. @since 1.3 */
    public boolean canDiscard() {
        return discard.supported();
    }

    /**
     * These capabilities with another discard support: what a device or decorator that changes it reports.
     *
     * @since 1.3
     */
    public DeviceCapabilities withDiscard(Discard discard) {
        return new DeviceCapabilities(logicalBlockSize, physicalBlockSize, capacityBytes, maxTransferBytes,
                dmaAlignment, queueCount, queueDepth, volatileWriteCache, fua, polling, discard);
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
                dmaAlignment, queueCount, queueDepth, volatileWriteCache, fua, false, discard) : this;
    }
}
