package io.jiomap.fs.xfslike;

import io.jiomap.device.nvme.NvmeLikeProvider;
import io.jiomap.tck.FaultingDevices;
import io.jiomap.tck.TckFixture;
import io.jiomap.testkit.contract.ProviderDevices;
import java.util.Map;

/** The direct-I/O contract (TV1..TV35, decision table, design rule 1) on xfs-like over {@code nvme-like}. */
class XfsLikeOnNvmeLikeDioContractTest extends XfsLikeDioContract {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new XfsLikeUnderTest(),
                new FaultingDevices(new ProviderDevices(new NvmeLikeProvider(), Map.of("queues", "2"))));
    }
}
