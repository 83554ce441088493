package io.jiomap.device.toolkit.fault;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.FilterBlockDevice;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A block device that injects faults into the bios it passes to an inner device, as chosen by a {@link FaultRules}
 * set (the user-space counterpart of dm-flakey / dm-dust).
 *
 * <p>The inner device never sees the caller's bio: the faulty device submits its own shadow bio over the same memory,
 * so it can end the caller's bio on its own terms (an errno, a delayed completion, ENODEV) without racing the inner
 * device for it. Shadows of untouched bios come from a pool, so a bio no rule hits costs no allocation; a bio a rule
 * hits allocates its own.
 *
 * <p>Rules can be replaced at any time with {@link #setRules}: the new immutable set is swapped in atomically and its
 * counts (Nth, every Kth, random draws) start from zero. A bio sees either the old or the new set, never a mix.
 *
 * <p>Closing the faulty device closes the inner device, which it owns.
 */
public final class FaultyDevice extends FilterBlockDevice {
    private final String name;
    private final int blockMask;
    private final Object lifecycle = new Object();
    private final ArrayDeque<Flight> pool = new ArrayDeque<>();
    /** Bios whose inner I/O is over and that wait for their latency to pass; the timer or a disappear ends them. */
    private final Set<Flight> delayed = ConcurrentHashMap.newKeySet();
    private final LongAdder submitted = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder shortened = new LongAdder();
    private final LongAdder delayedCount = new LongAdder();
    private final LongAdder endedNoDevice = new LongAdder();
    private volatile Armed armed;
    private volatile boolean gone;
    private volatile boolean closed;
    private ScheduledThreadPoolExecutor timer;
    private volatile Thread timerThread;

    /** A rule set installed in this device, with the per-rule counts of matching bios. */
    private record Armed(FaultRules rules, FaultRule[] list, AtomicLongArray counts) {
        Armed(FaultRules rules) {
            this(rules, rules.rules().toArray(FaultRule[]::new), new AtomicLongArray(rules.rules().size()));
        }
    }

    /** Bios reach the inner device as shadows, so a polled one could not be polled through here: no polling. */
    public FaultyDevice(BlockDevice inner, FaultRules rules) {
        super(inner, Polling.DROPPED);
        this.name = "faulty(" + inner.name() + ")";
        this.blockMask = inner.capabilities().logicalBlockSize() - 1;
        this.armed = new Armed(Objects.requireNonNull(rules, "rules"));
    }

    /** Wraps {@code inner} with no faults yet; install some with {@link #setRules}. */
    public FaultyDevice(BlockDevice inner) {
        this(inner, FaultRules.none());
    }

    /** Atomically replaces the rule set; its counts start from zero. */
    public void setRules(FaultRules rules) {
        this.armed = new Armed(Objects.requireNonNull(rules, "rules"));
    }

    public FaultRules rules() {
        return armed.rules();
    }

    public FaultCounters counters() {
        return new FaultCounters(submitted.sum(), failed.sum(), shortened.sum(), delayedCount.sum(), gone ? 1 : 0,
                endedNoDevice.sum());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void submit(Bio bio) {
        submitted.increment();
        if (gone || closed) {
            endedNoDevice.increment();
            bio.complete(Errno.ENODEV);
            return;
        }
        Armed a = armed;
        long delay = 0;
        FaultRule outcome = null;
        FaultRule[] list = a.list();
        for (int i = 0; i < list.length; i++) {
            FaultRule rule = list[i];
            if (!rule.matches(bio) || !rule.fires(a.counts().incrementAndGet(i))) {
                continue;
            }
            if (rule.action() == FaultRule.Action.DELAY) {
                delay += rule.delayNanos();
            } else if (outcome == null) {
                outcome = rule;
            }
        }
        if (outcome == null && delay == 0) {
            Flight flight = take();
            flight.caller = bio;
            flight.forward(bio.length());
            return;
        }
        Flight flight = new Flight(false);
        flight.caller = bio;
        if (delay > 0) {
            delayedCount.increment();
            flight.hasDeadline = true;
            flight.deadline = System.nanoTime() + delay;
        }
        if (outcome == null) {
            flight.forward(bio.length());
            return;
        }
        switch (outcome.action()) {
            case FAIL -> {
                failed.increment();
                flight.finish(outcome.errno());
            }
            case SHORT -> {
                shortened.increment();
                int bytes = bio.op() == BioOp.FLUSH ? 0 : Math.min(outcome.shortBytes(), bio.length()) & ~blockMask;
                if (bytes == 0) {
                    flight.finish(Errno.EIO);
                } else {
                    flight.errnoOnSuccess = Errno.EIO;
                    flight.forward(bytes);
                }
            }
            case DISAPPEAR -> {
                disappear();
                flight.complete(Errno.ENODEV);
            }
            case DELAY -> throw new IllegalStateException("a DELAY rule cannot decide an outcome: " + outcome);
        }
    }

    /**
     * The device goes away, like a hot-unplugged disk: the inner device is closed, which ends every bio it holds,
     * and every bio in flight here (at the inner device or waiting out a latency) and every later bio ends with
     * ENODEV. Nothing is left hanging: when this returns every bio submitted before it has ended, unless it is
     * called from the inner device's own completion thread, whose close then finishes right after the callback. A
     * bio that completed just as the device went away may keep its result. Idempotent.
     */
    public void disappear() {
        synchronized (lifecycle) {
            if (gone) {
                return;
            }
            gone = true;
        }
        in.close();
        drainDelayed();
    }

    /** Whether the device has disappeared. */
    public boolean isGone() {
        return gone;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the inner device (ending what it holds), ends the bios still waiting out a latency at once with their
     * result, and stops the timer thread. Idempotent.
     */
    @Override
    public void close() {
        ScheduledThreadPoolExecutor t;
        synchronized (lifecycle) {
            closed = true;
            t = timer;
        }
        in.close();
        drainDelayed();
        if (t != null) {
            t.shutdownNow();
            if (Thread.currentThread() != timerThread) {
                awaitTermination(t);
            }
        }
    }

    private static void awaitTermination(ScheduledThreadPoolExecutor t) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    // Only a completion callback still running on the timer thread can keep it; it must not block.
                    if (t.awaitTermination(10, TimeUnit.SECONDS)) {
                        return;
                    }
                    throw new IllegalStateException("the fault timer thread did not stop within 10 s: a bio"
                            + " completion callback on it is blocked");
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drainDelayed() {
        for (Flight flight : delayed) {
            flight.fireDelayed();
        }
    }

    private Flight take() {
        synchronized (pool) {
            Flight flight = pool.pollFirst();
            return flight != null ? flight : new Flight(true);
        }
    }

    private void release(Flight flight) {
        synchronized (pool) {
            pool.addFirst(flight);
        }
    }

    /** The timer thread, started on first use; null once closed. */
    private ScheduledThreadPoolExecutor timer() {
        synchronized (lifecycle) {
            if (closed) {
                return null;
            }
            if (timer == null) {
                timer = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread thread = new Thread(r, "jiomap-" + name + "-timer");
                    thread.setDaemon(true);
                    timerThread = thread;
                    return thread;
                });
                timer.setRemoveOnCancelPolicy(true);
                timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            }
            return timer;
        }
    }

    /** One caller bio on its way through: the shadow bio the inner device sees and how the caller's bio ends. */
    private final class Flight implements BioEndIo {
        final Bio shadow = new Bio();
        final boolean pooled;
        Bio caller;
        boolean hasDeadline;
        long deadline;
        /** The errno the caller gets when the shadow succeeds: EIO for a short transfer, else 0. */
        int errnoOnSuccess;
        /** The result a delayed flight ends with when its latency has passed. */
        int pendingStatus;

        Flight(boolean pooled) {
            this.pooled = pooled;
        }

        /** Passes the first {@code length} bytes of the caller's bio to the inner device. */
        void forward(int length) {
            Bio bio = caller;
            if (bio.op() == BioOp.FLUSH) {
                shadow.setFlush(bio.flags(), this, null);
            } else {
                shadow.set(bio.op(), bio.flags(), bio.address(), bio.segment(), bio.segmentOffset(), length, this,
                        null);
            }
            in.submit(shadow);
        }

        @Override
        public void endIo(Bio bio) {
            int status = bio.status();
            finish(status != 0 ? status : errnoOnSuccess);
        }

        /** Ends the caller's bio with {@code status}, now or, with a latency still to run, on the timer thread. */
        void finish(int status) {
            if (hasDeadline) {
                long remaining = deadline - System.nanoTime();
                if (remaining > 0 && !gone && !closed) {
                    pendingStatus = status;
                    delayed.add(this);
                    ScheduledThreadPoolExecutor t = timer();
                    if (t == null) {
                        fireDelayed();
                        return;
                    }
                    try {
                        t.schedule(this::fireDelayed, remaining, TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException e) {
                        fireDelayed();
                        return;
                    }
                    // A disappear or close that drained the set before this flight joined it must not strand it.
                    if (gone || closed) {
                        fireDelayed();
                    }
                    return;
                }
            }
            complete(status);
        }

        /** Ends a delayed flight, exactly once whoever gets here first (timer, disappear, close). */
        void fireDelayed() {
            if (delayed.remove(this)) {
                complete(pendingStatus);
            }
        }

        void complete(int status) {
            if (gone) {
                endedNoDevice.increment();
                status = Errno.ENODEV;
            }
            Bio bio = caller;
            caller = null;
            if (pooled) {
                release(this);
            }
            bio.complete(status);
        }
    }
}
