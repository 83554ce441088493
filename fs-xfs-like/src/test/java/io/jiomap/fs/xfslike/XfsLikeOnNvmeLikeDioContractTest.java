package io.jiomap.fs.xfslike;

import io.jiomap.device.nvme.NvmeLikeProvider;
import io.jiomap.tck.FaultingDevices;
import io.jiomap.tck.TckFixture;
import io.jiomap.testkit.contract.ProviderDevices;
import java.util.Map;

/**
 * The direct-I/O contract (docs/dio-contract.md, "Test vectors", "Completion decision table"; docs/design-rules.md,
 * "Rule 1") on xfs-like over {@code nvme-like}.
 */
class XfsLikeOnNvmeLikeDioContractTest extends XfsLikeDioContract {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new XfsLikeUnderTest(),
                new FaultingDevices(new ProviderDevices(new NvmeLikeProvider(), Map.of("queues", "2"))));
    }
}
