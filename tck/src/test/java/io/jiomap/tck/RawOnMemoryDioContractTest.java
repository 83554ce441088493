package io.jiomap.tck;

/** The contract on the raw filesystem over the in-memory device: the two real plugins together. */
class RawOnMemoryDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new RawFs(), new MemoryDevices());
    }
}
