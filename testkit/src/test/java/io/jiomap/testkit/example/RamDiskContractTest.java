package io.jiomap.testkit.example;

import io.jiomap.testkit.contract.DeviceTck;

/** The guide's device keeps the block device contract; it completes inside submit, so nothing stalls its queue. */
// tag::ramdisk-tck[]
class RamDiskContractTest extends DeviceTck {
    RamDiskContractTest() {
        super(RamDiskProvider.TYPE);
    }

    @Override
    protected boolean heldCompletionStallsTheQueue() {
        return false;
    }
}
// end::ramdisk-tck[]
