package io.jiomap.device.file;

import io.jiomap.api.Errno;
import io.jiomap.api.IdleStrategy;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;

/**
 * The file device's poll queue: a second io_uring instance, on the same registered file, that no thread reaps.
 * A {@link Bio#POLLED} read or write is submitted to it by its submitter, and its completion is reaped by whoever
 * {@link #poll polls}, on the poller's thread: without blocking, by reading the CQ ring, or, with
 * {@link BlockDevice#POLL_BLOCK}, by waiting in io_uring_enter (GETEVENTS, min_complete=1), exactly as fio waits.
 * One kernel wake-up per completion, the poller's own, instead of two (kernel to the device's ring thread, then that
 * thread to the issuer) on the interrupt path.
 *
 * <p>Thread-safety: one lock guards the ring, taken by a submitter for its SQE and io_uring_enter, and by a poller
 * for its reap. A poller that blocks in the kernel keeps the lock while it waits, so there is one waiter at a time
 * and nobody can reap the completion it waits for from under it (a second waiter could then sleep for a completion
 * that never comes); others submit or poll once it returns, which is as soon as any completion arrives. The usual
 * user is one issuer per device, which then never contends. Bios complete after the lock is released, so an end_io
 * may submit or poll again.
 *
 * <p>A completion nobody polls for is reaped late by the device's ring thread ({@link #reapIfStalled}), as the
 * kernel's NVMe timeout handler checks the CQ before it aborts: a drain waiting for a polled bio never hangs.
 */
final class PollRing {
    private final IoUring ring;
    private final RingLock lock = new RingLock();

    // Guarded by the lock.
    private final Bio[] bios;
    private final int[] transferred;
    private final int[] freeSlots;
    private int freeCount;
    /**
     * Reaped slots waiting to be completed, oldest first (a FIFO of {@code done} entries from {@code doneHead}). A
     * slot is freed only when its entry is taken, so the FIFO never holds more than the ring has slots, and each
     * reaped bio is completed exactly once by whichever poller takes it, outside the lock.
     */
    private final int[] doneSlots;
    private final int[] doneErrno;
    private int doneHead;
    private int done;
    private boolean closed;
    private volatile UringEngine.RegisteredBuffers registered = UringEngine.RegisteredBuffers.NONE;

    /** Set by the first polled submit; from then on the ring thread runs the stall check. */
    private volatile boolean used;
    /** Tells the ring thread, once, that the stall check is needed (it may be asleep in the kernel). */
    private final Runnable firstUse;
    /** Bios in the kernel; read without the lock by the ring thread's stall check. */
    private volatile int inFlight;
    /** Bios reaped so far; the stall check compares it across one period. */
    private volatile long reapedTotal;
    /** Bios submitted so far; with reapedTotal it tells how many were in the kernel at the last check. */
    private volatile long submittedTotal;
    private long reapedAtLastCheck;
    private long submittedAtLastCheck;

    private PollRing(IoUring ring, Runnable firstUse) {
        this.ring = ring;
        this.firstUse = firstUse;
        int slots = ring.entries();
        this.bios = new Bio[slots];
        this.transferred = new int[slots];
        this.freeSlots = new int[slots];
        this.doneSlots = new int[slots];
        this.doneErrno = new int[slots];
        for (int i = 0; i < slots; i++) {
            freeSlots[i] = slots - 1 - i;
        }
        this.freeCount = slots;
    }

    /** Sets up a ring of {@code entries} entries on the open O_DIRECT file {@code fileFd}, which stays the caller's. */
    static PollRing create(int fileFd, int entries, Runnable firstUse) throws IoUring.SetupException {
        IoUring ring = IoUring.create(entries, 0);
        int r = ring.registerFile(fileFd);
        if (r < 0) {
            ring.close();
            throw new IoUring.SetupException(-r, "IORING_REGISTER_FILES on the poll ring failed: " + Errno.name(r));
        }
        return new PollRing(ring, firstUse);
    }

    /** Uses the buffer regions also registered with this ring for READ_FIXED/WRITE_FIXED; 0 or -errno. */
    int registerBuffers(long[] starts, long[] lengths) {
        lock.lock();
        try {
            int r = ring.registerBuffers(starts, lengths);
            if (r == 0) {
                long[] ends = new long[starts.length];
                for (int i = 0; i < starts.length; i++) {
                    ends[i] = starts[i] + lengths[i];
                }
                registered = new UringEngine.RegisteredBuffers(starts, ends);
            }
            return r;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Submits a POLLED read or write whose checks passed, recording this queue on it; it completes when polled. A
     * full ring is reaped by the submitter itself while it waits for a slot (EAGAIN under NOWAIT).
     *
     * @param device the device to record on the bio, whose {@link BlockDevice#poll} reaches {@link #poll}
     */
    void submit(Bio bio, BlockDevice device) {
        if (!used) {
            used = true;
            firstUse.run();
        }
        for (long since = 0; ; ) {
            if (lock.tryLock()) {
                int errno = -1;
                try {
                    if (closed) {
                        errno = Errno.ENODEV;
                    } else if (freeCount > 0 && ring.sqSpace() > 0) {
                        bio.setPollQueue(device, 0);
                        start(bio);
                        // An SQE the kernel does not take now (EAGAIN, EBUSY, EINTR) stays in the SQ ring: the
                        // next poll submits it again before it looks for completions or waits for one.
                        ring.submit(0);
                        return;
                    } else if (bio.hasFlag(Bio.NOWAIT)) {
                        errno = Errno.EAGAIN;
                    }
                } finally {
                    lock.unlock();
                }
                if (errno >= 0) {
                    bio.complete(errno);
                    return;
                }
                // Full: only polling frees a slot, so the submitter polls.
                if (poll(0) > 0) {
                    since = 0;
                    continue;
                }
            }
            if (since == 0) {
                since = System.nanoTime();
            }
            IdleStrategy.backOff(since);
        }
    }

    private void start(Bio bio) {
        int slot = freeSlots[--freeCount];
        bios[slot] = bio;
        transferred[slot] = 0;
        inFlight++;
        submittedTotal++;
        prepData(slot);
    }

    private void prepData(int slot) {
        UringEngine.prepData(ring, registered, bios[slot], transferred[slot], slot);
    }

    /**
     * Reaps the ring on the calling thread; the reaped bios complete here, after the lock is released. With
     * {@link BlockDevice#POLL_BLOCK} and bios in flight, waits in the kernel until at least one completes.
     *
     * @return bios completed by this call
     */
    int poll(int flags) {
        boolean block = (flags & BlockDevice.POLL_BLOCK) != 0;
        if (block) {
            lock.lock();
        } else if (!lock.tryLock()) {
            return 0;
        }
        int count = 0;
        try {
            if (closed) {
                // Shut down: everything it held has completed, and the rings are unmapped.
                return 0;
            }
            count = reapLocked();
            while (count == 0 && block && inFlight > 0) {
                // Submits what the kernel left behind, if anything, and waits for a completion in the same call.
                int r = ring.unsubmitted() > 0 ? ring.submit(1) : ring.waitForCompletion();
                if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
                    throw new IllegalStateException("io_uring_enter on the poll ring failed: " + Errno.name(r));
                }
                count = reapLocked();
            }
        } finally {
            lock.unlock();
        }
        completeFinished(count);
        return count;
    }

    /** Moves finished bios from the CQ to the done FIFO; resubmits the rest of a short transfer. */
    private int reapLocked() {
        if (ring.unsubmitted() > 0) {
            ring.submit(0);
        }
        int ready = ring.cqReady();
        if (ready == 0) {
            return 0;
        }
        int count = 0;
        for (int i = 0; i < ready; i++) {
            int slot = (int) ring.cqeUserData(i);
            int result = ring.cqeResult(i);
            Bio bio = bios[slot];
            int errno;
            if (result < 0) {
                errno = -result;
            } else if (result == 0) {
                // The file ended before the device did (shrunk underneath us): EIO, as on the interrupt path.
                errno = Errno.EIO;
            } else {
                transferred[slot] += result;
                if (transferred[slot] < bio.length()) {
                    prepData(slot);
                    continue;
                }
                errno = 0;
            }
            doneSlots[(doneHead + done) % doneSlots.length] = slot;
            doneErrno[slot] = errno;
            done++;
            count++;
        }
        ring.cqAdvance(ready);
        if (ring.unsubmitted() > 0) {
            ring.submit(0);
        }
        inFlight -= count;
        reapedTotal += count;
        return count;
    }

    /**
     * Completes up to {@code count} bios from the done FIFO, each taken under the lock and completed outside it
     * (its end_io may submit again): a poller completes as many as it reaped, not necessarily the same ones, so a
     * second poller that reaped in between can never make one complete twice or not at all.
     */
    private void completeFinished(int count) {
        for (int i = 0; i < count; i++) {
            lock.lock();
            Bio bio;
            int errno;
            try {
                if (done == 0) {
                    return;
                }
                int slot = doneSlots[doneHead];
                doneHead = (doneHead + 1) % doneSlots.length;
                done--;
                bio = bios[slot];
                errno = doneErrno[slot];
                bios[slot] = null;
                freeSlots[freeCount++] = slot;
            } finally {
                lock.unlock();
            }
            try {
                bio.complete(errno);
            } catch (Throwable t) {
                Thread me = Thread.currentThread();
                me.getUncaughtExceptionHandler().uncaughtException(me, t);
            }
        }
    }

    /**
     * Called by the device's ring thread once per stall-check period: when bios are in flight, nobody reaped any
     * during the whole period and nobody holds the ring, reaps them itself (late, but never never).
     */
    void reapIfStalled() {
        long reaped = reapedTotal;
        long submitted = submittedTotal;
        // Stalled: bios were in the kernel at the last check and none was reaped since, so each of those has
        // waited a whole period. A bio submitted just now is left to its poller.
        boolean stalled = submittedAtLastCheck > reapedAtLastCheck && reaped == reapedAtLastCheck;
        reapedAtLastCheck = reaped;
        submittedAtLastCheck = submitted;
        if (stalled) {
            poll(0);
        }
    }

    /**
     * Whether the ring thread should keep its stall check armed: once anybody polled. A device never polled keeps
     * its ring thread asleep; one that was costs it a wake-up per period.
     */
    boolean used() {
        return used;
    }

    /**
     * Closes: later submits fail with ENODEV, bios in the kernel are waited for and complete normally (the kernel
     * may still move their data), then the ring is unmapped. Run by the device's ring thread at shutdown.
     */
    void shutdown() {
        lock.lock();
        int count;
        try {
            closed = true;
            while (inFlight > 0) {
                count = reapLocked();
                if (count > 0) {
                    lock.unlock();
                    completeFinished(count);
                    lock.lock();
                    continue;
                }
                int r = ring.unsubmitted() > 0 ? ring.submit(1) : ring.waitForCompletion();
                if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
                    throw new IllegalStateException("io_uring_enter on the poll ring failed: " + Errno.name(r));
                }
            }
            ring.close();
        } finally {
            lock.unlock();
        }
    }

}
