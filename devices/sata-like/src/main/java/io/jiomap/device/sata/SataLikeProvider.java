package io.jiomap.device.sata;

import io.jiomap.device.model.DeviceProfile;
import io.jiomap.device.model.ModelDeviceProvider;

/**
 * The {@code sata-like} device type, e.g. {@code sata-like:size=8g,latency=100us,flush-latency=5ms}.
 *
 * <p>What it models (docs/devices.md, "SATA-like"): one queue of at most 32 NCQ commands; a volatile write cache
 * without FUA, because libata advertises FUA only with {@code libata.fua=1} and the default is 0, so the device is
 * the "WC=1 FUA=0" row: the block layer turns a FUA write into write + flush and iomap avoids FUA, sending O_DSYNC
 * writes to the workqueue to flush (docs/dio-contract.md, "Row 7"); FLUSH CACHE is not an NCQ command, so the queue
 * drains before a flush starts and nothing runs beside it, which is what makes SATA flushes serialise and cost.
 */
public final class SataLikeProvider extends ModelDeviceProvider {
    /** The type name on the command line and in the service property. */
    public static final String TYPE = "sata-like";
    /** NCQ's limit of outstanding commands. */
    static final int NCQ_DEPTH = 32;

    static final DeviceProfile PROFILE = new DeviceProfile(TYPE, "sata", 1, 1, NCQ_DEPTH, false, true, 0);

    /** Public and without arguments, as {@link java.util.ServiceLoader} needs. */
    public SataLikeProvider() {
        super(PROFILE);
    }

    @Override
    public String description() {
        return "SATA-like device: one NCQ queue (depth <= 32), volatile write cache without FUA, non-queued FLUSH"
                + " CACHE, optional latency/bandwidth model, sparse memory or image file";
    }
}
