package io.jiomap.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How a thread with nothing to do waits, everywhere in jiomap: spin on the CPU for a few microseconds measured by
 * the clock, then yield it, then park (docs/devices.md, "Idle threads").
 *
 * <p>Three forms of one policy:
 * <ul>
 *   <li>an instance, for a thread that waits for work other threads hand it (a ring owner waiting for completions, a
 *       completion worker, a device queue's thread): call {@link #idle(int)} once per round of its loop with the work
 *       that round did. It spins, yields {@code yields} times, then parks until a producer calls {@link #wake()},
 *       which costs an unpark only when the consumer really sleeps; it counts those sleeps;</li>
 *   <li>{@link #poll(long)}, for a wait whose event arrives only when polled: it never parks;</li>
 *   <li>{@link #backOff(long)}, for a wait nobody ends with a wake-up (a free queue slot, a lock held for one short
 *       round): it naps instead of parking for good.</li>
 * </ul>
 * The two static forms keep their state in the caller's one local, the time the wait began, so any thread may wait
 * without an object and nothing is allocated per wait.
 *
 * <p>Why it is part of the API: the engine's completion threads and the devices' queue threads hand work to each
 * other, and a benchmark that compares completion strategies must not compare wake-up strategies by accident
 * (docs/design-rules.md, "Rule 2"); a device bundle shares only this module with the engine (docs/design-rules.md,
 * "Rule 3"), so the one policy both sides use lives here.
 */
public final class IdleStrategy {
    /** How long an idle thread spins before it yields: a few microseconds, well under a park and wake-up. */
    public static final long SPIN_NANOS = 2_000;
    /** Yields before parking. */
    public static final int YIELDS = 4;
    /** The nap of {@link #backOff}: short enough to add little latency, long enough that a stalled wait costs no CPU. */
    static final long NAP_NANOS = 20_000;
    /** Rounds of {@link Thread#onSpinWait()} between two reads of the clock, which costs more than a round. */
    static final int SPINS_PER_CLOCK = 16;

    private static final VarHandle SLEEPING;
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(IdleStrategy.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /*
     * The consumer's own state lives in the middle of a padded array, at least two cache lines away from this
     * object's fields: producers read the sleeping flag on every hand-off, and the consumer writes its round count on
     * every idle round, so on one line each round would cost a producer a cache miss.
     */
    private static final int ROUND = 16;
    private static final int SPIN_UNTIL = 17;
    private static final int YIELDED = 18;
    private static final int SLEEPS = 19;
    private static final int STATE_LENGTH = 36;

    private final Thread consumer;
    private final BooleanSupplier hasWork;
    private final long spinNanos;
    private final int yields;
    private final long maxParkNanos;
    private final long[] state = new long[STATE_LENGTH];
    @SuppressWarnings("unused") // accessed through SLEEPING
    private volatile boolean sleeping;

    /**
     * A consumer that spins {@link #SPIN_NANOS}, yields {@link #YIELDS} times, then parks until woken.
     *
     * @param consumer the only thread that calls {@link #idle}
     * @param hasWork  whether work arrived: asked once more after the consumer announced it is going to sleep, so a
     *                 producer that publishes meanwhile either is seen or sees the announcement and wakes it
     */
    public IdleStrategy(Thread consumer, BooleanSupplier hasWork) {
        this(consumer, hasWork, SPIN_NANOS, YIELDS, 0);
    }

    /**
     * A consumer with its own phases, for a thread whose wake-up costs more than its spinning (a device queue's
     * thread, which spins longer and does not yield).
     *
     * @param maxParkNanos 0 to park until woken; otherwise the longest park, for a consumer that must also look at
     *                     something nobody wakes it for
     */
    public IdleStrategy(Thread consumer, BooleanSupplier hasWork, long spinNanos, int yields, long maxParkNanos) {
        if (spinNanos < 0 || yields < 0 || maxParkNanos < 0) {
            throw new IllegalArgumentException("idle phases must not be negative: spin " + spinNanos + " ns, "
                    + yields + " yields, park at most " + maxParkNanos + " ns");
        }
        this.consumer = consumer;
        this.hasWork = hasWork;
        this.spinNanos = spinNanos;
        this.yields = yields;
        this.maxParkNanos = maxParkNanos;
    }

    /**
     * One round of the consumer's loop: after a round that did work ({@code workCount > 0}) the next idle round starts
     * spinning again ({@link #reset()}); after one that did none, one idle step: spin, yield or park.
     */
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
        } else {
            idle();
        }
    }

    /** The consumer found work: its next idle round spins again. */
    public void reset() {
        state[ROUND] = 0;
    }

    /** One idle step of the consumer: spin, yield or park. */
    public void idle() {
        long[] s = state;
        long round = s[ROUND]++;
        if (round == 0) {
            s[SPIN_UNTIL] = System.nanoTime() + spinNanos;
            s[YIELDED] = 0;
        }
        if (round % SPINS_PER_CLOCK != 0 || System.nanoTime() - s[SPIN_UNTIL] < 0) {
            Thread.onSpinWait();
        } else if (s[YIELDED] < yields) {
            s[YIELDED]++;
            Thread.yield();
        } else {
            park();
        }
    }

    private void park() {
        // Announce the sleep before the last look, so a producer that publishes after the look sees the flag (both
        // are volatile accesses, so one of the two always sees the other).
        SLEEPING.setVolatile(this, true);
        if (!hasWork.getAsBoolean()) {
            STATE.setOpaque(state, SLEEPS, (long) STATE.getOpaque(state, SLEEPS) + 1);
            if (maxParkNanos == 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, maxParkNanos);
            }
        }
        SLEEPING.setVolatile(this, false);
    }

    /** Called by a producer after it published work: unparks the consumer if it sleeps; one producer pays for it. */
    public void wake() {
        if ((boolean) SLEEPING.getVolatile(this) && SLEEPING.compareAndSet(this, true, false)) {
            LockSupport.unpark(consumer);
        }
    }

    /** How many times the consumer parked so far: the wake-ups its producers had to pay for. */
    public long sleeps() {
        return (long) STATE.getOpaque(state, SLEEPS);
    }

    /**
     * One step of a wait for something that arrives only when polled (a polled completion): spins until
     * {@link #SPIN_NANOS} after {@code since}, then yields between polls, so a thread that must produce the event on
     * the same CPU gets to run. Never parks.
     *
     * @param since {@link System#nanoTime()} when the wait began
     */
    public static void poll(long since) {
        if (System.nanoTime() - since < SPIN_NANOS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /**
     * One step of a wait that nobody ends with a wake-up (a free queue slot, a lock held for one short round): spins
     * until {@link #SPIN_NANOS} after {@code since}, yields until the wait lasted one nap, then naps, so a long wait
     * costs no CPU.
     *
     * @param since {@link System#nanoTime()} when the wait began
     */
    public static void backOff(long since) {
        long waited = System.nanoTime() - since;
        if (waited < SPIN_NANOS) {
            Thread.onSpinWait();
        } else if (waited < NAP_NANOS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(NAP_NANOS);
        }
    }
}
