package io.jiomap.device.file;

import java.util.concurrent.locks.LockSupport;

/**
 * How a submitter waits for a free queue slot: spin first (a slot frees when the ring thread takes the next bio),
 * then yield, then park in short naps, so a long wait costs no CPU and needs no wake-up from the device.
 */
final class Backoff {
    private static final int SPINS = 64;
    private static final int YIELDS = 16;
    private static final long NAP_NANOS = 20_000;

    private Backoff() {
    }

    static void pause(int attempt) {
        if (attempt < SPINS) {
            Thread.onSpinWait();
        } else if (attempt < SPINS + YIELDS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(NAP_NANOS);
        }
    }
}
