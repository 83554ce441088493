package io.jiomap.device.memory;

import io.jiomap.device.model.ModelDeviceActivator;
import io.jiomap.device.model.StoppableProvider;

/**
 * Registers the {@code memory} device type as an OSGi {@link io.jiomap.api.block.BlockDeviceProvider} service and,
 * when the bundle stops, closes every device it opened: their interrupt threads belong to this bundle and must end
 * with it, and I/O still in flight fails with ENODEV instead of hanging.
 */
public final class MemoryDeviceActivator extends ModelDeviceActivator {
    @Override
    protected StoppableProvider newProvider() {
        return new MemoryDeviceProvider();
    }
}
