package io.jiomap.device.nvme;

import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.TckFixture;
import io.jiomap.tck.scripted.ScriptedFs;

/**
 * The direct-I/O contract (TV1..TV35) with the TCK's scripted filesystem on {@code nvme-like}: among others, an
 * O_DSYNC overwrite writes FUA and stays with the caller (TV5), and a device without a cache needs neither (TV6).
 */
class NvmeLikeDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new ScriptedFs(), new NvmeLikeDevices());
    }
}
