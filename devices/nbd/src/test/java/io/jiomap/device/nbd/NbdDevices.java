package io.jiomap.device.nbd;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.DeviceCompletion;
import io.jiomap.tck.DeviceFactory;
import io.jiomap.tck.DeviceSetup;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * nbd devices for the direct-I/O contract, each on a fresh nbdkit memory export: a write cache with FUA (the memory
 * plugin), or without FUA (the fua filter hides it), the logical block size as the blocksize-policy filter's minimum,
 * the largest bio as the client's option, and a poll queue for polled bios. The server always offers flush, and replies arrive on the reader thread:
 * a setup without a write cache, or completing otherwise than asynchronously, is declined.
 */
final class NbdDevices implements DeviceFactory {
    private final NbdPeers peers;

    NbdDevices(NbdPeers peers) {
        this.peers = peers;
    }

    @Override
    public String name() {
        return NbdDeviceProvider.TYPE;
    }

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException {
        if (setup.completion() != DeviceCompletion.ASYNC
                || (setup.writeCacheMatters() && !setup.volatileWriteCache())) {
            return Optional.empty();
        }
        List<String> server = new ArrayList<>();
        if (setup.writeCacheMatters() && !setup.fua()) {
            server.add("--filter=fua");
        }
        server.add("--filter=blocksize-policy");
        server.addAll(List.of("memory", "size=" + setup.capacityBytes(),
                "blocksize-minimum=" + setup.logicalBlockSize(), "blocksize-preferred=" + setup.logicalBlockSize()));
        NbdPeer peer = peers.nbdkit(server.toArray(String[]::new));
        return Optional.of(new NbdDeviceProvider().open(DeviceSpec.parse("nbd:uri=" + peer.uri()
                + ",timeout=20s,poll-queues=1,max-transfer=" + setup.maxTransferBytes())));
    }
}
