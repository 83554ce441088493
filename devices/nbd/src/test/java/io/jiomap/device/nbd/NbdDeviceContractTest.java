package io.jiomap.device.nbd;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.device.BlockDeviceContractTest;
import io.jiomap.tck.device.ContractDevices;
import io.jiomap.tck.device.DeviceWish;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The block device contract on {@code nbd}, each device on a fresh export over a Unix socket, with one connection (one
 * reader thread per queue, so a held completion stalls it). The queue depth and the largest bio are the client's
 * options. Neither server's cache is a power-cut model, and both always offer flush: those wishes and rules are
 * skipped, naming why.
 */
class NbdDeviceContractTest {
    private static String clientOptions(NbdPeer peer, String export, DeviceWish wish) {
        return clientOptions(peer, export, wish, 0);
    }

    private static String clientOptions(NbdPeer peer, String export, DeviceWish wish, int pollQueues) {
        StringBuilder options = new StringBuilder("nbd:uri=").append(peer.uri(export)).append(",timeout=20s")
                .append(",poll-queues=").append(pollQueues);
        if (wish.maxTransferBytes() != 0) {
            options.append(",max-transfer=").append(wish.maxTransferBytes());
        }
        if (wish.queueDepth() != 0) {
            options.append(",queue-depth=").append(wish.queueDepth());
        }
        return options.toString();
    }

    /** nbdkit's memory plugin; a logical block size comes from the blocksize-policy filter (its minimum). */
    @Nested
    class OnNbdkitMemory extends BlockDeviceContractTest {
        @RegisterExtension
        final NbdPeers peers = new NbdPeers();

        @Override
        protected ContractDevices devices() {
            return nbdkitMemory(peers, 0);
        }
    }

    /** The same with a poll queue: polled bios go to a connection whose replies the poller reads. */
    @Nested
    class OnNbdkitMemoryWithAPollQueue extends BlockDeviceContractTest {
        @RegisterExtension
        final NbdPeers peers = new NbdPeers();

        @Override
        protected ContractDevices devices() {
            return nbdkitMemory(peers, 1);
        }
    }

    /** Fresh nbdkit memory exports, with {@code pollQueues} poll queues on the client. */
    private static ContractDevices nbdkitMemory(NbdPeers peers, int pollQueues) {
        return new ContractDevices() {
            @Override
            public String name() {
                return "nbd (nbdkit memory, " + pollQueues + " poll queue(s))";
            }

            @Override
            public Optional<BlockDevice> open(DeviceWish wish) throws JiomapException {
                if (Boolean.FALSE.equals(wish.writeCache())) {
                    return Optional.empty();
                }
                List<String> server = new ArrayList<>();
                if (wish.logicalBlockSize() != 0) {
                    server.addAll(List.of("--filter=blocksize-policy", "memory", "size=" + wish.capacityBytes(),
                            "blocksize-minimum=" + wish.logicalBlockSize(),
                            "blocksize-preferred=" + wish.logicalBlockSize()));
                } else {
                    server.addAll(List.of("memory", "size=" + wish.capacityBytes()));
                }
                NbdPeer peer = peers.nbdkit(server.toArray(String[]::new));
                return Optional.of(new NbdDeviceProvider().open(
                        DeviceSpec.parse(clientOptions(peer, "", wish, pollQueues))));
            }
        };
    }

    /** qemu-nbd in front of a fresh qcow2 image; its logical block size is what qemu-nbd names (512). */
    @Nested
    class OnQemuNbdQcow2 extends BlockDeviceContractTest {
        @RegisterExtension
        final NbdPeers peers = new NbdPeers();

        @Override
        protected ContractDevices devices() {
            return new ContractDevices() {
                @Override
                public String name() {
                    return "nbd (qemu-nbd qcow2)";
                }

                @Override
                public Optional<BlockDevice> open(DeviceWish wish) throws JiomapException {
                    if (Boolean.FALSE.equals(wish.writeCache())) {
                        return Optional.empty();
                    }
                    NbdPeer peer = peers.qemuNbd(Images.qcow2(peers.dir(), wish.capacityBytes()), "qcow2", "disk");
                    BlockDevice device = new NbdDeviceProvider().open(
                            DeviceSpec.parse(clientOptions(peer, "disk", wish)));
                    if (wish.logicalBlockSize() != 0
                            && device.capabilities().logicalBlockSize() != wish.logicalBlockSize()) {
                        device.close();
                        return Optional.empty();
                    }
                    return Optional.of(device);
                }
            };
        }
    }
}
