package io.jiomap.tck.device;

/**
 * What a test of {@link BlockDeviceContractTest} needs from a fresh device. Zero (or {@code null} for the cache)
 * means "whatever is natural for this device"; anything else is a requirement: a device that cannot meet it declines
 * and the test is skipped with this wish in the message.
 *
 * @param capacityBytes    the smallest capacity the test works in (a device may be larger only if it must be)
 * @param logicalBlockSize the logical block size, or 0
 * @param writeCache       whether a volatile write cache is wanted, or {@code null}
 * @param maxTransferBytes the largest bio, or 0
 * @param queueDepth       the queue depth, or 0
 * @param singleQueue      whether every submitting thread must reach the same hardware queue
 */
public record DeviceWish(long capacityBytes, int logicalBlockSize, Boolean writeCache, int maxTransferBytes,
                         int queueDepth, boolean singleQueue) {

    /** A device of this capacity, otherwise as it naturally is. */
    public static DeviceWish ofCapacity(long capacityBytes) {
        return new DeviceWish(capacityBytes, 0, null, 0, 0, false);
    }

    public DeviceWish withLogicalBlockSize(int lbs) {
        return new DeviceWish(capacityBytes, lbs, writeCache, maxTransferBytes, queueDepth, singleQueue);
    }

    public DeviceWish withWriteCache(boolean cache) {
        return new DeviceWish(capacityBytes, logicalBlockSize, cache, maxTransferBytes, queueDepth, singleQueue);
    }

    public DeviceWish withMaxTransfer(int bytes) {
        return new DeviceWish(capacityBytes, logicalBlockSize, writeCache, bytes, queueDepth, singleQueue);
    }

    public DeviceWish withQueueDepth(int depth) {
        return new DeviceWish(capacityBytes, logicalBlockSize, writeCache, maxTransferBytes, depth, singleQueue);
    }

    public DeviceWish withSingleQueue() {
        return new DeviceWish(capacityBytes, logicalBlockSize, writeCache, maxTransferBytes, queueDepth, true);
    }

    /**
     * The wish in the option names jiomap's own device types share ({@code size}, {@code lbs}, {@code vwc},
     * {@code max-transfer}, {@code queue-depth}), natural values left out, e.g. {@code size=1048576,vwc=off}: a
     * device with these options builds its {@code DeviceSpec} from it and adds its own.
     */
    public String asOptions() {
        StringBuilder s = new StringBuilder("size=").append(capacityBytes);
        if (logicalBlockSize != 0) {
            s.append(",lbs=").append(logicalBlockSize);
        }
        if (writeCache != null) {
            s.append(",vwc=").append(writeCache ? "on" : "off");
        }
        if (maxTransferBytes != 0) {
            s.append(",max-transfer=").append(maxTransferBytes);
        }
        if (queueDepth != 0) {
            s.append(",queue-depth=").append(queueDepth);
        }
        return s.toString();
    }
}
