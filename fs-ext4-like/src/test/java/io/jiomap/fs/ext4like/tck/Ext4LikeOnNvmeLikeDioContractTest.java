package io.jiomap.fs.ext4like.tck;

import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.FaultingDevices;
import io.jiomap.tck.TckFixture;

/**
 * The direct-I/O contract (docs/dio-contract.md, "Test vectors") on the ext4-like filesystem over the nvme-like device.
 * 
 */
class Ext4LikeOnNvmeLikeDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new Ext4LikeUnderTest(), new FaultingDevices(Ext4Devices.NVME_LIKE));
    }
}
