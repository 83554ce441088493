package org.example.jiomap.ramdisk;

import io.jiomap.testkit.contract.DeviceDioTck;
import io.jiomap.testkit.contract.DeviceTck;
import org.junit.jupiter.api.Nested;

/** The two device suites of the test kit on the ramdisk, found by its type name on the test class path. */
// tag::ramdisk-tck[]
class RamDiskContractTest {
    /** The block device contract, on the device itself. */
    @Nested
    class BlockDeviceContract extends DeviceTck {
        BlockDeviceContract() {
            super(RamDiskProvider.TYPE);
        }

        // Bios complete inside submit, so a held completion stalls nothing: the queue-full rules do not apply.
        @Override
        protected boolean heldCompletionStallsTheQueue() {
            return false;
        }
    }

    /** The direct-I/O contract (the TCK), through the core, with the TCK's scripted filesystem on ramdisks. */
    @Nested
    class DirectIoContract extends DeviceDioTck {
        DirectIoContract() {
            super(RamDiskProvider.TYPE);
        }
    }
}
// end::ramdisk-tck[]
