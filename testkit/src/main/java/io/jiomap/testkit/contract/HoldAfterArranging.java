package io.jiomap.testkit.contract;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.tck.DeviceCompletion;
import io.jiomap.tck.DeviceFactory;
import io.jiomap.tck.DeviceSetup;
import io.jiomap.tck.scripted.ScriptedDevice;
import java.util.Optional;

/**
 * Devices for a filesystem that must write to make and arrange itself: a setup asking for bios held inside the
 * device ({@link DeviceCompletion#HELD}) gets a scripted device that completes normally through mkfs, mount and the
 * arrangement of the test file, and starts holding once {@link #arranged()} is called. Held from the start, the
 * first metadata write of such a filesystem would wait forever.
 */
final class HoldAfterArranging implements DeviceFactory {
    private final DeviceFactory devices;
    private ScriptedDevice toHold;

    HoldAfterArranging(DeviceFactory devices) {
        this.devices = devices;
    }

    @Override
    public String name() {
        return devices.name();
    }

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException {
        if (setup.completion() != DeviceCompletion.HELD) {
            return devices.open(setup);
        }
        Optional<BlockDevice> opened = devices.open(setup.withCompletion(DeviceCompletion.ASYNC));
        if (opened.isPresent() && opened.get() instanceof ScriptedDevice scripted) {
            toHold = scripted;
            return opened;
        }
        opened.ifPresent(BlockDevice::close);
        return devices.open(setup);
    }

    /** The test file is arranged: the device opened for a HELD setup holds every bio from now on. */
    void arranged() {
        ScriptedDevice d = toHold;
        toHold = null;
        if (d != null) {
            d.setCompletion(ScriptedDevice.Completion.HELD);
        }
    }
}
