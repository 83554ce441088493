package io.jiomap.tck;

import io.jiomap.tck.scripted.ScriptedDevices;
import io.jiomap.tck.scripted.ScriptedFs;

/** The contract on the scripted filesystem over the scripted device: every mapping shape, so most test vectors. */
class ScriptedFsDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new ScriptedFs(), new ScriptedDevices());
    }
}
