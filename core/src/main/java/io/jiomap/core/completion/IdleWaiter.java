package io.jiomap.core.completion;

import java.util.concurrent.locks.LockSupport;

/**
 * How a consumer thread (a ring owner waiting for completions, a workqueue worker) waits for work: spin a little,
 * yield a little, then park until a producer wakes it. A producer calls {@link #wake()} after publishing work; it
 * costs an unpark system call only when the consumer actually sleeps.
 *
 * <p>Every completion mode waits with this same class and the same constants, because the benchmark compares
 * completion strategies and must not compare wake-up strategies by accident (docs/design-rules.md, "Rule 2").
 */
public final class IdleWaiter {
    /** Rounds of {@link Thread#onSpinWait()} before yielding: a few microseconds. */
    public static final int SPIN_ROUNDS = 128;
    /** Rounds of {@link Thread#yield()} before parking. */
    static final int YIELD_ROUNDS = 4;

    /** Tells the waiter whether work arrived, checked once more after it announced it is going to sleep. */
    @FunctionalInterface
    public interface WorkCheck {
        boolean hasWork();
    }

    private final Thread consumer;
    private volatile boolean sleeping;

    public IdleWaiter(Thread consumer) {
        this.consumer = consumer;
    }

    /**
     * One idle step of the consumer.
     *
     * @param round how many idle steps in a row came before this one (0 after work was found)
     */
    public void idle(int round, WorkCheck check) {
        if (round < SPIN_ROUNDS) {
            Thread.onSpinWait();
        } else if (round < SPIN_ROUNDS + YIELD_ROUNDS) {
            Thread.yield();
        } else {
            // Announce the sleep before the last look, so a producer that publishes after the look sees the flag
            // (both are volatile accesses, so one of the two always sees the other).
            sleeping = true;
            if (!check.hasWork()) {
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

    public Thread consumer() {
        return consumer;
    }
}
