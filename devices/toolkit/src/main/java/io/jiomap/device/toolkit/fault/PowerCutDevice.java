package io.jiomap.device.toolkit.fault;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.FilterBlockDevice;
import io.jiomap.api.block.SimulatesPowerLoss;

/**
 * A view of a device for one mount that a power cut can end: {@link #powerCut} cuts the view off, so every later
 * bio of the mount on it fails with ENODEV and its unmount writes nothing, and the device below loses what it had
 * not made durable. The device itself stays open: a new view over it (or the device itself) plays the reboot.
 *
 * <p>The view borrows the device: closing the view cuts it off without a power cut and leaves the device open.
 */
public final class PowerCutDevice extends FilterBlockDevice implements SimulatesPowerLoss {
    private final SimulatesPowerLoss power;
    private volatile boolean cut;

    /**
     * A view of {@code device}, which (or a device below it) must simulate power loss.
     *
     * @throws IllegalArgumentException when no device of {@code device}'s chain implements {@link SimulatesPowerLoss}
     */
    public PowerCutDevice(BlockDevice device) {
        super(device, Polling.FORWARDED);
        this.power = find(device, SimulatesPowerLoss.class).orElseThrow(() -> new IllegalArgumentException(
                "device " + device.name() + " cannot simulate a power cut: neither it nor a device below it"
                        + " implements SimulatesPowerLoss (the memory, nvme-like and sata-like devices do)"));
    }

    /**
     * Cuts the power: from now on every bio submitted through this view ends with ENODEV, then the device below
     * drops every write that no FUA, no completed flush and no absent write cache made durable. Bios already at the
     * device end as it ends them.
     */
    @Override
    public void powerCut() {
        cut = true;
        power.powerCut();
    }

    @Override
    public void submit(Bio bio) {
        if (cut) {
            bio.complete(Errno.ENODEV);
        } else {
            in.submit(bio);
        }
    }

    @Override
    public boolean isClosed() {
        return cut || in.isClosed();
    }

    /** Cuts this view off (later bios end with ENODEV) without a power cut; the device below stays open. */
    @Override
    public void close() {
        cut = true;
    }

    @Override
    public String toString() {
        return "power-cut(" + in.name() + (cut ? ", cut" : "") + ")";
    }
}
