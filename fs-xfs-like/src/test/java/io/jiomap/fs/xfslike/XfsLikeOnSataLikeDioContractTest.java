package io.jiomap.fs.xfslike;

import io.jiomap.device.sata.SataLikeProvider;
import io.jiomap.tck.FaultingDevices;
import io.jiomap.tck.TckFixture;
import io.jiomap.testkit.contract.ProviderDevices;
import java.util.Map;

/** The direct-I/O contract (TV1..TV35, decision table, design rule 1) on xfs-like over {@code sata-like}. */
class XfsLikeOnSataLikeDioContractTest extends XfsLikeDioContract {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new XfsLikeUnderTest(),
                new FaultingDevices(new ProviderDevices(new SataLikeProvider(), Map.of())));
    }
}
