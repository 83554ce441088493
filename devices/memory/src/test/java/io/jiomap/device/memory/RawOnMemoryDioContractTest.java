package io.jiomap.device.memory;

import io.jiomap.fs.raw.RawFileSystemType;
import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.RawFs;
import io.jiomap.tck.TckFixture;

/** The contract on the raw filesystem over the in-memory device: the two real plugins together. */
class RawOnMemoryDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new RawFs(new RawFileSystemType()), new MemoryDevices());
    }
}
