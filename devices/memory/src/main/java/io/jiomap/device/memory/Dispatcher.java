package io.jiomap.device.memory;

import io.jiomap.api.block.Bio;

/** Carries validated bios to the store and completes them: the completion mode of a memory device. */
sealed interface Dispatcher permits InlineDispatcher, InterruptDispatcher {
    /** Executes or queues a bio that passed the device's checks; completes it exactly once, maybe before returning. */
    void submit(Bio bio);

    /**
     * Stops taking bios, ends every queued one with ENODEV and frees the store once nothing can touch it. Returns
     * when that is done, except when called from the device's own completion context, which cannot wait for itself.
     * Idempotent.
     */
    void shutdown();
}
