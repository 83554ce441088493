package io.jiomap.tck;

import io.jiomap.fs.raw.RawFileSystemType;
import io.jiomap.tck.scripted.ScriptedDevices;

/** The contract on the raw filesystem over the scripted device, which can also hold bios inside itself. */
class RawOnScriptedDeviceDioContractTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        return new TckFixture(new RawFs(new RawFileSystemType()), new ScriptedDevices());
    }
}
