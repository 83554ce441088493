package io.jiomap.device.sata;

import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.TckFixture;
import io.jiomap.tck.scripted.ScriptedFs;

/**
 * The direct-I/O contract (docs/dio-contract.md, "Test vectors") with the TCK's scripted filesystem on {@code
 * sata-like}: among others, an O_DSYNC overwrite goes to the workqueue and flushes instead of writing FUA
 * (docs/dio-contract.md, "TV7", "Row 7").
 */
class SataLikeDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new ScriptedFs(), new SataLikeDevices());
    }
}
