package io.jiomap.core.completion;

import io.jiomap.api.IdleStrategy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The per-filesystem "dio done" workqueue of the kernel ({@code sb->s_dio_done_wq}): direct-I/O completions that
 * may block (unwritten conversion, copy-on-write remap, size updates, O_DSYNC syncs) and, without caller
 * completion, every write completion, run here instead of in the device's completion context.
 *
 * <p>Each worker owns a bounded multi-producer queue. A full queue makes the producer wait: the number of queued
 * items is bounded by the direct I/Os in flight, so that only happens with absurd queue depths, and the worker
 * drains independently, so it cannot deadlock.
 */
public final class CompletionWorkqueue implements AutoCloseable {
    /** One unit of completion work. */
    @FunctionalInterface
    public interface Work {
        void runWork();
    }

    private static final int QUEUE_CAPACITY = 1 << 16;

    private final Worker[] workers;
    private int next;
    private volatile boolean running = true;

    /**
     * @param name    used in the worker thread names, e.g. {@code raw-memory0}
     * @param threads worker threads; the kernel's workqueue runs the work on the CPU that took the interrupt,
     *                so one worker per device completion thread is the faithful default
     */
    public CompletionWorkqueue(String name, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a workqueue needs at least one worker: " + threads);
        }
        workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker("jiomap-dio/" + name + "-" + i);
        }
        for (Worker w : workers) {
            w.thread.start();
        }
    }

    /**
     * Queues work; called from device completion contexts. After {@link #close()} the work runs right here
     * instead: a completion is never dropped, and nothing waits for a worker that is gone.
     */
    public void queue(Work work) {
        if (!running) {
            work.runWork();
            return;
        }
        Worker w = workers.length == 1 ? workers[0] : workers[Math.floorMod(next++, workers.length)];
        if (!w.queue.offer(work)) {
            for (long since = System.nanoTime(); !w.queue.offer(work); ) {
                IdleStrategy.backOff(since);
            }
        }
        w.waiter.wake();
    }

    public int workers() {
        return workers.length;
    }

    /** How many times the workers went to sleep for lack of work so far: each one cost a later producer a wake-up. */
    public long sleeps() {
        long n = 0;
        for (Worker w : workers) {
            n += w.waiter.sleeps();
        }
        return n;
    }

    /** Whether the calling thread is one of this workqueue's workers. */
    public boolean isWorkerThread() {
        Thread t = Thread.currentThread();
        for (Worker w : workers) {
            if (w.thread == t) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops the workers after they ran what is queued, and runs here anything that arrived while they stopped.
     * The owner drains direct I/O before closing, so normally nothing is queued by then.
     */
    @Override
    public void close() {
        running = false;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
        boolean interrupted = false;
        for (Worker w : workers) {
            while (w.thread.isAlive()) {
                try {
                    w.thread.join(TimeUnit.SECONDS.toMillis(30));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        // The workers are gone, so this thread is now the queues' only consumer.
        for (Worker w : workers) {
            Work left;
            while ((left = w.queue.poll()) != null) {
                left.runWork();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Worker implements Runnable {
        final MpscAtomicArrayQueue<Work> queue = new MpscAtomicArrayQueue<>(QUEUE_CAPACITY);
        final Thread thread;
        final IdleStrategy waiter;

        Worker(String name) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
            waiter = new IdleStrategy(thread, this::hasWork);
        }

        private boolean hasWork() {
            return !queue.isEmpty() || !running;
        }

        @Override
        public void run() {
            while (true) {
                Work w = queue.poll();
                if (w != null) {
                    w.runWork();
                    waiter.reset();
                } else if (!running) {
                    return;
                } else {
                    waiter.idle();
                }
            }
        }
    }
}
