package io.jiomap.device.memory;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Thread and delay completion: submitters queue bios; a dedicated daemon thread, the device's "interrupt", takes
 * them in queue order, moves the data and completes them.
 *
 * <p>Idle strategy: {@link Thread#onSpinWait} for 50 microseconds (a bio arriving meanwhile is
 * picked up without a wake-up), then park. A submitter unparks the thread only if it announced parking (see
 * {@link SubmissionQueue}), so a busy device costs no unpark system call per bio.
 *
 * <p>Delay mode models null_blk's timer completion: each bio completes no earlier than the delay after it was
 * queued. Bios are served in queue order and all share one delay, so waiting for the head is enough; the thread parks
 * for most of a long wait and spins the last stretch, because parking overshoots by tens of microseconds.
 *
 * <p>A completion callback runs on this thread and may submit again. If the queue is full then, this thread must not
 * wait for a slot: it is the only thread that frees slots. Such a bio goes to a backlog private to this thread and is
 * queued again, in order, as soon as a slot frees; it is the one case where more than {@code queue-depth} bios are in
 * flight, and it only happens when other submitters keep the queue full.
 */
final class InterruptDispatcher implements Dispatcher, Runnable {
    /**
     * How long an idle interrupt thread spins before it parks. It must exceed what a park costs the other side: the
     * submitter's unpark system call plus the wake-up, which in a virtual machine (an inter-processor interrupt
     * through the hypervisor) takes ten microseconds and more. With a shorter window, measured at 512 spins (about
     * 7 us on the development machine), a queue-depth-2 to 16 loop fell into parking on almost every bio and ran
     * twenty times slower, because each slow wake-up made the next bio arrive after the window again. An idle device
     * burns at most this much CPU after its last bio.
     */
    private static final long SPIN_BEFORE_PARK_NANOS = 50_000;
    /** Spins between clock reads while idle: reading the clock costs more than a spin. */
    private static final int SPINS_PER_CLOCK_READ = 64;
    /** Below this remaining delay the thread spins: a park would overshoot by about as much. */
    private static final long SPIN_DELAY_NANOS = 100_000;

    private final SubmissionQueue queue;
    private final BioExecutor executor;
    private final ChunkStore store;
    private final long delayNanos;
    private final Thread thread;
    /** Touched only by the interrupt thread. */
    private final Backlog backlog = new Backlog();
    private volatile boolean stopping;

    InterruptDispatcher(String threadName, BioExecutor executor, ChunkStore store, int queueDepth, long delayNanos) {
        this.queue = new SubmissionQueue(queueDepth);
        this.executor = executor;
        this.store = store;
        this.delayNanos = delayNanos;
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this);
    }

    /** Starts the interrupt thread; separate from construction so no half-built object escapes to it. */
    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    @Override
    public void submit(Bio bio) {
        long now = delayNanos != 0 ? System.nanoTime() : 0;
        int result = queue.offer(bio, now);
        if (result == SubmissionQueue.QUEUED) {
            return;
        }
        if (result == SubmissionQueue.QUEUED_WAKE_CONSUMER) {
            LockSupport.unpark(thread);
            return;
        }
        submitContended(bio, result, now);
    }

    /** The queue was full or closed: fail, wait for a slot, or (on this device's own thread) hold the bio back. */
    private void submitContended(Bio bio, int result, long queuedNanos) {
        for (int attempt = 0; ; attempt++) {
            switch (result) {
                case SubmissionQueue.QUEUED -> {
                    return;
                }
                case SubmissionQueue.QUEUED_WAKE_CONSUMER -> {
                    LockSupport.unpark(thread);
                    return;
                }
                case SubmissionQueue.CLOSED_TO_SUBMITTERS -> {
                    bio.complete(Errno.ENODEV);
                    return;
                }
                default -> {
                    if (bio.hasFlag(Bio.NOWAIT)) {
                        bio.complete(Errno.EAGAIN);
                        return;
                    }
                    if (Thread.currentThread() == thread) {
                        backlog.add(bio, queuedNanos);
                        return;
                    }
                    Backoff.pause(attempt);
                }
            }
            queuedNanos = delayNanos != 0 ? System.nanoTime() : 0;
            result = queue.offer(bio, queuedNanos);
        }
    }

    @Override
    public void run() {
        try {
            serveUntilStopped();
        } catch (Throwable t) {
            // A defect of this device: report it, then fail every queued bio below rather than leave it hanging.
            thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
        } finally {
            queue.close();
            failQueued();
            store.free();
        }
    }

    private void serveUntilStopped() {
        int idleSpins = 0;
        long idleSince = 0;
        while (!stopping) {
            if (!backlog.isEmpty()) {
                requeueBacklog();
            }
            Bio bio = queue.peek();
            if (bio == null) {
                if (idleSpins == 0) {
                    idleSince = System.nanoTime();
                }
                idleSpins++;
                if (idleSpins % SPINS_PER_CLOCK_READ != 0 || System.nanoTime() - idleSince < SPIN_BEFORE_PARK_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parkUntilWork();
                    idleSpins = 0;
                }
                continue;
            }
            idleSpins = 0;
            if (delayNanos != 0 && !awaitDue(queue.peekQueuedNanos() + delayNanos)) {
                return;
            }
            int status = executor.execute(bio);
            queue.release();
            complete(bio, status);
        }
    }

    /** Parks unless a bio arrived meanwhile; the announcement makes the next submitter unpark this thread. */
    private void parkUntilWork() {
        queue.announceParking();
        if (queue.isEmpty() && backlog.isEmpty() && !stopping) {
            LockSupport.park(this);
        }
        queue.announceRunning();
    }

    /** Waits until {@code dueNanos}; false if the device is stopping instead. */
    private boolean awaitDue(long dueNanos) {
        for (;;) {
            long remaining = dueNanos - System.nanoTime();
            if (remaining <= 0) {
                return true;
            }
            if (stopping) {
                return false;
            }
            if (remaining > SPIN_DELAY_NANOS) {
                LockSupport.parkNanos(this, remaining - SPIN_DELAY_NANOS);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private void requeueBacklog() {
        while (!backlog.isEmpty()) {
            int result = queue.offer(backlog.peek(), backlog.peekQueuedNanos());
            if (result == SubmissionQueue.FULL || result == SubmissionQueue.CLOSED_TO_SUBMITTERS) {
                return;
            }
            backlog.remove();
        }
    }

    /** Completes on this thread; a callback that throws is reported and must not stop the device's completions. */
    private void complete(Bio bio, int status) {
        try {
            bio.complete(status);
        } catch (Throwable t) {
            thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
        }
    }

    /** After the queue is closed: ends every bio still queued or held back with ENODEV. */
    private void failQueued() {
        Bio bio;
        while ((bio = queue.pollClosed()) != null) {
            queue.release();
            complete(bio, Errno.ENODEV);
        }
        while (!backlog.isEmpty()) {
            bio = backlog.peek();
            backlog.remove();
            complete(bio, Errno.ENODEV);
        }
    }

    @Override
    public void shutdown() {
        stopping = true;
        queue.close();
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
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

    /**
     * A growable FIFO of bios (with their queueing times) that the interrupt thread submitted while the queue was
     * full. Confined to the interrupt thread; it grows only in that rare case and never shrinks, so it does not
     * allocate in steady state.
     */
    private static final class Backlog {
        private Bio[] bios = new Bio[8];
        private long[] queuedNanos = new long[8];
        private int head;
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        void add(Bio bio, long nanos) {
            if (size == bios.length) {
                grow();
            }
            int tail = (head + size) & (bios.length - 1);
            bios[tail] = bio;
            queuedNanos[tail] = nanos;
            size++;
        }

        Bio peek() {
            return bios[head];
        }

        long peekQueuedNanos() {
            return queuedNanos[head];
        }

        void remove() {
            bios[head] = null;
            head = (head + 1) & (bios.length - 1);
            size--;
        }

        private void grow() {
            Bio[] newBios = new Bio[bios.length * 2];
            long[] newNanos = new long[bios.length * 2];
            for (int i = 0; i < size; i++) {
                int from = (head + i) & (bios.length - 1);
                newBios[i] = bios[from];
                newNanos[i] = queuedNanos[from];
            }
            Arrays.fill(bios, null);
            bios = newBios;
            queuedNanos = newNanos;
            head = 0;
        }
    }
}
