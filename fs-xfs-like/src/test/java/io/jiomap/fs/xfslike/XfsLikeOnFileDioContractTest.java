package io.jiomap.fs.xfslike;

import io.jiomap.device.file.FileDeviceProvider;
import io.jiomap.tck.FaultingDevices;
import io.jiomap.tck.TckFixture;
import io.jiomap.testkit.contract.ProviderDevices;
import java.util.Map;

/**
 * The direct-I/O contract on xfs-like over the {@code file} device: a real image file under target/ opened with
 * O_DIRECT through io_uring. Setups the file cannot take (another sector size, a chosen write cache) are skipped.
 */
class XfsLikeOnFileDioContractTest extends XfsLikeDioContract {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new XfsLikeUnderTest(),
                new FaultingDevices(new ProviderDevices(new FileDeviceProvider(), Map.of())));
    }
}
