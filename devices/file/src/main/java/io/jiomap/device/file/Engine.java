package io.jiomap.device.file;

import io.jiomap.api.block.Bio;
import java.util.List;

/** How a file device moves its bios: io_uring through FFM, or a FileChannel thread pool. */
sealed interface Engine permits UringEngine, ThreadsEngine {
    /** Queues a bio that passed the device's checks; completes it exactly once, maybe before returning. */
    void submit(Bio bio);

    /**
     * Stops: bios not started end with ENODEV, bios in the kernel finish, the threads end and the file is closed
     * before this returns (except when called from the engine's own thread, which cannot wait for itself).
     * Idempotent.
     */
    void shutdown();

    /** The engine's threads, for tests that check none is left running. */
    List<Thread> threads();
}
