package io.jiomap.tck;

/**
 * The device a contract test asks for.
 *
 * <p>The write cache and FUA bind only when the test depends on them ({@link #writeCacheMatters()}): a test whose
 * outcome does not change with them says {@link #anyWriteCache()}, and then runs on whatever cache and FUA the
 * device type has by nature (a {@code sata-like} device's cache without FUA, a file's cache with FUA), instead
 * of being skipped on every device type that cannot be set up as the contract's default setup (docs/dio-contract.md,
 * "Default setup").
 *
 * @param capacityBytes      device size
 * @param logicalBlockSize   the sector: unit of addressing and of direct-I/O alignment
 * @param volatileWriteCache whether completed writes may sit in a cache a power cut loses (QUEUE_FLAG_WC); a
 *                           preference only unless {@code writeCacheMatters}
 * @param fua                whether FUA is honoured per write (QUEUE_FLAG_FUA); a preference only unless
 *                           {@code writeCacheMatters}
 * @param maxTransferBytes   largest single bio; the engine splits larger I/O
 * @param completion         where bios complete
 * @param writeCacheMatters  whether the test depends on {@code volatileWriteCache} and {@code fua}, so the device
 *                           must match them exactly (O_DSYNC, FUA, flush behaviour: docs/dio-contract.md, "Row 6",
 *                           "Row 7", "Row 8", "TV5", "TV6", "TV7", "TV8", "TV9")
 */
public record DeviceSetup(long capacityBytes, int logicalBlockSize, boolean volatileWriteCache, boolean fua,
                          int maxTransferBytes, DeviceCompletion completion, boolean writeCacheMatters) {
    /**
     * The contract's default (docs/dio-contract.md, "Default setup"): 512-byte sectors, write cache with FUA,
     * asynchronous completion; 64 MiB. The test depends on the cache and FUA: chain {@link #anyWriteCache()} if it does
     * not.
     */
    public static DeviceSetup defaults() {
        return new DeviceSetup(64L << 20, 512, true, true, 1 << 20, DeviceCompletion.ASYNC, true);
    }

    /** This setup with exactly this write cache and FUA, which the test depends on. */
    public DeviceSetup withWriteCache(boolean cache, boolean withFua) {
        return new DeviceSetup(capacityBytes, logicalBlockSize, cache, withFua, maxTransferBytes, completion, true);
    }

    /**
     * This setup for a test whose outcome depends on neither the write cache nor FUA: the device may open with its
     * natural ones, and only the rest of the setup is checked. {@link #volatileWriteCache()} and {@link #fua()}
     * stay as a preference for device types that can be set either way.
     */
    public DeviceSetup anyWriteCache() {
        return new DeviceSetup(capacityBytes, logicalBlockSize, volatileWriteCache, fua, maxTransferBytes, completion,
                false);
    }

    public DeviceSetup withMaxTransfer(int bytes) {
        return new DeviceSetup(capacityBytes, logicalBlockSize, volatileWriteCache, fua, bytes, completion,
                writeCacheMatters);
    }

    public DeviceSetup withCompletion(DeviceCompletion c) {
        return new DeviceSetup(capacityBytes, logicalBlockSize, volatileWriteCache, fua, maxTransferBytes, c,
                writeCacheMatters);
    }

    public DeviceSetup withLogicalBlockSize(int bytes) {
        return new DeviceSetup(capacityBytes, bytes, volatileWriteCache, fua, maxTransferBytes, completion,
                writeCacheMatters);
    }

    @Override
    public String toString() {
        String cache = writeCacheMatters
                ? "WC=" + (volatileWriteCache ? 1 : 0) + " FUA=" + (fua ? 1 : 0)
                : "any write cache and FUA";
        return (capacityBytes >> 20) + " MiB, lbs " + logicalBlockSize + ", " + cache + ", max transfer "
                + maxTransferBytes + ", completion " + completion;
    }
}
