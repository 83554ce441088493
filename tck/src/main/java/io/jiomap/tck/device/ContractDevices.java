package io.jiomap.tck.device;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import java.util.Optional;

/**
 * How {@link BlockDeviceContractTest} gets the devices it checks: the one thing a device plugin writes to run the
 * contract. Whether the device implements {@link io.jiomap.api.block.SimulatesPowerLoss} decides whether the
 * power-cut tests run.
 */
public interface ContractDevices {
    /** The device type, for skip messages. */
    String name();

    /**
     * Opens a fresh device as wished (the test closes it), or returns empty when this device type cannot be that
     * (the test is skipped, naming the wish).
     */
    Optional<BlockDevice> open(DeviceWish wish) throws JiomapException;

    /**
     * Whether FLUSH is a non-queued command the queue drains around (SATA's FLUSH CACHE): then a flush completes
     * after every bio submitted before it and before every bio submitted after it, which the contract checks.
     */
    default boolean flushesAreNotQueued() {
        return false;
    }

    /**
     * Whether holding one completion callback stalls the device: its bios complete on one device thread per queue
     * and a queue slot is freed only after the callback returns. The queue-full and close-with-I/O-in-flight rules
     * stall the device that way, without timing; a device that completes inside {@code submit}, or on several
     * threads per queue, skips them with this reason (and proves its back-pressure in its own tests).
     */
    default boolean heldCompletionStallsTheQueue() {
        return true;
    }
}
