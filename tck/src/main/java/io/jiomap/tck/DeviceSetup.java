package io.jiomap.tck;

/**
 * The device a contract test asks for.
 *
 * @param capacityBytes      device size
 * @param logicalBlockSize   the sector: unit of addressing and of direct-I/O alignment
 * @param volatileWriteCache whether completed writes may sit in a cache a power cut loses (QUEUE_FLAG_WC)
 * @param fua                whether FUA is honoured per write (QUEUE_FLAG_FUA)
 * @param maxTransferBytes   largest single bio; the engine splits larger I/O
 * @param completion         where bios complete
 */
public record DeviceSetup(long capacityBytes, int logicalBlockSize, boolean volatileWriteCache, boolean fua,
                          int maxTransferBytes, DeviceCompletion completion) {
    /** The spec's default (section (d)): 512-byte sectors, write cache with FUA, asynchronous completion; 64 MiB. */
    public static DeviceSetup defaults() {
        return new DeviceSetup(64L << 20, 512, true, true, 1 << 20, DeviceCompletion.ASYNC);
    }

    public DeviceSetup withWriteCache(boolean cache, boolean withFua) {
        return new DeviceSetup(capacityBytes, logicalBlockSize, cache, withFua, maxTransferBytes, completion);
    }

    public DeviceSetup withMaxTransfer(int bytes) {
        return new DeviceSetup(capacityBytes, logicalBlockSize, volatileWriteCache, fua, bytes, completion);
    }

    public DeviceSetup withCompletion(DeviceCompletion c) {
        return new DeviceSetup(capacityBytes, logicalBlockSize, volatileWriteCache, fua, maxTransferBytes, c);
    }

    public DeviceSetup withLogicalBlockSize(int bytes) {
        return new DeviceSetup(capacityBytes, bytes, volatileWriteCache, fua, maxTransferBytes, completion);
    }

    @Override
    public String toString() {
        return (capacityBytes >> 20) + " MiB, lbs " + logicalBlockSize + ", WC=" + (volatileWriteCache ? 1 : 0)
                + " FUA=" + (fua ? 1 : 0) + ", max transfer " + maxTransferBytes + ", completion " + completion;
    }
}
