package io.jiomap.device.model;

import io.jiomap.api.Errno;
import io.jiomap.api.IdleStrategy;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * One submission/completion queue pair and the thread that serves it, the queue's "interrupt": submitters put bios in
 * a bounded ring; the thread takes them in order, waits for each one's modelled service time, moves its data and
 * completes it.
 *
 * <p>The ring is multi-producer, single-consumer. A producer claims a sequence number with one CAS on the tail, then
 * publishes its bio in that slot; the consumer frees a slot only after the bio's data has moved, so
 * {@code queue-depth} bounds the bios inside the device, not just those waiting. The tail's sign bit closes the ring:
 * a submitter either claimed a slot before the close, and the thread's final drain ends that bio, or it sees the bit
 * and ends its own bio with ENODEV; nothing can slip in after the drain and hang.
 *
 * <p>The thread waits for bios with an {@link IdleStrategy} (docs/devices.md, "Idle threads") that spins for
 * {@link #SPIN_NANOS} and does not yield, because the thread is the modelled hardware: it must not make the
 * submitter pay a wake-up per bio. A busy queue costs no unpark per bio.
 *
 * <p>A completion callback runs on this thread and may submit again. If it finds the ring full it must not wait: this
 * thread is the only one that frees slots. Such a bio waits in an overflow list private to this thread and enters the
 * ring as soon as a slot frees, like a request the kernel's blk-mq requeues.
 *
 * <p>A poll queue (NVMe's {@code poll_queues}; docs/devices.md, "Polling") has no interrupt: its thread moves each
 * bio's data and posts the result in the bio's slot, and the bio completes only when someone {@link #poll polls}, on
 * the poller's thread. Its slots are retired by the poller, so {@code queue-depth} bounds what is submitted and not yet
 * reaped. If nobody polls for {@link #MISSED_POLL_NANOS} and no thread is inside {@link #poll}, the thread reaps what
 * waits itself, as the kernel's NVMe timeout handler checks the CQ for a "missed interrupt" before it aborts: a drain
 * waiting for a polled bio, or a submitter that stopped polling, then waits a fraction of a second rather than forever:
 * a drain only ever waits for device I/O, which always finishes (docs/design-rules.md, "Rule 1").
 */
public final class HardwareQueue implements Runnable {
    /** How long an idle thread spins before it parks: longer than an unpark plus wake-up costs in a VM. */
    private static final long SPIN_NANOS = 50_000;
    /** Below this the wait for a due time spins, because a park overshoots by about as much. */
    private static final long SPIN_WAIT_NANOS = 100_000;

    private static final int QUEUED = 0;
    private static final int FULL = 1;
    private static final int CLOSED = 2;

    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Bio[].class);
    /** Tail and head sit 128 bytes apart in one array, so they never share a cache line pair. */
    private static final int TAIL = 16;
    /**
     * Next to the tail, on the producers' line: the head a producer last saw, plus the depth. Below it a producer
     * needs no look at the head, which the consumer writes for every bio, so a submit does not pull the consumer's
     * cache line over.
     */
    private static final int LIMIT = 17;
    private static final int HEAD = 32;
    private static final long CLOSED_BIT = Long.MIN_VALUE;
    /**
     * Poll queues: how long executed bios may wait unreaped before the queue's own thread reaps them. Far above
     * any poller's reaction even on a loaded machine, so the late reaping never races a poller that is merely slow.
     */
    static final long MISSED_POLL_NANOS = 200_000_000;
    /** Poll queues: the slots whose data has moved, [HEAD, DONE); written by the queue thread. */
    private static final int DONE = 64;
    /** Poll queues: threads inside {@link #poll} now; the queue's own thread reaps only when there are none. */
    private static final int POLLERS = 80;
    /**
     * Poll queues: the id of the thread reaping now (0: none), so pollers reap one at a time and a nested poll from a
     * callback proceeds. In the array, beside the pollers' other counter, not in this object, whose fields the
     * queue's thread reads for every bio.
     */
    private static final int REAPER = 88;

    private final long[] counters = new long[96];
    private final Bio[] slots;
    /** Submission times, for the service-time model; written before the slot is published. */
    private final long[] submitted;
    private final int mask;
    private final int depth;
    private final BioExecutor executor;
    /** Null without a service-time model: then nothing reads the clock per bio. */
    private final QueueSchedule schedule;
    private final Thread thread;
    private final IdleStrategy idle;
    private final Runnable onStart;
    private final Runnable onExit;
    private final ArrayDeque<Bio> overflow = new ArrayDeque<>();
    private volatile boolean stopping;
    /** A poll queue: completions wait for {@link #poll}; null statuses otherwise. */
    private final int[] statuses;
    /** Poll queues: the next slot the thread executes (the thread's own index; HEAD is the pollers'). */
    private long executed;
    /**
     * Poll queues, the thread's own: the reaped count it last saw while bios waited, and since when nothing was
     * reaped nor executed (0: not counting).
     */
    private long lastReaped;
    private long reapedUnchangedSince;

    /**
     * @param executor    moves each bio's data, on the queue's thread
     * @param serviceTime when each bio may complete at the earliest; {@link ServiceTime#NONE} for as soon as its data
     *                    has moved
     * @param onStart     run first on the queue's thread (e.g. to bind the thread to this queue)
     * @param onExit      run last on the queue's thread, after every bio it held has ended (e.g. to free the media,
     *                    which nothing can touch any more)
     */
    public HardwareQueue(String threadName, int depth, BioExecutor executor, ServiceTime serviceTime,
                         boolean flushDrainsQueue, Runnable onStart, Runnable onExit) {
        this(threadName, depth, executor, serviceTime, flushDrainsQueue, false, onStart, onExit);
    }

    /**
     * @param pollQueue whether this is a poll queue: completions wait for {@link #poll} instead of running on the
     *                  queue's thread
     */
    public HardwareQueue(String threadName, int depth, BioExecutor executor, ServiceTime serviceTime,
                         boolean flushDrainsQueue, boolean pollQueue, Runnable onStart, Runnable onExit) {
        this.depth = depth;
        int capacity = Integer.highestOneBit(depth - 1) << 1;
        this.slots = new Bio[Math.max(1, capacity)];
        this.submitted = new long[slots.length];
        this.mask = slots.length - 1;
        this.statuses = pollQueue ? new int[slots.length] : null;
        COUNTER.setRelease(counters, LIMIT, (long) depth);
        this.executor = executor;
        this.schedule = serviceTime.isNone() ? null : new QueueSchedule(serviceTime, flushDrainsQueue);
        this.onStart = onStart;
        this.onExit = onExit;
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this);
        // A poll queue's thread must wake to reap bios nobody polls, which no producer wakes it for.
        this.idle = new IdleStrategy(thread, this::hasWork, SPIN_NANOS, 0, pollQueue ? MISSED_POLL_NANOS : 0);
    }

    /** Starts the thread; apart from construction so no half-built queue escapes to it. */
    public void start() {
        thread.start();
    }

    public Thread thread() {
        return thread;
    }

    /** Whether completions wait for {@link #poll} rather than run on the queue's thread. */
    public boolean isPollQueue() {
        return statuses != null;
    }

    /**
     * Reaps this poll queue on the calling thread: every bio whose data has moved completes here, in order. With
     * {@code block} it spins until at least one did, or until the queue holds no bio that is not reaped (then 0).
     * Pollers reap one at a time; a poll from a completion callback of the reaping thread reaps on.
     *
     * @return bios completed by this call
     */
    public int poll(boolean block) {
        COUNTER.getAndAdd(counters, POLLERS, 1L);
        try {
            int n = reap();
            long since = 0;
            while (n == 0 && block) {
                long tail = (long) COUNTER.getVolatile(counters, TAIL) & ~CLOSED_BIT;
                if ((long) COUNTER.getVolatile(counters, HEAD) >= tail) {
                    return 0;
                }
                // The queue's thread is the modelled hardware and needs a CPU to finish the bio: past a short spin,
                // the poller yields it one, or on an oversubscribed machine it would wait for its own time slice.
                if (since == 0) {
                    since = System.nanoTime();
                }
                IdleStrategy.poll(since);
                n = reap();
            }
            return n;
        } finally {
            COUNTER.getAndAdd(counters, POLLERS, -1L);
        }
    }

    private int reap() {
        long me = Thread.currentThread().threadId();
        boolean nested = (long) COUNTER.getVolatile(counters, REAPER) == me;
        if (!nested && !COUNTER.compareAndSet(counters, REAPER, 0L, me)) {
            return 0;
        }
        int n = 0;
        try {
            for (long head = (long) COUNTER.getVolatile(counters, HEAD);
                 head < (long) COUNTER.getAcquire(counters, DONE);
                 head = (long) COUNTER.getVolatile(counters, HEAD)) {
                int slot = (int) head & mask;
                Bio bio = slots[slot];
                int status = statuses[slot];
                retire(head, slot);
                complete(bio, status);
                n++;
            }
        } finally {
            if (!nested) {
                COUNTER.setRelease(counters, REAPER, 0L);
            }
        }
        return n;
    }

    /** Queues a validated bio; waits for a slot when the ring is full, unless NOWAIT (EAGAIN). */
    public void submit(Bio bio) {
        int result = offer(bio);
        if (result != QUEUED) {
            submitContended(bio, result);
        }
    }

    private int offer(Bio bio) {
        long limit = (long) COUNTER.getAcquire(counters, LIMIT);
        long t;
        do {
            t = (long) COUNTER.getVolatile(counters, TAIL);
            if (t < 0) {
                return CLOSED;
            }
            if (t >= limit) {
                // A stale limit is only too low (the head never goes back), so racing producers that store an
                // older one cost a look at the head, never a slot still in use.
                limit = (long) COUNTER.getAcquire(counters, HEAD) + depth;
                if (t >= limit) {
                    return FULL;
                }
                COUNTER.setRelease(counters, LIMIT, limit);
            }
        } while (!COUNTER.compareAndSet(counters, TAIL, t, t + 1));
        int slot = (int) t & mask;
        submitted[slot] = schedule != null ? System.nanoTime() : 0;
        // A release store is enough: the claim (a CAS, ordered before the read of the sleeping flag below) is what
        // a consumer going to sleep looks at, so it either sees the claim and stays awake, or this producer sees the
        // flag and wakes it.
        SLOT.setRelease(slots, slot, bio);
        idle.wake();
        return QUEUED;
    }

    private void submitContended(Bio bio, int result) {
        for (long since = System.nanoTime(); ; ) {
            if (result == QUEUED) {
                return;
            }
            if (result == CLOSED) {
                bio.complete(Errno.ENODEV);
                return;
            }
            if (bio.hasFlag(Bio.NOWAIT)) {
                bio.complete(Errno.EAGAIN);
                return;
            }
            if (Thread.currentThread() == thread) {
                overflow.addLast(bio);
                return;
            }
            if (statuses != null && poll(false) > 0) {
                // A full poll queue frees slots only when polled: the waiting submitter polls it itself.
                since = System.nanoTime();
            }
            IdleStrategy.backOff(since);
            result = offer(bio);
        }
    }

    /**
     * Stops the thread without waiting for it: the bio whose data is moving finishes, every other one ends with
     * ENODEV, later submissions too. Idempotent.
     */
    public void shutdown() {
        stopping = true;
        LockSupport.unpark(thread);
    }

    /**
     * Waits until the thread has ended (after {@link #shutdown}), even if interrupted meanwhile: a device's close must
     * not return while its thread can still touch the media. The interrupt is kept for the caller. Called on the
     * queue's own thread (a completion callback closing its device), or by a poller inside its reap of this queue, it
     * returns at once: the thread cannot wait for itself, and it ends as soon as the callback returns.
     */
    public void awaitStopped() {
        // A poller that closes the device from a completion it is reaping holds this queue's reaper flag, which the
        // thread's final drain needs: waiting for the thread here would wait for ourselves. The thread ends once the
        // reap returns, as for a callback on the thread itself.
        if (statuses != null
                && (long) COUNTER.getVolatile(counters, REAPER) == Thread.currentThread().threadId()) {
            return;
        }
        boolean interrupted = false;
        while (thread != Thread.currentThread() && thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try {
            onStart.run();
            serve();
        } catch (Throwable t) {
            // A defect of this device: report it, then still end every bio below rather than leave it hanging.
            report(t);
        } finally {
            COUNTER.getAndBitwiseOr(counters, TAIL, CLOSED_BIT);
            drain();
            onExit.run();
        }
    }

    private void serve() {
        while (!stopping) {
            if (!overflow.isEmpty()) {
                moveOverflowIntoRing();
            }
            long head;
            Bio bio;
            int slot;
            if (statuses == null) {
                head = (long) COUNTER.getOpaque(counters, HEAD);
                slot = (int) head & mask;
                bio = (Bio) SLOT.getAcquire(slots, slot);
            } else {
                // Unreaped bios keep their slots, so a slot is this thread's next only below the tail.
                head = executed;
                slot = (int) head & mask;
                bio = head < ((long) COUNTER.getVolatile(counters, TAIL) & ~CLOSED_BIT)
                        ? (Bio) SLOT.getAcquire(slots, slot) : null;
            }
            if (bio == null) {
                idle.idle();
                continue;
            }
            idle.reset();
            if (statuses != null) {
                if (!servePolled(bio, head, slot)) {
                    return;
                }
                continue;
            }
            if (schedule == null) {
                int status = executor.execute(bio);
                retire(head, slot);
                complete(bio, status);
            } else if (!serveTimed(bio, head, slot)) {
                return;
            }
        }
    }

    /**
     * Poll queue: moves the bio's data (at its due time) and posts the result in its slot for a poller; the slot
     * stays taken until reaped. False if the queue is stopping instead.
     */
    private boolean servePolled(Bio bio, long head, int slot) {
        if (schedule != null
                && !waitUntil(schedule.due(submitted[slot], System.nanoTime(), bio.op(), bio.length()))) {
            return false;
        }
        statuses[slot] = executor.execute(bio);
        executed = head + 1;
        reapedUnchangedSince = 0;
        COUNTER.setRelease(counters, DONE, head + 1);
        if (schedule != null && bio.op() == BioOp.FLUSH) {
            schedule.flushCompleted(System.nanoTime());
        }
        return true;
    }

    /** Serves one bio at its due time; false if the queue is stopping instead (the bio is then drained). */
    private boolean serveTimed(Bio bio, long head, int slot) {
        BioOp op = bio.op();
        if (!waitUntil(schedule.due(submitted[slot], System.nanoTime(), op, bio.length()))) {
            return false;
        }
        int status = executor.execute(bio);
        retire(head, slot);
        complete(bio, status);
        if (op == BioOp.FLUSH) {
            // Read after the completion callback returned, so nothing behind the flush starts before it ended.
            schedule.flushCompleted(System.nanoTime());
        }
        return true;
    }

    /**
     * Asked by the idle strategy right before the thread parks, after it announced the sleep: whether a slot was
     * claimed (its bio may not be published yet: then the next round finds it), a bio waits in the overflow list, or
     * the queue stops. On a poll queue it also reaps, as a missed interrupt, the bios nobody reaped for
     * {@link #MISSED_POLL_NANOS} while no thread was inside {@link #poll}.
     */
    private boolean hasWork() {
        long next = statuses == null ? (long) COUNTER.getOpaque(counters, HEAD) : executed;
        if (((long) COUNTER.getVolatile(counters, TAIL) & ~CLOSED_BIT) != next || !overflow.isEmpty() || stopping) {
            return true;
        }
        return statuses != null && reapMissedPoll();
    }

    /**
     * Poll queue, idle: reaps the waiting bios once a whole period passed in which pollers reaped none and this thread
     * executed none; true if it reaped.
     */
    private boolean reapMissedPoll() {
        long reaped = (long) COUNTER.getVolatile(counters, HEAD);
        if (reaped >= executed) {
            reapedUnchangedSince = 0;
            return false;
        }
        long now = System.nanoTime();
        if (reapedUnchangedSince == 0 || reaped != lastReaped) {
            lastReaped = reaped;
            reapedUnchangedSince = now;
            return false;
        }
        if (now - reapedUnchangedSince < MISSED_POLL_NANOS || (long) COUNTER.getVolatile(counters, POLLERS) != 0) {
            return false;
        }
        reapedUnchangedSince = 0;
        return reap() > 0;
    }

    /** Waits for a command's due time; false if the queue is stopping instead. */
    private boolean waitUntil(long due) {
        for (;;) {
            long left = due - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            if (stopping) {
                return false;
            }
            if (left > SPIN_WAIT_NANOS) {
                LockSupport.parkNanos(this, left - SPIN_WAIT_NANOS);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private void retire(long head, int slot) {
        slots[slot] = null;
        COUNTER.setRelease(counters, HEAD, head + 1);
    }

    private void moveOverflowIntoRing() {
        while (!overflow.isEmpty() && offer(overflow.peekFirst()) == QUEUED) {
            overflow.removeFirst();
        }
    }

    /**
     * After the close bit: ends every bio claimed in the ring or held in overflow with ENODEV; on a poll queue the
     * bios whose data moved complete with their result first, once no poller is reaping.
     */
    private void drain() {
        if (statuses != null) {
            while (!COUNTER.compareAndSet(counters, REAPER, 0L, thread.threadId())) {
                Thread.onSpinWait();
            }
            reap();
        }
        long tail = (long) COUNTER.getVolatile(counters, TAIL) & ~CLOSED_BIT;
        for (long head = (long) COUNTER.getOpaque(counters, HEAD); head < tail; head++) {
            int slot = (int) head & mask;
            Bio bio;
            // A claimed slot is published a few instructions after its claim.
            while ((bio = (Bio) SLOT.getAcquire(slots, slot)) == null) {
                Thread.onSpinWait();
            }
            retire(head, slot);
            complete(bio, Errno.ENODEV);
        }
        while (!overflow.isEmpty()) {
            complete(overflow.removeFirst(), Errno.ENODEV);
        }
    }

    /** A callback that throws is reported and must not stop this queue's other completions. */
    private void complete(Bio bio, int status) {
        try {
            bio.complete(status);
        } catch (Throwable t) {
            report(t);
        }
    }

    private void report(Throwable t) {
        thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
    }
}
