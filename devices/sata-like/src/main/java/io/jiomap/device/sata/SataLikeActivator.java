package io.jiomap.device.sata;

import io.jiomap.device.model.ModelDeviceActivator;
import io.jiomap.device.model.ModelDeviceProvider;

/** Registers the {@code sata-like} provider as an OSGi service and closes its devices when the bundle stops. */
public final class SataLikeActivator extends ModelDeviceActivator {
    @Override
    protected ModelDeviceProvider newProvider() {
        return new SataLikeProvider();
    }
}
