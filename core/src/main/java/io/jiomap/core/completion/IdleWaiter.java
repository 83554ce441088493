package io.jiomap.core.completion;

import java.util.concurrent.locks.LockSupport;

/**
 * How a consumer thread (a ring owner waiting for completions, a workqueue worker) waits for work: spin a little,
 * yield a little, then park until a producer wakes it. A producer calls {@link #wake()} after publishing work; it
 * costs an unpark system call only when the consumer actually sleeps.
 *
 * <p>The spin is measured in time, not in rounds: one {@link Thread#onSpinWait()} takes from a few to over a hundred
 * cycles depending on the processor, so a count of rounds would spin ten times longer on one machine than on
 * another, and a benchmark would compare processors instead of completion strategies.
 *
 * <p>Every completion mode waits with this same class and the same constants, because the benchmark compares
 * completion strategies and must not compare wake-up strategies by accident (docs/design-rules.md, "Rule 2").
 */
public final class IdleWaiter {
    /** How long an idle consumer spins before it yields: a few microseconds, well under a park and wake-up. */
    public static final long SPIN_NANOS = 2_000;
    /** Rounds of {@link Thread#onSpinWait()} between two reads of the clock, which costs more than a round. */
    private static final int SPINS_PER_CLOCK = 16;
    /** Yields before parking. */
    static final int YIELD_ROUNDS = 4;

    /** Tells the waiter whether work arrived, checked once more after it announced it is going to sleep. */
    @FunctionalInterface
    public interface WorkCheck {
        boolean hasWork();
    }

    private final Thread consumer;
    private volatile boolean sleeping;
    /** Written by the consumer only; read by anyone for statistics. */
    private volatile long sleeps;
    private long spinUntil;
    private int yields;

    public IdleWaiter(Thread consumer) {
        this.consumer = consumer;
    }

    /**
     * One idle step of the consumer.
     *
     * @param round how many idle steps in a row came before this one (0 after work was found)
     */
    public void idle(int round, WorkCheck check) {
        if (round == 0) {
            spinUntil = System.nanoTime() + SPIN_NANOS;
            yields = 0;
        }
        if (round % SPINS_PER_CLOCK != 0 || System.nanoTime() - spinUntil < 0) {
            Thread.onSpinWait();
        } else if (yields < YIELD_ROUNDS) {
            yields++;
            Thread.yield();
        } else {
            // Announce the sleep before the last look, so a producer that publishes after the look sees the flag
            // (both are volatile accesses, so one of the two always sees the other).
            sleeping = true;
            if (!check.hasWork()) {
                sleeps = sleeps + 1;
                LockSupport.park(this);
            }
            sleeping = false;
        }
    }

    /** Called by a producer after it published work. */
    public void wake() {
        if (sleeping) {
            LockSupport.unpark(consumer);
        }
    }

    /** How many times the consumer parked so far: the wake-ups its producers had to pay for. */
    public long sleeps() {
        return sleeps;
    }

    public Thread consumer() {
        return consumer;
    }
}
