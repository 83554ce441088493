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
 * for the test: setups asking for FUA, inline or held completion are skipped.
 */
final class SataLikeDevices implements DeviceFactory {
    private final SataLikeProvider provider = new SataLikeProvider();

    @Override
    public String name() {
        return SataLikeProvider.TYPE;
    }

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException {
        if (setup.completion() != DeviceCompletion.ASYNC || setup.fua()) {
            return Optional.empty();
        }
        return Optional.of(provider.open(DeviceSpec.parse(SataLikeProvider.TYPE + ":size=" + setup.capacityBytes()
                + ",lbs=" + setup.logicalBlockSize() + ",vwc=" + (setup.volatileWriteCache() ? "on" : "off")
                + ",max-transfer=" + setup.maxTransferBytes())));
    }
}
