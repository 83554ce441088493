package io.jiomap.tck;

/** Where the device under test completes bios. */
public enum DeviceCompletion {
    /** On the device's own thread, at a time of its choosing (an "interrupt"). */
    ASYNC,
    /** Inside {@code submit}, before it returns (null_blk irqmode=0; docs/dio-contract.md, "TV4"). */
    SUBMITTER,
    /**
     * Inside the device until the test releases or fails each bio: the device must implement
     * {@link HoldingDevice}. Used where a bio must be in flight inside the device itself, e.g. when the device is
     * closed under it.
     */
    HELD
}
