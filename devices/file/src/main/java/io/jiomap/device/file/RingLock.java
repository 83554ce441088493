package io.jiomap.device.file;

import io.jiomap.api.IdleStrategy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The lock around one io_uring's submission and completion queues: a compare-and-swap flag and its owner, held for
 * one submit or reap round at a time, so a waiter backs off ({@link IdleStrategy#backOff}) instead of parking for
 * good. Not reentrant: {@link #tryLock} fails for the thread that already holds it, which lets a completion that runs
 * inside a reap and submits again see that the ring is its own and hand the bio over instead of deadlocking.
 */
final class RingLock {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RingLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    private volatile Thread owner;

    /** Takes the lock if it is free; false if anyone, the caller included, holds it. */
    boolean tryLock() {
        if (owner == Thread.currentThread()) {
            return false;
        }
        if (STATE.compareAndSet(this, 0, 1)) {
            owner = Thread.currentThread();
            return true;
        }
        return false;
    }

    /** Takes the lock, spinning: holders keep it for one short round. */
    void lock() {
        if (tryLock()) {
            return;
        }
        for (long since = System.nanoTime(); !tryLock(); ) {
            IdleStrategy.backOff(since);
        }
    }

    void unlock() {
        owner = null;
        STATE.setRelease(this, 0);
    }

    boolean heldByCurrentThread() {
        return owner == Thread.currentThread();
    }
}
