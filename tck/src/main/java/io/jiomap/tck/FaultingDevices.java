package io.jiomap.tck;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Any device factory, with faults a filesystem cannot arrange itself but a device under it can, so that the tests
 * needing them run on every filesystem, journaling ones included. Each device it opens is a {@link FaultingDevice}
 * that passes everything through while the filesystem is made, mounted and its test file arranged, and then:
 * <ul>
 *   <li>for a {@link DeviceCompletion#HELD} setup, holds every bio inside itself until the test releases, fails or
 *       closes it (a filesystem that writes to make and arrange itself could never finish with bios held from the
 *       start);</li>
 *   <li>for a layout with {@link FileLayout#failingFsync}, fails every flush with that errno, so the filesystem's
 *       own fsync meets a device that cannot make its cache durable ({@link FsFeature#FSYNC_FAILURE}).</li>
 * </ul>
 */
public final class FaultingDevices implements DeviceFactory {
    private final DeviceFactory devices;

    public FaultingDevices(DeviceFactory devices) {
        this.devices = devices;
    }

    @Override
    public String name() {
        return devices.name();
    }

    @Override
    public Set<FsFeature> arranges() {
        Set<FsFeature> s = EnumSet.of(FsFeature.FSYNC_FAILURE);
        s.addAll(devices.arranges());
        return s;
    }

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException {
        boolean held = setup.completion() == DeviceCompletion.HELD;
        Optional<BlockDevice> inner = devices.open(held ? setup.withCompletion(DeviceCompletion.ASYNC) : setup);
        return inner.map(d -> new FaultingDevice(d, held));
    }
}
