package io.jiomap.fs.ext4like.tck;

import io.jiomap.device.file.FileDeviceProvider;
import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.FaultingDevices;
import io.jiomap.tck.TckFixture;
import io.jiomap.testkit.contract.ProviderDevices;
import java.util.Map;

/**
 * The direct-I/O contract on ext4-like over the {@code file} device: a real image file opened with O_DIRECT through
 * io_uring. Setups the file cannot take (another sector size, a chosen write cache) are skipped.
 */
class Ext4LikeOnFileDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new Ext4LikeUnderTest(),
                new FaultingDevices(new ProviderDevices(new FileDeviceProvider(), Map.of())));
    }
}
