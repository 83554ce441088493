package io.jiomap.device.file;

import io.jiomap.fs.raw.RawFileSystemType;
import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.RawFs;
import io.jiomap.tck.TckFixture;

/**
 * The DIO contract (docs/dio-contract.md, "Test vectors", "Completion decision table"; docs/design-rules.md, "Rule 1")
 * on the raw filesystem over a real O_DIRECT file. The raw filesystem is reused from the TCK's own run on the memory
 * device: the whole device as one MAPPED file.
 */
class RawOnFileDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new RawFs(new RawFileSystemType()), new FileDevices());
    }
}
