package io.jiomap.device.model;

import io.jiomap.api.block.BlockDeviceProvider;

/**
 * A device provider that owns the devices it opened, so its bundle can close them when it stops (docs/design-rules.md,
 * "Rule 3"): what {@link ModelDeviceActivator} registers.
 */
public interface StoppableProvider extends BlockDeviceProvider {
    /** Refuses later opens and closes every device this provider opened that is still open. */
    void closeAll();
}
