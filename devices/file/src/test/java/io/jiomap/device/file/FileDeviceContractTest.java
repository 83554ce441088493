package io.jiomap.device.file;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.tck.device.BlockDeviceContractTest;
import io.jiomap.tck.device.ContractDevices;
import io.jiomap.tck.device.DeviceWish;
import java.util.Optional;
import org.junit.jupiter.api.Nested;

/**
 * The block device contract on {@code file}, on both engines. A file device cannot simulate a power cut (its cache
 * is the host's) and always has a volatile cache with FUA (RWF_DSYNC), the logical block size its filesystem
 * dictates: the power-cut rules and the wishes for anything else are skipped, naming why. Its back-pressure and
 * close with I/O in flight are proven by {@link QueueAndCloseTest}, which stalls every completion thread.
 */
class FileDeviceContractTest {
    private static ContractDevices file(String engine) {
        FileDevices files = new FileDevices();
        return new ContractDevices() {
            @Override
            public String name() {
                return FileDeviceProvider.TYPE + " (engine=" + engine + ")";
            }

            @Override
            public Optional<BlockDevice> open(DeviceWish wish) throws JiomapException {
                Engines.assumeAvailable(engine);
                if (Boolean.FALSE.equals(wish.writeCache())) {
                    return Optional.empty();
                }
                StringBuilder options = new StringBuilder("engine=").append(engine)
                        .append(",size=").append(wish.capacityBytes());
                if (wish.maxTransferBytes() != 0) {
                    options.append(",max-transfer=").append(wish.maxTransferBytes());
                }
                if (wish.queueDepth() != 0) {
                    options.append(",queue-depth=").append(wish.queueDepth());
                }
                return files.openFresh(options.toString(), wish.logicalBlockSize());
            }

            // Several completion threads (the thread pool), or io_uring's ring slots beside the queue: one held
            // callback stalls nothing. QueueAndCloseTest stalls every completion thread instead.
            @Override
            public boolean heldCompletionStallsTheQueue() {
                return false;
            }
        };
    }

    @Nested
    class OnIoUring extends BlockDeviceContractTest {
        @Override
        protected ContractDevices devices() {
            return file("io_uring");
        }
    }

    @Nested
    class OnThreads extends BlockDeviceContractTest {
        @Override
        protected ContractDevices devices() {
            return file("threads");
        }
    }
}
