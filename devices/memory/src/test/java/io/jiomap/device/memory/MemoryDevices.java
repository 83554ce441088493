package io.jiomap.device.memory;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.DeviceCompletion;
import io.jiomap.tck.DeviceFactory;
import io.jiomap.tck.DeviceSetup;
import java.util.Optional;

/** Memory devices configured through their device spec; they cannot hold bios ({@link DeviceCompletion#HELD}). */
final class MemoryDevices implements DeviceFactory {
    private final MemoryDeviceProvider provider = new MemoryDeviceProvider();

    @Override
    public String name() {
        return MemoryDeviceProvider.TYPE;
    }

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException {
        String completion = switch (setup.completion()) {
            case ASYNC -> "thread";
            case SUBMITTER -> "submitter";
            case HELD -> null;
        };
        if (completion == null) {
            return Optional.empty();
        }
        String spec = "memory:size=" + setup.capacityBytes()
                + ",lbs=" + setup.logicalBlockSize()
                + ",vwc=" + (setup.volatileWriteCache() ? "on" : "off")
                + ",fua=" + (setup.fua() ? "on" : "off")
                + ",max-transfer=" + setup.maxTransferBytes()
                + ",completion=" + completion;
        return Optional.of(provider.open(DeviceSpec.parse(spec)));
    }
}
