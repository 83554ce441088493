package io.jiomap.fs.xfslike;

import io.jiomap.device.memory.MemoryDeviceProvider;
import io.jiomap.tck.FaultingDevices;
import io.jiomap.tck.TckFixture;
import io.jiomap.testkit.contract.ProviderDevices;
import java.util.Map;

/**
 * The direct-I/O contract (docs/dio-contract.md, "Test vectors", "Completion decision table"; docs/design-rules.md,
 * "Rule 1") on xfs-like over {@code memory}.
 */
class XfsLikeOnMemoryDioContractTest extends XfsLikeDioContract {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new XfsLikeUnderTest(),
                new FaultingDevices(new ProviderDevices(new MemoryDeviceProvider(), Map.of())));
    }
}
