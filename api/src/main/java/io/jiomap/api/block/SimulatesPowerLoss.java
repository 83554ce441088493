package io.jiomap.api.block;

/**
 * A device that can simulate a power cut: everything the device had not made durable is lost (completed writes
 * still in its volatile cache, writes in flight), and the device stays usable, holding what survived. Device
 * contract tests and crash tests use it; devices without a volatile cache lose nothing completed.
 */
public interface SimulatesPowerLoss {
    /** Drops every write that no FUA, no completed flush and no absent write cache made durable. */
    void powerCut();
}
