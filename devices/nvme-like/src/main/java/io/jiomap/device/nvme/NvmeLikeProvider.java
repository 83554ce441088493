package io.jiomap.device.nvme;

import io.jiomap.device.model.DeviceProfile;
import io.jiomap.device.model.ModelDeviceProvider;

/**
 * The {@code nvme-like} device type, e.g. {@code nvme-like:size=8g,queues=4,latency=10us,path=/tmp/nvme.img}.
 *
 * <p>What it models (docs/devices.md, "NVMe-like"): up to 64 submission/completion queue pairs of up to 1024 entries
 * (the host driver's default {@code io_queue_depth}), each completing on its own irq thread; a volatile write cache
 * whose presence (the VWC bit) also turns FUA on, because Linux sets write cache and FUA together from that bit, so the
 * device is the "WC=1 FUA=1" row and an O_DSYNC overwrite needs no flush; FLUSH a separate, queued command. Drives
 * with power-loss protection report VWC=0: {@code vwc=off}. Poll queues ({@code poll-queues=N}, default 0 like the
 * kernel's {@code nvme.poll_queues}): a POLLED bio goes to one and completes only when its submitter polls, on the
 * submitter's thread; with none the capabilities say the device cannot poll and a POLLED bio completes by interrupt.
 */
public final class NvmeLikeProvider extends ModelDeviceProvider {
    /** The type name on the command line and in the service property. */
    public static final String TYPE = "nvme-like";
    /** The most queue pairs (one per CPU on a real host; bounded so a device cannot start unbounded threads). */
    static final int MAX_QUEUES = 64;
    static final int MAX_QUEUE_DEPTH = 1024;

    static final DeviceProfile PROFILE = new DeviceProfile(TYPE, "nvme", MAX_QUEUES,
            Math.min(Runtime.getRuntime().availableProcessors(), MAX_QUEUES), MAX_QUEUE_DEPTH, true, false, 0,
            MAX_QUEUES);

    /** Public and without arguments, as {@link java.util.ServiceLoader} needs. */
    public NvmeLikeProvider() {
        super(PROFILE);
    }

    @Override
    public String description() {
        return "NVMe-like device: per-thread submission/completion queues with irq threads, optional poll queues,"
                + " volatile write cache with FUA, optional latency/bandwidth model, sparse memory or image file";
    }
}
