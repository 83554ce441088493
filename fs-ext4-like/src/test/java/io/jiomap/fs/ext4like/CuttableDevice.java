package io.jiomap.fs.ext4like;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.SimulatesPowerLoss;

/**
 * A view of a device that can be cut off as a power loss does: the underlying device loses its unflushed writes
 * and this view fails everything afterwards, so the abandoned mount can be closed without touching the device.
 * A new view over the same device then plays the reboot.
 */
final class CuttableDevice implements BlockDevice {
    private final BlockDevice device;
    private volatile boolean cut;

    CuttableDevice(BlockDevice device) {
        this.device = device;
    }

    /** Power loss: the device drops what was not durable; this view fails every later request with EIO. */
    void powerCut() {
        cut = true;
        ((SimulatesPowerLoss) device).powerCut();
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
            bio.complete(Errno.EIO);
            return;
        }
        device.submit(bio);
    }

    @Override
    public boolean isClosed() {
        return cut || device.isClosed();
    }

    @Override
    public void close() {
        cut = true;
    }
}
