package io.jiomap.device.nbd;

import io.jiomap.device.model.ModelDeviceActivator;
import io.jiomap.device.model.StoppableProvider;

/**
 * Registers the {@code nbd} device type as an OSGi {@link io.jiomap.api.block.BlockDeviceProvider} service and, when
 * the bundle stops, closes every device it opened: their reader and watchdog threads belong to this bundle.
 */
public final class NbdDeviceActivator extends ModelDeviceActivator {
    @Override
    protected StoppableProvider newProvider() {
        return new NbdDeviceProvider();
    }
}
