package io.jiomap.device.nbd;

import io.jiomap.fs.raw.RawFileSystemType;
import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.RawFs;
import io.jiomap.tck.TckFixture;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The direct-I/O contract on the raw filesystem over an nbd device on nbdkit (docs/dio-contract.md). */
class RawOnNbdDioContractTest extends DioContractTest {
    @RegisterExtension
    final NbdPeers peers = new NbdPeers();

    @Override
    protected TckFixture fixture() {
        return new TckFixture(new RawFs(new RawFileSystemType()), new NbdDevices(peers));
    }
}
