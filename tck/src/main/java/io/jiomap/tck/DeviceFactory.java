package io.jiomap.tck;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import java.util.Optional;

/** How the contract gets a fresh device of the type under test. */
public interface DeviceFactory {
    /** A short name for messages, e.g. {@code memory}. */
    String name();

    /**
     * Opens a fresh, empty device configured as {@code setup} says, or returns empty when this device type cannot
     * be configured that way (the test is then skipped, naming the setup). A device for
     * {@link DeviceCompletion#HELD} must implement {@link HoldingDevice}.
     */
    Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException;
}
