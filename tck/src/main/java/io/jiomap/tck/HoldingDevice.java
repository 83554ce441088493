package io.jiomap.tck;

import io.jiomap.api.block.BlockDevice;

/**
 * A device that keeps bios in flight until the test ends them ({@link DeviceCompletion#HELD}).
 * {@link io.jiomap.tck.scripted.ScriptedDevice} is one.
 */
public interface HoldingDevice extends BlockDevice {
    /** Bios held now. */
    int heldCount();

    /** Completes the held bio at {@code index} (0 = oldest) successfully, on the calling thread. */
    void release(int index);

    /** Ends the held bio at {@code index} with {@code errno}, on the calling thread. */
    void fail(int index, int errno);

    /** Completes every held bio and stops holding new ones. */
    void stopHolding();
}
