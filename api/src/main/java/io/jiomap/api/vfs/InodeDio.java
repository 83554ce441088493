package io.jiomap.api.vfs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * The direct-I/O state every inode carries: how many direct I/Os are in flight ({@code i_dio_count}) and which of
 * their completions are deferred to an issuer. It implements the drain ({@code inode_dio_wait}) so that it cannot
 * deadlock with caller completion: see {@link DeferredCompletion} for why and how.
 *
 * <p>Filesystems call {@link #waitForDrain()} from truncate, fallocate, clone, unmount and anything else that must
 * see no direct I/O in flight, after taking the lock that keeps new direct I/O out.
 *
 * <p>Cost on the hot path: the in-flight count is touched by the submitter and by whoever completes; the list of
 * deferred completions only by the device completion context that defers (under a lock nobody else takes per
 * I/O). An issuer that runs its own deferred completion claims it with one compare-and-swap and leaves it linked:
 * a completion object belongs to one iocb and is reused with it, so the list never holds more than the iocbs that
 * ever deferred on this inode, and drains unlink the finished ones. The two are kept on separate cache lines so the
 * submitter and the device context do not make each other miss.
 */
public final class InodeDio {
    private static final VarHandle IN_FLIGHT;
    private static final VarHandle DRAINERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            IN_FLIGHT = l.findVarHandle(Counter.class, "value", int.class);
            DRAINERS = l.findVarHandle(InodeDio.class, "drainers", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Left padding: keeps the counter off the cache line of whatever was allocated before it. */
    @SuppressWarnings("unused")
    private static class CounterPad {
        long p01, p02, p03, p04, p05, p06, p07, p08;
    }

    /** The in-flight count, padded on both sides. */
    @SuppressWarnings("unused")
    private static final class Counter extends CounterPad {
        volatile int value;
        long q01, q02, q03, q04, q05, q06, q07, q08;
    }

    /** Deferred completions of this inode; guarded by itself (the monitor of this object). */
    @SuppressWarnings("unused")
    private static final class DeferredList extends CounterPad {
        DeferredCompletion head;
        long q01, q02, q03, q04, q05, q06, q07, q08;
    }

    private final Counter inFlight = new Counter();
    private final DeferredList deferred = new DeferredList();
    private volatile int drainers;

    /** A direct I/O starts (inode_dio_begin). */
    public void begin() {
        IN_FLIGHT.getAndAdd(inFlight, 1);
    }

    /** A direct I/O is fully complete (inode_dio_end); wakes drainers when it was the last. */
    public void end() {
        if ((int) IN_FLIGHT.getAndAdd(inFlight, -1) == 1 && drainers > 0) {
            synchronized (deferred) {
                deferred.notifyAll();
            }
        }
    }

    /** Direct I/Os started and not yet completed, deferred ones included. */
    public int inFlight() {
        return inFlight.value;
    }

    /**
     * Makes a pending deferred completion findable by drainers. Called with its state already PENDING, so a drainer
     * that finds it here can claim it.
     */
    void addDeferred(DeferredCompletion d) {
        InodeDio previous = d.registry;
        if (previous != null && previous != this) {
            // The iocb that owns it last deferred on another inode: move it here.
            previous.unlinkIfRegistered(d);
        }
        synchronized (deferred) {
            if (d.registry != this) {
                link(d);
            }
            if (drainers > 0) {
                deferred.notifyAll();
            }
        }
    }

    private void unlinkIfRegistered(DeferredCompletion d) {
        synchronized (deferred) {
            if (d.registry == this) {
                unlink(d);
            }
        }
    }

    private void link(DeferredCompletion d) {
        d.registry = this;
        d.prev = null;
        d.next = deferred.head;
        if (deferred.head != null) {
            deferred.head.prev = d;
        }
        deferred.head = d;
    }

    private void unlink(DeferredCompletion d) {
        if (d.prev != null) {
            d.prev.next = d.next;
        } else {
            deferred.head = d.next;
        }
        if (d.next != null) {
            d.next.prev = d.prev;
        }
        d.prev = d.next = null;
        d.registry = null;
    }

    /**
     * Claims the first pending deferred completion, unlinking finished ones on the way. Caller holds the monitor of
     * {@link #deferred}; a completion being deferred again takes the same monitor to relink, so none is lost.
     */
    private DeferredCompletion claimOne() {
        DeferredCompletion d = deferred.head;
        while (d != null) {
            DeferredCompletion next = d.next;
            if (d.claim()) {
                return d;
            }
            if (d.isDone()) {
                unlink(d);
            }
            d = next;
        }
        return null;
    }

    /**
     * Waits until no direct I/O is in flight on this inode ({@code inode_dio_wait}). Deferred completions nobody
     * has claimed are run here, on the calling thread, so the wait only ever depends on device I/O.
     */
    public void waitForDrain() {
        drainUntil(Long.MAX_VALUE);
    }

    /**
     * As {@link #waitForDrain()}, giving up after {@code timeout}.
     *
     * @return true if drained, false on timeout
     */
    public boolean waitForDrain(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        return drainUntil(deadline);
    }

    private boolean drainUntil(long deadlineNanos) {
        boolean interrupted = false;
        DRAINERS.getAndAdd(this, 1);
        try {
            while (true) {
                DeferredCompletion claimed;
                synchronized (deferred) {
                    claimed = claimOne();
                    if (claimed == null) {
                        if (inFlight.value == 0) {
                            return true;
                        }
                        long left = deadlineNanos - System.nanoTime();
                        if (left <= 0) {
                            return false;
                        }
                        try {
                            TimeUnit.NANOSECONDS.timedWait(deferred, left);
                        } catch (InterruptedException e) {
                            // Like the kernel's uninterruptible sleep: the drain must finish; keep the interrupt.
                            interrupted = true;
                        }
                        continue;
                    }
                }
                claimed.runForDrain();
            }
        } finally {
            DRAINERS.getAndAdd(this, -1);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
