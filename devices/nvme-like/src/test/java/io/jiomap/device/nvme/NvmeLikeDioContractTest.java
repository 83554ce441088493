package io.jiomap.device.nvme;

import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.TckFixture;
import io.jiomap.tck.scripted.ScriptedFs;

/**
 * The direct-I/O contract (docs/dio-contract.md, "Test vectors") with the TCK's scripted filesystem on {@code
 * nvme-like}: among others, an O_DSYNC overwrite writes FUA and stays with the caller (docs/dio-contract.md,
 * "TV5"), and a device without a cache needs neither (docs/dio-contract.md, "TV6").
 */
class NvmeLikeDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new ScriptedFs(), new NvmeLikeDevices());
    }
}
