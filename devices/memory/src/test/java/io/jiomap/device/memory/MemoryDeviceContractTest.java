package io.jiomap.device.memory;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.device.BlockDeviceContractTest;
import io.jiomap.tck.device.ContractDevices;
import io.jiomap.tck.device.DeviceWish;
import java.util.Optional;
import org.junit.jupiter.api.Nested;

/**
 * The block device contract and write-cache rules on {@code memory}, in each of its completion styles: the queue and
 * close rules differ between an interrupt thread, a delayed one and completion inside submit (which skips the rules
 * that stall the device by holding a completion).
 */
class MemoryDeviceContractTest {
    private static ContractDevices memory(String completion) {
        MemoryDeviceProvider provider = new MemoryDeviceProvider();
        return new ContractDevices() {
            @Override
            public String name() {
                return MemoryDeviceProvider.TYPE + " (completion=" + completion + ")";
            }

            @Override
            public Optional<BlockDevice> open(DeviceWish wish) throws JiomapException {
                // The memory device has one queue, so every wish for a single queue is met as it is.
                return Optional.of(provider.open(DeviceSpec.parse(MemoryDeviceProvider.TYPE + ":" + wish.asOptions()
                        + ",completion=" + completion)));
            }

            @Override
            public boolean heldCompletionStallsTheQueue() {
                return !completion.equals("submitter");
            }
        };
    }

    @Nested
    class OnItsInterruptThread extends BlockDeviceContractTest {
        @Override
        protected ContractDevices devices() {
            return memory("thread");
        }
    }

    @Nested
    class CompletingInTheSubmitter extends BlockDeviceContractTest {
        @Override
        protected ContractDevices devices() {
            return memory("submitter");
        }
    }

    @Nested
    class AfterADelay extends BlockDeviceContractTest {
        @Override
        protected ContractDevices devices() {
            return memory("delay");
        }
    }
}
