package io.jiomap.tck;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import java.util.Optional;
import java.util.Set;

/** How the contract gets a fresh device of the type under test. */
public interface DeviceFactory {
    /** A short name for messages, e.g. {@code memory}. */
    String name();

    /**
     * Opens a fresh, empty device configured as {@code setup} says, or returns empty when this device type cannot
     * be configured that way (the test is then skipped, naming the setup). A device for
     * {@link DeviceCompletion#HELD} must implement {@link HoldingDevice}.
     *
     * <p>The write cache and FUA bind only when {@link DeviceSetup#writeCacheMatters()}: where the test does not
     * depend on them, open the device with its natural cache and FUA (a device type that can be set either way may
     * follow the setup's preference) rather than return empty.
     */
    Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException;

    /**
     * Features its devices arrange for any filesystem on them, e.g. {@link FsFeature#FSYNC_FAILURE} by failing
     * flushes ({@link FaultingDevices}); none by default.
     */
    default Set<FsFeature> arranges() {
        return Set.of();
    }
}
