package io.jiomap.device.file;

import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.TckFixture;
import io.jiomap.tck.scripted.ScriptedFs;

/**
 * The DIO contract (docs/dio-contract.md, "Test vectors", "Completion decision table"; docs/design-rules.md, "Rule 1")
 * with the TCK's scripted filesystem on a real O_DIRECT file: the scripted mappings (UNWRITTEN, HOLE, DIRTY, SHARED,
 * ...) reach the test vectors raw cannot, so the file device is held to every rule whose device side it can provide (a
 * write cache with FUA as RWF_DSYNC, asynchronous completion).
 */
class ScriptedFsOnFileDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new ScriptedFs(), new FileDevices());
    }
}
