package io.jiomap.device.file;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jiomap.api.Errno;
import io.jiomap.api.IdleStrategy;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The io_uring engine. A submitter fills the SQE for its bio and enters the kernel itself (io_uring_enter with
 * to_submit only), as fio does, when it can take the ring lock at once and a slot is free. Otherwise (the lock is
 * taken by another submitter or by the ring thread, or every slot is in flight) the bio goes through the bounded
 * submission queue to the device's ring thread. The ring thread reaps: it waits in io_uring_enter (GETEVENTS,
 * min_complete=1) and, woken by a completion or by the queue's doorbell, completes bios, continues short transfers
 * and PREFLUSH writes, and submits what the queue and the backlog brought. Completions always run on the ring
 * thread, as before.
 *
 * <p>Why submitters enter the kernel: a hand-off between threads is a wake-up costing 10-30 us on the 2-core
 * development VM, against about 100 us for a 4 KiB O_DIRECT write. Handing every bio to the ring thread made the
 * submitter write an eventfd and wake that thread whenever it was waiting in the kernel, which at low queue depth is
 * nearly always. Measured with jiomap fio (4 KiB random writes, voluntary context switches per I/O of the whole
 * process): 3.05 / 0.93 / 0.32 at QD 1 / 4 / 16 before, 2.2 / 0.55 / 0.18 with this path.
 *
 * <p>The kernel posts a read or write's completion by task work on the thread that submitted it, so a submitter that
 * went to sleep elsewhere (a ring owner parked in core, say) is woken briefly to post it; that wake-up, not the ring
 * thread, then ends the ring thread's wait. Setup flags follow from that and from several threads submitting: no
 * IORING_SETUP_SINGLE_ISSUER (and so no DEFER_TASKRUN), which forbid more than one submitting thread; no
 * COOP_TASKRUN, which would leave a sleeping submitter's completions unposted until its next system call; no SQPOLL,
 * which would burn one of two cores.
 *
 * <p>Concurrency: the ring lock (a try-lock for submitters, a spin for the ring thread) guards the SQ and CQ rings,
 * the in-flight table, the backlog and the wake READ. The ring thread holds it except while blocked in the kernel
 * and while it runs completion callbacks, so submitters are kept off the ring only for one submit-and-reap round.
 * A callback that submits takes the fast path like any submitter; when drain runs callbacks with the lock held, a
 * submit from one finds the lock its own and goes to the backlog.
 *
 * <p>Hot path: no allocation per bio. A bio's slot in the in-flight table is the SQE's {@code user_data}; slot state
 * lives in preallocated arrays. The table has exactly as many slots as the SQ ring has entries, and a slot has at
 * most one SQE outstanding, so the SQ can never be full when a slot needs an SQE (a short transfer's remainder, the
 * write after a PREFLUSH).
 *
 * <p>Idle strategy: the ring thread waits in io_uring_enter whenever it has nothing to do, with an IORING_OP_READ
 * armed on an eventfd so a queue submitter (or shutdown) can wake it: the submitter that takes back the thread's
 * announcement writes the eventfd. A submitter that entered the kernel itself needs to wake nobody: its completion
 * ends the ring thread's wait. The thread does not spin, because here the kernel needs the CPU to finish the I/O:
 * measured on the development VM (jiomap fio, 4 KiB random writes), spinning 50 us before waiting gave 5.7K/24K IOPS
 * at QD1/QD16, not spinning 7.9K-9.2K/33K-34K.
 */
final class UringEngine implements Engine, Runnable {
    /** user_data of the eventfd READ that wakes a ring thread blocked in io_uring_enter. */
    private static final long WAKE_USER_DATA = -1L;
    /** user_data of the timeout that makes the ring thread check the poll ring for completions nobody polled. */
    private static final long STALL_CHECK_USER_DATA = -2L;
    /** The stall check's period: far above any poller's reaction, so it never races one that is merely slow. */
    private static final long STALL_CHECK_NANOS = 200_000_000L;
    /** user_data bit of the FSYNC that precedes a PREFLUSH write (stage one of that bio). */
    private static final long PREFLUSH_STAGE = 1L << 32;
    private static final long SLOT_MASK = 0xFFFF_FFFFL;
    /** The 8-byte value a submitter writes to the eventfd. Read-only for the kernel, so one serves every thread. */
    private static final MemorySegment ONE = Arena.global().allocate(JAVA_LONG);

    static {
        ONE.set(JAVA_LONG, 0, 1L);
    }

    private final IoUring ring;
    private final PollRing pollRing;
    private final int fileFd;
    private final int eventFd;
    private final BioQueue queue;
    private final Thread thread;
    private final Arena arena = Arena.ofShared();
    /** The eventfd READ's destination; the kernel writes it, nobody reads it. */
    private final MemorySegment wakeBuffer = arena.allocate(JAVA_LONG);
    /** The stall check's __kernel_timespec (the kernel copies it when the SQE is submitted). */
    private final MemorySegment stallCheckPeriod = arena.allocate(16, 8);
    /** A stall-check timeout is in the kernel. Ring thread only. */
    private boolean stallCheckArmed;
    /** The stall check fired: look at the poll ring once the lock is released. Ring thread only. */
    private boolean stallCheckDue;

    /** The ring lock. See the class comment for what it guards. */
    private final RingLock lock = new RingLock();
    /**
     * Set under the lock once the ring thread drains for shutdown (or fails): from then on nobody but the ring thread
     * touches the rings, which it unmaps after releasing the lock.
     */
    private boolean ringClosed;

    /** In-flight table, guarded by the ring lock: the bio of each slot and its progress. */
    private final Bio[] bios;
    private final int[] transferred;
    private final boolean[] preflushPending;
    private final int[] freeSlots;
    private int freeCount;
    private int inFlight;
    private boolean wakeArmed;
    /**
     * Bios the ring thread finished in its last reap, with their errno, completed after it released the lock so
     * submitters are not kept off the ring while callbacks run. A reap cannot finish more bios than there are slots.
     */
    private final Bio[] finished;
    private final int[] finishedErrno;
    private int finishedCount;
    /** Set by the ring thread around its own reap: finish into {@link #finished} rather than complete at once. */
    private boolean deferCompletions;
    /** Bios a completion callback submitted while no slot was free (the lock holder must not wait for one). */
    private final Backlog backlog = new Backlog();

    private volatile RegisteredBuffers registered = RegisteredBuffers.NONE;
    private volatile boolean stopping;
    /** Submitters inside the eventfd wake-up; the eventfd is closed only when none is. */
    private final AtomicInteger wakers = new AtomicInteger();
    private volatile boolean eventFdClosing;

    private UringEngine(String threadName, IoUring ring, PollRing pollRing, int fileFd, int eventFd) {
        this.ring = ring;
        this.pollRing = pollRing;
        stallCheckPeriod.set(JAVA_LONG, 0, STALL_CHECK_NANOS / 1_000_000_000L);
        stallCheckPeriod.set(JAVA_LONG, 8, STALL_CHECK_NANOS % 1_000_000_000L);
        this.fileFd = fileFd;
        this.eventFd = eventFd;
        int slots = ring.entries();
        this.queue = new BioQueue(slots);
        this.bios = new Bio[slots];
        this.transferred = new int[slots];
        this.preflushPending = new boolean[slots];
        this.freeSlots = new int[slots];
        this.finished = new Bio[slots];
        this.finishedErrno = new int[slots];
        for (int i = 0; i < slots; i++) {
            freeSlots[i] = slots - 1 - i;
        }
        this.freeCount = slots;
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this);
    }

    /**
     * Sets up a ring of {@code entries} entries on the already opened O_DIRECT file {@code fileFd}, registers the file
     * and starts the ring thread. The file stays the caller's to close if this throws; after success the engine
     * closes it on shutdown.
     */
    static UringEngine start(String threadName, int fileFd, int entries) throws IoUring.SetupException {
        IoUring ring = IoUring.create(entries, 0);
        int eventFd = -1;
        PollRing pollRing = null;
        // The poll ring rings the engine's doorbell on first use; the engine exists only after the poll ring.
        Doorbell doorbell = new Doorbell();
        try {
            int r = ring.registerFile(fileFd);
            if (r < 0) {
                throw new IoUring.SetupException(-r, "IORING_REGISTER_FILES failed: " + Errno.name(r));
            }
            eventFd = Libc.eventfd();
            if (eventFd < 0) {
                throw new IoUring.SetupException(-eventFd, "eventfd failed: " + Errno.name(eventFd));
            }
            pollRing = PollRing.create(fileFd, entries, doorbell);
        } catch (IoUring.SetupException | RuntimeException e) {
            if (eventFd >= 0) {
                Libc.close(eventFd);
            }
            ring.close();
            throw e;
        }
        UringEngine engine = new UringEngine(threadName, ring, pollRing, fileFd, eventFd);
        doorbell.engine = engine;
        engine.thread.start();
        return engine;
    }

    int entries() {
        return ring.entries();
    }

    @Override
    public List<Thread> threads() {
        return List.of(thread);
    }

    /**
     * Registers memory regions with the kernel (IORING_REGISTER_BUFFERS, which pins them): bios whose memory lies
     * inside one then go as READ_FIXED/WRITE_FIXED, sparing the kernel the page pinning per I/O. Once per device; the
     * regions must stay allocated until the device is closed, because the kernel keeps the pages they had.
     *
     * @return 0 or -errno
     */
    int registerBuffers(MemorySegment[] regions) {
        if (registered != RegisteredBuffers.NONE) {
            return -Errno.EBUSY;
        }
        long[] starts = new long[regions.length];
        long[] ends = new long[regions.length];
        for (int i = 0; i < regions.length; i++) {
            if (!regions[i].isNative()) {
                return -Errno.EFAULT;
            }
            starts[i] = regions[i].address();
            ends[i] = starts[i] + regions[i].byteSize();
        }
        long[] lengths = new long[regions.length];
        for (int i = 0; i < regions.length; i++) {
            lengths[i] = ends[i] - starts[i];
        }
        int r = ring.registerBuffers(starts, lengths);
        if (r < 0) {
            return r;
        }
        r = pollRing.registerBuffers(starts, lengths);
        if (r < 0) {
            // All or nothing: left registered on the main ring, a retry would get EBUSY from the kernel and the
            // pinned pages would count against RLIMIT_MEMLOCK for nothing.
            ring.unregisterBuffers();
            return r;
        }
        registered = new RegisteredBuffers(starts, ends);
        return 0;
    }

    /** Submits a POLLED read or write to the poll ring; {@link #poll} reaps it (see {@link PollRing}). */
    void submitPolled(Bio bio, io.jiomap.api.block.BlockDevice device) {
        pollRing.submit(bio, device);
    }

    /** Reaps the poll ring on the calling thread. */
    int poll(int flags) {
        return pollRing.poll(flags);
    }

    // ---- submitters ----

    @Override
    public void submit(Bio bio) {
        if (lock.heldByCurrentThread()) {
            submitUnderLock(bio);
            return;
        }
        if (lock.tryLock()) {
            boolean started = false;
            boolean stalled = false;
            try {
                if (!ringClosed && freeCount > 0 && ring.sqSpace() > 0) {
                    start(bio);
                    started = true;
                    ring.submit(0);
                    // The kernel left SQEs behind (EAGAIN/EBUSY, or a failure that the ring thread reports when it
                    // retries): the ring thread, maybe asleep in the kernel, must submit them.
                    stalled = ring.unsubmitted() > 0;
                }
            } finally {
                lock.unlock();
            }
            if (stalled) {
                ringDoorbell();
            }
            if (started) {
                return;
            }
        }
        int result = queue.offer(bio);
        if (result == BioQueue.QUEUED) {
            return;
        }
        submitSlowly(bio, result);
    }

    /**
     * A submit from a callback that runs with the lock held (the ring thread draining or failing): a free slot's SQE
     * goes to the kernel with the holder's next submit; without one the bio waits in the backlog, since only this
     * thread's progress frees slots.
     */
    private void submitUnderLock(Bio bio) {
        if (!ringClosed && freeCount > 0 && ring.sqSpace() > 0) {
            start(bio);
        } else if (bio.hasFlag(Bio.NOWAIT)) {
            bio.complete(Errno.EAGAIN);
        } else {
            backlog.add(bio);
        }
    }

    private void submitSlowly(Bio bio, int result) {
        for (long since = System.nanoTime(); ; ) {
            switch (result) {
                case BioQueue.QUEUED -> {
                    return;
                }
                case BioQueue.QUEUED_WAKE_KERNEL -> {
                    ringDoorbell();
                    return;
                }
                case BioQueue.CLOSED_TO_SUBMITTERS -> {
                    bio.complete(Errno.ENODEV);
                    return;
                }
                default -> {
                    if (bio.hasFlag(Bio.NOWAIT)) {
                        bio.complete(Errno.EAGAIN);
                        return;
                    }
                    if (Thread.currentThread() == thread) {
                        // A callback on the ring thread: only this thread's progress frees queue slots, so it must
                        // not wait for one.
                        lock.lock();
                        try {
                            backlog.add(bio);
                        } finally {
                            lock.unlock();
                        }
                        return;
                    }
                    IdleStrategy.backOff(since);
                }
            }
            result = queue.offer(bio);
        }
    }


    /**
     * Writes the eventfd so the armed READ completes and the ring thread's io_uring_enter returns. The wakers count
     * keeps the ring thread from closing the eventfd (whose number could then be reused by another file) while a
     * submitter is about to write it.
     */
    private void ringDoorbell() {
        // An AtomicInteger rather than a VarHandle call whose result is dropped (a call-site type that differs from
        // the handle's): with the latter, HotPathTest saw this now rarely taken path allocate on the submitter.
        wakers.incrementAndGet();
        try {
            if (!eventFdClosing) {
                Libc.writeCritical(eventFd, ONE.address(), 8);
            }
        } finally {
            wakers.decrementAndGet();
        }
    }

    // ---- the ring thread ----

    @Override
    public void run() {
        lock.lock();
        try {
            serve();
            drainForShutdown();
        } catch (Throwable t) {
            // A defect of this engine: report it; the bios still here fail below rather than hang.
            if (!lock.heldByCurrentThread()) {
                lock.lock();
            }
            thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
            failEverything();
        } finally {
            ringClosed = true;
            lock.unlock();
            closeResources();
        }
    }

    /** Runs with the lock held; {@link #waitInKernel} releases it while blocked. */
    private void serve() {
        while (!stopping) {
            int work = admit();
            // Armed here, not only before sleeping: a ring kept busy by other I/O never sleeps, and polled bios
            // nobody polls must still be reaped late (docs/design-rules.md, "Rule 1": a drain never waits forever).
            armStallCheck();
            if (ring.unsubmitted() > 0) {
                submitPrepared();
            }
            deferCompletions = true;
            try {
                work += reap();
            } finally {
                deferCompletions = false;
            }
            if (ring.unsubmitted() > 0) {
                submitPrepared();
            }
            if (finishedCount > 0 || stallCheckDue) {
                boolean checkPollRing = stallCheckDue;
                stallCheckDue = false;
                lock.unlock();
                try {
                    completeFinished();
                    if (checkPollRing) {
                        pollRing.reapIfStalled();
                    }
                } finally {
                    lock.lock();
                }
                continue;
            }
            if (work > 0) {
                continue;
            }
            // Nothing to do: wait at once, without spinning (see the class comment for why).
            waitInKernel();
        }
    }

    /** Takes bios from the backlog and the queue into free slots and prepares their SQEs. @return bios taken */
    private int admit() {
        int admitted = 0;
        while (freeCount > 0 && !backlog.isEmpty()) {
            start(backlog.remove());
            admitted++;
        }
        while (freeCount > 0) {
            Bio bio = queue.poll();
            if (bio == null) {
                break;
            }
            start(bio);
            admitted++;
        }
        return admitted;
    }

    private void start(Bio bio) {
        int slot = freeSlots[--freeCount];
        bios[slot] = bio;
        transferred[slot] = 0;
        inFlight++;
        if (bio.op() == BioOp.FLUSH) {
            ring.prepFsync(IoUring.SQE_FIXED_FILE, 0, IoUring.FSYNC_DATASYNC, slot);
        } else if (bio.op() == BioOp.DISCARD) {
            ring.prepFallocate(IoUring.SQE_FIXED_FILE, 0, bio.address(), bio.length(),
                    Libc.FALLOC_PUNCH_HOLE | Libc.FALLOC_KEEP_SIZE, slot);
        } else if (bio.op() == BioOp.WRITE && bio.hasFlag(Bio.PREFLUSH)) {
            // REQ_PREFLUSH: the writes completed before this one become durable first, then this one is issued.
            preflushPending[slot] = true;
            ring.prepFsync(IoUring.SQE_FIXED_FILE, 0, IoUring.FSYNC_DATASYNC, slot | PREFLUSH_STAGE);
        } else {
            prepData(slot);
        }
    }

    /** The SQE for what is left of the slot's read or write. */
    private void prepData(int slot) {
        prepData(ring, registered, bios[slot], transferred[slot], slot);
    }

    /**
     * Prepares the SQE for the rest of {@code bio}'s read or write, from byte {@code done} on, with the slot as its
     * user_data: fixed-buffer opcodes where the memory lies in a registered region, FUA as RWF_DSYNC. Shared by the
     * interrupt ring and the {@link PollRing}.
     */
    static void prepData(IoUring ring, RegisteredBuffers registered, Bio bio, int done, int slot) {
        long address = bio.segment().address() + bio.segmentOffset() + done;
        int length = bio.length() - done;
        boolean write = bio.op() == BioOp.WRITE;
        // FUA maps to RWF_DSYNC: the filesystem writes the data and its metadata and flushes the device cache before
        // the write completes (the kernel's own FUA-or-flush decision for an O_DSYNC direct write).
        int rwFlags = write && bio.hasFlag(Bio.FUA) ? IoUring.RWF_DSYNC : 0;
        int bufIndex = registered.indexOf(address, length);
        byte op;
        if (bufIndex >= 0) {
            op = write ? IoUring.OP_WRITE_FIXED : IoUring.OP_READ_FIXED;
        } else {
            op = write ? IoUring.OP_WRITE : IoUring.OP_READ;
            bufIndex = 0;
        }
        ring.prepRw(op, IoUring.SQE_FIXED_FILE, 0, bio.address() + done, address, length, rwFlags, bufIndex, slot);
    }

    /** Hands the prepared SQEs to the kernel without waiting. */
    private void submitPrepared() {
        int r = ring.submit(0);
        if (r < 0 && r != -Errno.EAGAIN && r != -Errno.EBUSY && r != -Errno.EINTR) {
            throw new IllegalStateException("io_uring_enter failed: " + Errno.name(r));
        }
        // EAGAIN/EBUSY (kernel short of memory, or CQ overflow backlog) and EINTR: the SQEs stay; the next round
        // submits them again.
    }

    /** Completes what the kernel finished. @return completions reaped */
    private int reap() {
        int ready = ring.cqReady();
        if (ready == 0) {
            return 0;
        }
        for (int i = 0; i < ready; i++) {
            long userData = ring.cqeUserData(i);
            int result = ring.cqeResult(i);
            if (userData == WAKE_USER_DATA) {
                wakeArmed = false;
                continue;
            }
            if (userData == STALL_CHECK_USER_DATA) {
                stallCheckArmed = false;
                stallCheckDue = true;
                continue;
            }
            onCompletion((int) (userData & SLOT_MASK), result);
        }
        ring.cqAdvance(ready);
        return ready;
    }

    private void onCompletion(int slot, int result) {
        Bio bio = bios[slot];
        if (preflushPending[slot]) {
            preflushPending[slot] = false;
            if (result < 0) {
                finish(slot, -result);
            } else {
                prepData(slot);
            }
            return;
        }
        if (result < 0) {
            finish(slot, -result);
        } else if (bio.op() == BioOp.FLUSH || bio.op() == BioOp.DISCARD) {
            finish(slot, 0);
        } else if (result == 0) {
            // Nothing moved: the file ended before the device did (shrunk underneath us). The block layer's answer
            // to a transfer that cannot complete is EIO.
            finish(slot, Errno.EIO);
        } else {
            transferred[slot] += result;
            if (transferred[slot] < bio.length()) {
                prepData(slot);
            } else {
                finish(slot, 0);
            }
        }
    }

    private void finish(int slot, int errno) {
        Bio bio = bios[slot];
        bios[slot] = null;
        freeSlots[freeCount++] = slot;
        inFlight--;
        if (deferCompletions) {
            finished[finishedCount] = bio;
            finishedErrno[finishedCount] = errno;
            finishedCount++;
        } else {
            complete(bio, errno);
        }
    }

    /** The ring thread, without the lock: completes what its last reap finished. */
    private void completeFinished() {
        int count = finishedCount;
        finishedCount = 0;
        for (int i = 0; i < count; i++) {
            Bio bio = finished[i];
            finished[i] = null;
            complete(bio, finishedErrno[i]);
        }
    }

    /** A callback that throws is reported and must not stop the device's completions. */
    private void complete(Bio bio, int errno) {
        try {
            bio.complete(errno);
        } catch (Throwable t) {
            thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
        }
    }

    /** Once the poll ring is in use: a timeout once per period, to reap polled bios nobody polls. Lock held. */
    private void armStallCheck() {
        if (!stallCheckArmed && pollRing.used() && ring.sqSpace() > 0) {
            ring.prepRw(IoUring.OP_TIMEOUT, (byte) 0, 0, 0, stallCheckPeriod.address(), 1, 0, 0,
                    STALL_CHECK_USER_DATA);
            stallCheckArmed = true;
        }
    }

    /**
     * Releases the lock and blocks in io_uring_enter until a completion arrives, or a queue submitter (or shutdown)
     * rings the eventfd; then takes the lock back.
     */
    private void waitInKernel() {
        // Without SQ space (SQEs the kernel refused are still there) the READ waits for the next round.
        if (!wakeArmed && ring.sqSpace() > 0) {
            ring.prepRw(IoUring.OP_READ, (byte) 0, eventFd, 0, wakeBuffer.address(), 8, 0, 0, WAKE_USER_DATA);
            wakeArmed = true;
        }
        armStallCheck();
        submitPrepared();
        queue.announce(BioQueue.IN_KERNEL);
        if (!queue.isEmpty() || !backlog.isEmpty() || stopping) {
            queue.announce(BioQueue.RUNNING);
            return;
        }
        if (ring.unsubmitted() > 0) {
            // The kernel refused SQEs for now (EAGAIN/EBUSY): submit them again, waiting for a completion to free
            // what it lacked; the lock stays held, so submitters use the queue meanwhile.
            int r = ring.submit(1);
            if (r < 0 && r != -Errno.EAGAIN && r != -Errno.EBUSY && r != -Errno.EINTR) {
                throw new IllegalStateException("io_uring_enter failed: " + Errno.name(r));
            }
        } else if (ring.cqReady() == 0) {
            lock.unlock();
            try {
                int r = ring.waitForCompletion();
                if (r < 0 && r != -Errno.EINTR) {
                    throw new IllegalStateException("io_uring_enter failed: " + Errno.name(r));
                }
            } finally {
                lock.lock();
            }
        }
        queue.announce(BioQueue.RUNNING);
    }

    /**
     * After stop: bios not started end with ENODEV; bios in the kernel are waited for and complete normally (an
     * O_DIRECT transfer cannot be abandoned while the kernel may still DMA into its memory); the armed eventfd READ
     * is completed so the kernel no longer references the wake buffer.
     */
    private void drainForShutdown() {
        // Polled bios first: their completions run here (a closing device has no poller to count on).
        lock.unlock();
        try {
            pollRing.shutdown();
        } finally {
            lock.lock();
        }
        ringClosed = true;
        queue.close();
        Bio bio;
        while ((bio = queue.pollClosed()) != null) {
            complete(bio, Errno.ENODEV);
        }
        while (!backlog.isEmpty()) {
            complete(backlog.remove(), Errno.ENODEV);
        }
        if (wakeArmed) {
            Libc.writeCritical(eventFd, ONE.address(), 8);
        }
        while (inFlight > 0 || wakeArmed) {
            if (ring.unsubmitted() > 0 || ring.cqReady() == 0) {
                int r = ring.submit(1);
                if (r < 0 && r != -Errno.EAGAIN && r != -Errno.EBUSY && r != -Errno.EINTR) {
                    throw new IllegalStateException("io_uring_enter failed: " + Errno.name(r));
                }
            }
            reap();
            // A completion callback may have submitted again: those bios fail, the device is closing.
            while (!backlog.isEmpty()) {
                complete(backlog.remove(), Errno.ENODEV);
            }
        }
    }

    /** After a defect of this engine: ends every bio it holds with EIO or ENODEV so none hangs. */
    private void failEverything() {
        lock.unlock();
        try {
            pollRing.shutdown();
        } catch (RuntimeException e) {
            thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
        } finally {
            lock.lock();
        }
        ringClosed = true;
        queue.close();
        completeFinished();
        for (int slot = 0; slot < bios.length; slot++) {
            if (bios[slot] != null) {
                Bio bio = bios[slot];
                bios[slot] = null;
                complete(bio, Errno.EIO);
            }
        }
        inFlight = 0;
        Bio bio;
        while ((bio = queue.pollClosed()) != null) {
            complete(bio, Errno.ENODEV);
        }
        while (!backlog.isEmpty()) {
            complete(backlog.remove(), Errno.ENODEV);
        }
    }

    /** Unmaps and closes the ring (the kernel cancels anything left), then the eventfd and the file. */
    private void closeResources() {
        ring.close();
        eventFdClosing = true;
        while (wakers.get() != 0) {
            Thread.onSpinWait();
        }
        Libc.close(eventFd);
        Libc.close(fileFd);
        arena.close();
    }

    @Override
    public void shutdown() {
        stopping = true;
        queue.close();
        ringDoorbell();
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

    /** Wakes the ring thread so it arms the poll ring's stall check. */
    private static final class Doorbell implements Runnable {
        volatile UringEngine engine;

        @Override
        public void run() {
            UringEngine e = engine;
            if (e != null) {
                e.ringDoorbell();
            }
        }
    }

    /** The regions registered with IORING_REGISTER_BUFFERS, by address range. */
    record RegisteredBuffers(long[] starts, long[] ends) {
        static final RegisteredBuffers NONE = new RegisteredBuffers(new long[0], new long[0]);

        /** The index of the region holding {@code [address, address + length)}, or -1. */
        int indexOf(long address, int length) {
            for (int i = 0; i < starts.length; i++) {
                if (address >= starts[i] && address + length <= ends[i]) {
                    return i;
                }
            }
            return -1;
        }
    }

    /**
     * A growable FIFO of bios this thread submitted from a completion callback while the queue was full. Confined to
     * the ring thread; it grows only in that rare case and never shrinks, so it does not allocate in steady state.
     */
    private static final class Backlog {
        private Bio[] bios = new Bio[8];
        private int head;
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        void add(Bio bio) {
            if (size == bios.length) {
                Bio[] grown = new Bio[bios.length * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = bios[(head + i) & (bios.length - 1)];
                }
                Arrays.fill(bios, null);
                bios = grown;
                head = 0;
            }
            bios[(head + size) & (bios.length - 1)] = bio;
            size++;
        }

        Bio remove() {
            Bio bio = bios[head];
            bios[head] = null;
            head = (head + 1) & (bios.length - 1);
            size--;
            return bio;
        }
    }
}
