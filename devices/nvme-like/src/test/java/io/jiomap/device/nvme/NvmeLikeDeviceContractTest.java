package io.jiomap.device.nvme;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.device.BlockDeviceContractTest;
import io.jiomap.tck.device.ContractDevices;
import io.jiomap.tck.device.DeviceWish;
import java.util.Optional;

/** The block device contract and write-cache rules, on {@code nvme-like} (FUA with the cache, queued flushes). */
class NvmeLikeDeviceContractTest extends BlockDeviceContractTest {
    private final NvmeLikeProvider provider = new NvmeLikeProvider();

    @Override
    protected ContractDevices devices() {
        return new ContractDevices() {
            @Override
            public String name() {
                return NvmeLikeProvider.TYPE;
            }

            @Override
            public Optional<BlockDevice> open(DeviceWish wish) throws JiomapException {
                // One poll queue, so the contract's polling rules run here; the case without one is in
                // NvmeLikeDeviceTest.
                String queues = wish.singleQueue() ? ",queues=1" : "";
                return Optional.of(provider.open(DeviceSpec.parse(name() + ":" + wish.asOptions() + queues
                        + ",poll-queues=1")));
            }
        };
    }
}
