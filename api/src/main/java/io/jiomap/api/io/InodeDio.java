package io.jiomap.api.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The direct-I/O state every inode carries: how many direct I/Os are in flight ({@code i_dio_count}) and which of
 * their completions are deferred to an issuer. It implements the drain ({@code inode_dio_wait}) so that it cannot
 * deadlock with caller completion: see {@link DeferredCompletion} for why and how.
 *
 * <p>Filesystems call {@link #waitForDrain()} from truncate, fallocate, clone, unmount and anything else that must
 * see no direct I/O in flight, after taking the lock that keeps new direct I/O out.
 */
public final class InodeDio {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object lock = new Object();
    /** Deferred completions of this inode, pending or being run by their issuer; guarded by {@link #lock}. */
    private DeferredCompletion head;
    private volatile int drainers;
    private static final VarHandle DRAINERS;

    static {
        try {
            DRAINERS = MethodHandles.lookup().findVarHandle(InodeDio.class, "drainers", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A direct I/O starts (inode_dio_begin). */
    public void begin() {
        inFlight.incrementAndGet();
    }

    /** A direct I/O is fully complete (inode_dio_end); wakes drainers when it was the last. */
    public void end() {
        if (inFlight.decrementAndGet() == 0 && drainers > 0) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** Direct I/Os started and not yet completed, deferred ones included. */
    public int inFlight() {
        return inFlight.get();
    }

    void addDeferred(DeferredCompletion d) {
        synchronized (lock) {
            d.registry = this;
            d.prev = null;
            d.next = head;
            if (head != null) {
                head.prev = d;
            }
            head = d;
            if (drainers > 0) {
                lock.notifyAll();
            }
        }
    }

    void removeDeferred(DeferredCompletion d) {
        synchronized (lock) {
            unlink(d);
        }
    }

    private void unlink(DeferredCompletion d) {
        if (d.registry != this) {
            return;
        }
        if (d.prev != null) {
            d.prev.next = d.next;
        } else {
            head = d.next;
        }
        if (d.next != null) {
            d.next.prev = d.prev;
        }
        d.prev = d.next = null;
        d.registry = null;
    }

    /** Claims and unlinks the first pending deferred completion, or returns null. Caller holds the lock. */
    private DeferredCompletion claimOne() {
        for (DeferredCompletion d = head; d != null; d = d.next) {
            if (d.claim()) {
                unlink(d);
                return d;
            }
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
                synchronized (lock) {
                    claimed = claimOne();
                    if (claimed == null) {
                        if (inFlight.get() == 0) {
                            return true;
                        }
                        long left = deadlineNanos - System.nanoTime();
                        if (left <= 0) {
                            return false;
                        }
                        try {
                            TimeUnit.NANOSECONDS.timedWait(lock, left);
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
