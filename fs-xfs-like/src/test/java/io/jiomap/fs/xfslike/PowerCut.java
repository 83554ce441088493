package io.jiomap.fs.xfslike;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.SimulatesPowerLoss;
import io.jiomap.core.Mount;

/**
 * A power cut under a mounted filesystem: the device loses what it had not made durable, and the mount that was
 * running is cut off (every later I/O of it fails with ENODEV, so its unmount writes nothing), while the device
 * itself stays open for the next mount, as after a reboot.
 */
final class PowerCut implements BlockDevice {
    private final BlockDevice device;
    private volatile boolean cut;

    private PowerCut(BlockDevice device) {
        this.device = device;
    }

    /** A view of {@code device} for one mount. */
    static PowerCut over(BlockDevice device) {
        return new PowerCut(device);
    }

    /** Cuts the power: the device drops its volatile cache, then the mount on this view is closed. */
    void cut(Mount mount) throws Exception {
        ((SimulatesPowerLoss) device).powerCut();
        cut = true;
        mount.close();
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public DeviceCapabilities capabilities() {
        return device.capabilities();
    }

    @Override
    public void submit(Bio bio) {
        if (cut) {
            bio.complete(Errno.ENODEV);
        } else {
            device.submit(bio);
        }
    }

    @Override
    public boolean isClosed() {
        return cut || device.isClosed();
    }

    /** The device belongs to the test, not to this view. */
    @Override
    public void close() {
    }
}
