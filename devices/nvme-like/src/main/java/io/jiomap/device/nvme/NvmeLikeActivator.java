package io.jiomap.device.nvme;

import io.jiomap.device.model.ModelDeviceActivator;
import io.jiomap.device.model.ModelDeviceProvider;

/** Registers the {@code nvme-like} provider as an OSGi service and closes its devices when the bundle stops. */
public final class NvmeLikeActivator extends ModelDeviceActivator {
    @Override
    protected ModelDeviceProvider newProvider() {
        return new NvmeLikeProvider();
    }
}
