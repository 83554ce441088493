package io.jiomap.device.sata;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.DeviceCompletion;
import io.jiomap.tck.DeviceFactory;
import io.jiomap.tck.DeviceSetup;
import java.util.Optional;

/**
 * {@code sata-like} devices for the TCK. It never honours FUA, completes only on its irq thread and cannot hold bios
 * for the test: setups that depend on FUA, or ask for inline or held completion, are skipped. A test that does not
 * depend on the cache gets the natural device, a write cache without FUA.
 */
final class SataLikeDevices implements DeviceFactory {
    private final SataLikeProvider provider = new SataLikeProvider();

    @Override
    public String name() {
        return SataLikeProvider.TYPE;
    }

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException {
        boolean cacheAsAsked = setup.writeCacheMatters();
        if (setup.completion() != DeviceCompletion.ASYNC
                || (cacheAsAsked && setup.volatileWriteCache() && setup.fua())) {
            return Optional.empty();
        }
        boolean vwc = !cacheAsAsked || setup.volatileWriteCache();
        return Optional.of(provider.open(DeviceSpec.parse(SataLikeProvider.TYPE + ":size=" + setup.capacityBytes()
                + ",lbs=" + setup.logicalBlockSize() + ",vwc=" + (vwc ? "on" : "off")
                + ",max-transfer=" + setup.maxTransferBytes())));
    }
}
