package io.jiomap.device.model;

import java.util.concurrent.locks.LockSupport;

/**
 * How a submitter waits for a free queue slot: spin first (a slot usually frees within a bio's copy time), then
 * yield, then park in short naps, so a long wait costs no CPU and needs no wake-up from the device.
 */
public final class Backoff {
    private static final int SPINS = 64;
    private static final int YIELDS = 16;
    /** Short enough to add little latency when a slot frees, long enough that a stalled device costs no CPU. */
    private static final long NAP_NANOS = 20_000;

    private Backoff() {
    }

    /** Waits a little; {@code attempt} counts the calls since the wait began. */
    public static void pause(int attempt) {
        if (attempt < SPINS) {
            Thread.onSpinWait();
        } else if (attempt < SPINS + YIELDS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(NAP_NANOS);
        }
    }
}
