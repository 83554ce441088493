package io.jiomap.device.model;

import io.jiomap.api.block.Bio;

/**
 * What a device does with one validated bio's data, run by the {@link HardwareQueue}'s thread: it moves the data and
 * says how the bio ended. It never throws for anything a bio can cause, because an I/O error is an ordinary result
 * that must reach the bio's completion.
 */
@FunctionalInterface
public interface BioExecutor {
    /** Moves the bio's data and returns 0 or the errno it ends with. */
    int execute(Bio bio);
}
