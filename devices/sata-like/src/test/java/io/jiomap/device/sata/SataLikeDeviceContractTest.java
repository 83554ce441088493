package io.jiomap.device.sata;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.device.BlockDeviceContractTest;
import io.jiomap.tck.device.ContractDevices;
import io.jiomap.tck.device.DeviceWish;
import java.util.Optional;

/**
 * The block device contract and write-cache rules, on {@code sata-like}: one queue, a cache without FUA (so the FUA
 * power-cut rule is skipped) and FLUSH CACHE as a non-queued command (so the flush serialisation rule runs).
 */
class SataLikeDeviceContractTest extends BlockDeviceContractTest {
    private final SataLikeProvider provider = new SataLikeProvider();

    @Override
    protected ContractDevices devices() {
        return new ContractDevices() {
            @Override
            public String name() {
                return SataLikeProvider.TYPE;
            }

            @Override
            public Optional<BlockDevice> open(DeviceWish wish) throws JiomapException {
                return Optional.of(provider.open(DeviceSpec.parse(name() + ":" + wish.asOptions())));
            }

            @Override
            public boolean flushesAreNotQueued() {
                return true;
            }
        };
    }
}
