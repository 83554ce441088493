package io.jiomap.device.nvme;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.DeviceCompletion;
import io.jiomap.tck.DeviceFactory;
import io.jiomap.tck.DeviceSetup;
import java.util.Optional;

/**
 * {@code nvme-like} devices for the TCK. It cannot be a write cache without FUA (NVMe sets both from the VWC bit),
 * complete inline, or hold bios for the test: those setups are skipped. A test that does not depend on the cache gets
 * the natural device, a write cache with FUA.
 */
final class NvmeLikeDevices implements DeviceFactory {
    private final NvmeLikeProvider provider = new NvmeLikeProvider();

    @Override
    public String name() {
        return NvmeLikeProvider.TYPE;
    }

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException {
        boolean cacheAsAsked = setup.writeCacheMatters();
        if (setup.completion() != DeviceCompletion.ASYNC
                || (cacheAsAsked && setup.volatileWriteCache() != setup.fua())) {
            return Optional.empty();
        }
        boolean vwc = !cacheAsAsked || setup.volatileWriteCache();
        return Optional.of(provider.open(DeviceSpec.parse(NvmeLikeProvider.TYPE + ":size=" + setup.capacityBytes()
                + ",lbs=" + setup.logicalBlockSize() + ",vwc=" + (vwc ? "on" : "off")
                + ",max-transfer=" + setup.maxTransferBytes() + ",queues=2,poll-queues=1")));
    }
}
