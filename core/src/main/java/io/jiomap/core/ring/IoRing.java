package io.jiomap.core.ring;

import io.jiomap.api.Errno;
import io.jiomap.api.IdleStrategy;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DeferredCompletion;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.vfs.IocbCompletion;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.OpenFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * An io_uring-like ring owned by one issuing thread: prepare requests, submit them in a batch, wait for and reap
 * completions. Results are bytes or a negative errno, as in a CQE.
 *
 * <p>Writes are issued with the flag of the ring's {@link CompletionMode}. In {@link CompletionMode#CALLER} the
 * direct-I/O path hands pure-overwrite completions back here, and the owner runs them while reaping, before it
 * posts their CQEs (the seed's {@code io_req_rw_complete}). Those deferred completions are claimable: if a thread
 * draining the inode (truncate, fallocate, unmount) runs one first, the owner posts the result that thread got, so
 * holding deferred completions can never deadlock a drain (docs/design-rules.md, "Rule 1").
 *
 * <p>Polling ({@link #SETUP_IOPOLL}, like IORING_SETUP_IOPOLL): every read and write is issued HIPRI. The direct-I/O
 * path keeps HIPRI only for single-bio requests whose completion may run in task context anyway (reads, and writes
 * that keep caller completion: docs/dio-contract.md, "B2 step 4"), and marks that bio POLLED when the device can poll.
 * While such requests are in flight the ring does not park: it polls their devices ({@link Bio#poll}) and
 * their completions run on the owner's thread (docs/dio-contract.md, "TV23"); when every request in flight sits on one
 * poll queue it blocks in that queue's poll instead of spinning ({@link BlockDevice#POLL_BLOCK}). As in
 * io_uring, an IOPOLL ring does not ask for caller completion on writes (docs/dio-contract.md, "B6"), so a polled write
 * drops HIPRI and completes by interrupt then workqueue (docs/dio-contract.md, "TV25") in every mode but {@link
 * CompletionMode#CALLER_POLL}.
 *
 * <p>{@link CompletionMode#CALLER_POLL} (a jiomap extension) combines both: writes are HIPRI and CALLER_COMP, so a
 * pure overwrite's bio is polled, its end_io runs in the owner while it polls, and the deferred completion runs
 * right after in the same thread. The poller never runs a conversion, zeroing, a log force or a cache flush, because
 * every write that needs one loses HIPRI with caller completion before its first bio; deferred completions stay
 * claimable, and a polled bio nobody polls is reaped late by its device (docs/dio-contract.md,
 * "B6 polled caller completion"; docs/design-rules.md, "Rule 1").
 *
 * <p>Only the owner thread may call the methods of a ring, except the completion callbacks. Nothing is allocated
 * per request: iocbs, the engine's per-request state, and the queues are reused.
 */
public final class IoRing implements IocbCompletion, AutoCloseable {
    /** Request type: read. */
    public static final int OP_READ = 0;
    /** Request type: write. */
    public static final int OP_WRITE = 1;
    /** Request type: fsync, or fdatasync with {@link #RWF_DATASYNC}. */
    public static final int OP_FSYNC = 2;

    /** Per-request flag: polled completion (RWF_HIPRI); only on a {@link #SETUP_IOPOLL} ring, elsewhere EINVAL. */
    public static final int RWF_HIPRI = Iocb.HIPRI;
    /** Per-request flag: data-sync write (RWF_DSYNC). */
    public static final int RWF_DSYNC = Iocb.DSYNC;
    /** Per-request flag: full-sync write (RWF_SYNC). */
    public static final int RWF_SYNC = Iocb.SYNC;
    /** Per-request flag: fail with EAGAIN instead of blocking (RWF_NOWAIT). */
    public static final int RWF_NOWAIT = Iocb.NOWAIT;
    /** With {@link #OP_FSYNC}: fdatasync (IORING_FSYNC_DATASYNC). */
    public static final int RWF_DATASYNC = 1 << 30;

    /** Setup flag: poll for completions instead of waiting for them (IORING_SETUP_IOPOLL). */
    public static final int SETUP_IOPOLL = 1;

    private final Thread owner;
    private final CompletionMode mode;
    private final int entries;
    private final IdleStrategy waiter;
    private final MpscAtomicArrayQueue<Iocb> inbox;
    private final Arena arena = Arena.ofShared();

    // Submission queue: requests prepared and not yet submitted.
    private final int[] sqOp;
    private final OpenFile[] sqFile;
    private final MemorySegment[] sqBuf;
    private final long[] sqBufOffset;
    private final int[] sqLength;
    private final long[] sqPosition;
    private final int[] sqFlags;
    private final long[] sqUser;
    private int sqCount;

    // Request slots: one iocb per request in flight.
    private final Iocb[] slotIocb;
    private final long[] slotUser;
    private final long[] slotResult;
    private final int[] freeSlots;
    private int freeCount;

    // Completion queue as the user sees it.
    private final long[] cqUser;
    private final long[] cqResult;
    private final int cqMask;
    private long cqHead;
    private long cqTail;

    // Deferred completions a drainer claimed: posted once it reports them done.
    private final Iocb[] claimedElsewhere;
    private int claimedCount;

    // Requests whose bio sits on a device's poll queue: the ring polls them instead of parking.
    private final int[] polledSlots;
    private final int[] polledIndex;
    private int polledCount;
    private final boolean iopoll;

    private boolean closed;

    private IoRing(int entries, CompletionMode mode, int setupFlags) {
        if (entries < 1 || entries > 32768) {
            throw new IllegalArgumentException("ring entries must be in 1..32768: " + entries);
        }
        this.owner = Thread.currentThread();
        this.mode = mode;
        this.entries = entries;
        this.waiter = new IdleStrategy(owner, this::hasPendingCompletions);
        this.inbox = new MpscAtomicArrayQueue<>(Math.max(2, entries));
        sqOp = new int[entries];
        sqFile = new OpenFile[entries];
        sqBuf = new MemorySegment[entries];
        sqBufOffset = new long[entries];
        sqLength = new int[entries];
        sqPosition = new long[entries];
        sqFlags = new int[entries];
        sqUser = new long[entries];
        slotIocb = new Iocb[entries];
        slotUser = new long[entries];
        slotResult = new long[entries];
        freeSlots = new int[entries];
        for (int i = 0; i < entries; i++) {
            slotIocb[i] = new Iocb();
            freeSlots[i] = entries - 1 - i;
        }
        freeCount = entries;
        int cqSize = Integer.highestOneBit(entries * 2 - 1) << 1;
        cqUser = new long[cqSize];
        cqResult = new long[cqSize];
        cqMask = cqSize - 1;
        claimedElsewhere = new Iocb[entries];
        polledSlots = new int[entries];
        polledIndex = new int[entries];
        Arrays.fill(polledIndex, -1);
        if ((setupFlags & ~SETUP_IOPOLL) != 0) {
            throw new IllegalArgumentException("unknown ring setup flags 0x" + Integer.toHexString(setupFlags));
        }
        iopoll = mode.polled() || (setupFlags & SETUP_IOPOLL) != 0;
    }

    /** Creates a ring owned by the calling thread (an IOPOLL ring if the mode {@link CompletionMode#polled polls}). */
    public static IoRing create(int entries, CompletionMode mode) {
        return new IoRing(entries, mode, 0);
    }

    /** Creates a ring owned by the calling thread with setup flags ({@link #SETUP_IOPOLL}). */
    public static IoRing create(int entries, CompletionMode mode, int setupFlags) {
        return new IoRing(entries, mode, setupFlags);
    }

    /** Whether every read and write is issued HIPRI and completions are polled (IORING_SETUP_IOPOLL). */
    public boolean isIopoll() {
        return iopoll;
    }

    public CompletionMode mode() {
        return mode;
    }

    public int entries() {
        return entries;
    }

    /** Requests submitted whose CQE has not been posted yet. */
    public int inFlight() {
        return entries - freeCount;
    }

    /**
     * How many times the owner went to sleep waiting for completions so far: each one cost whoever completed the
     * request a wake-up. Any thread may read it.
     */
    public long sleeps() {
        return waiter.sleeps();
    }

    /** CQEs posted and not reaped yet. */
    public int cqReady() {
        return (int) (cqTail - cqHead);
    }

    /**
     * Allocates a buffer for this ring's I/O: off-heap, aligned, freed when the ring closes (registered buffers).
     */
    public MemorySegment allocateBuffer(long size, long alignment) {
        return arena.allocate(size, alignment);
    }

    /** Prepares a write; false when the submission queue is full. */
    public boolean prepWrite(OpenFile file, MemorySegment buffer, long bufferOffset, int length, long position,
                             int rwFlags, long userData) {
        return prep(OP_WRITE, file, buffer, bufferOffset, length, position, rwFlags, userData);
    }

    /** Prepares a read; false when the submission queue is full. */
    public boolean prepRead(OpenFile file, MemorySegment buffer, long bufferOffset, int length, long position,
                            int rwFlags, long userData) {
        return prep(OP_READ, file, buffer, bufferOffset, length, position, rwFlags, userData);
    }

    /** Prepares an fsync ({@code rwFlags} {@link #RWF_DATASYNC} for fdatasync). */
    public boolean prepFsync(OpenFile file, int rwFlags, long userData) {
        return prep(OP_FSYNC, file, MemorySegment.NULL, 0, 0, 0, rwFlags, userData);
    }

    private boolean prep(int op, OpenFile file, MemorySegment buffer, long bufferOffset, int length, long position,
                         int rwFlags, long userData) {
        if (sqCount == entries) {
            return false;
        }
        int i = sqCount++;
        sqOp[i] = op;
        sqFile[i] = file;
        sqBuf[i] = buffer;
        sqBufOffset[i] = bufferOffset;
        sqLength[i] = length;
        sqPosition[i] = position;
        sqFlags[i] = rwFlags;
        sqUser[i] = userData;
        return true;
    }

    /** Prepared requests not yet submitted. */
    public int sqReady() {
        return sqCount;
    }

    /**
     * Issues the prepared requests in order. A request that completes at once (an error, a read of a hole, a
     * device that completes inside submit) posts its CQE right away. Stops early when all request slots are in flight or
     * the completion queue could overflow; the rest stay prepared.
     *
     * @return how many requests were issued
     */
    public int submit() {
        checkOwner();
        int issued = 0;
        int cqCapacity = cqMask + 1;
        while (issued < sqCount && freeCount > 0 && cqReady() + inFlight() < cqCapacity) {
            issue(issued);
            issued++;
        }
        if (issued > 0) {
            int rest = sqCount - issued;
            if (rest > 0) {
                shiftSubmissionQueue(issued, rest);
            }
            sqCount = rest;
            for (int i = rest; i < rest + issued && i < entries; i++) {
                sqFile[i] = null;
                sqBuf[i] = null;
            }
        }
        return issued;
    }

    private void shiftSubmissionQueue(int from, int count) {
        System.arraycopy(sqOp, from, sqOp, 0, count);
        System.arraycopy(sqFile, from, sqFile, 0, count);
        System.arraycopy(sqBuf, from, sqBuf, 0, count);
        System.arraycopy(sqBufOffset, from, sqBufOffset, 0, count);
        System.arraycopy(sqLength, from, sqLength, 0, count);
        System.arraycopy(sqPosition, from, sqPosition, 0, count);
        System.arraycopy(sqFlags, from, sqFlags, 0, count);
        System.arraycopy(sqUser, from, sqUser, 0, count);
    }

    private void issue(int i) {
        int slot = freeSlots[--freeCount];
        Iocb iocb = slotIocb[slot];
        OpenFile file = sqFile[i];
        slotUser[slot] = sqUser[i];
        int op = sqOp[i];
        long res;
        if (op == OP_FSYNC) {
            res = file.mount().isClosed() ? -Errno.ESHUTDOWN
                    : file.inode().fsync(0, Long.MAX_VALUE, (sqFlags[i] & RWF_DATASYNC) != 0);
        } else if (!iopoll && (sqFlags[i] & RWF_HIPRI) != 0) {
            // io_rw_init_file: only an IOPOLL ring may poll; RWF_HIPRI elsewhere is refused, not ignored.
            res = -Errno.EINVAL;
        } else {
            int flags = file.iocbFlags() | (sqFlags[i] & (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT));
            if (iopoll) {
                flags |= Iocb.HIPRI;
            }
            if (op == OP_WRITE) {
                flags |= Iocb.WRITE;
                // io_uring opts writes into caller completion only when not polled (docs/dio-contract.md, "B6");
                // CALLER_POLL is the jiomap extension that keeps both.
                if ((flags & Iocb.HIPRI) == 0 || mode != CompletionMode.CALLER) {
                    flags |= mode.iocbFlag();
                }
            }
            iocb.set(file.inode(), sqPosition[i], flags, this);
            iocb.setUserData(slot);
            res = op == OP_WRITE
                    ? file.inode().write(iocb, sqBuf[i], sqBufOffset[i], sqLength[i])
                    : file.inode().read(iocb, sqBuf[i], sqBufOffset[i], sqLength[i]);
        }
        if (res != -Errno.EIOCBQUEUED) {
            // Completed in the submitter (kiocb_done): no callback will come.
            postCqe(slotUser[slot], res);
            freeSlots[freeCount++] = slot;
        } else {
            Bio polled = iocb.polledBio();
            if (polled != null && polled.pollDevice() != null) {
                polledIndex[slot] = polledCount;
                polledSlots[polledCount++] = slot;
            }
        }
    }

    private void forgetPolled(int slot) {
        int at = polledIndex[slot];
        if (at < 0) {
            return;
        }
        polledIndex[slot] = -1;
        int last = polledSlots[--polledCount];
        if (last != slot) {
            polledSlots[at] = last;
            polledIndex[last] = at;
        }
    }

    /**
     * Polls the queues of the polled requests in flight; their completions run here and land in the inbox. Blocks
     * in the device when every request in flight waits on one and the same poll queue: nothing else can complete
     * meanwhile, so the owner has nothing else to do (one wake-up per completion, as fio waits on io_uring).
     *
     * @return bios the devices completed
     */
    private int pollDevices(boolean mayBlock) {
        int n = polledCount;
        BlockDevice lastDevice = null;
        int lastCookie = Bio.NO_POLL_QUEUE;
        boolean oneQueue = mayBlock && n == inFlight();
        Bio first = null;
        for (int i = 0; i < n; i++) {
            Bio b = slotIocb[polledSlots[i]].polledBio();
            if (b == null) {
                // Completed already; its CQE waits in the inbox.
                oneQueue = false;
                continue;
            }
            if (first == null) {
                first = b;
                lastDevice = b.pollDevice();
                lastCookie = b.pollCookie();
            } else if (b.pollDevice() != lastDevice || b.pollCookie() != lastCookie) {
                oneQueue = false;
            }
        }
        if (first == null) {
            return 0;
        }
        if (oneQueue) {
            return first.poll(BlockDevice.POLL_BLOCK);
        }
        int reaped = 0;
        lastDevice = null;
        lastCookie = Bio.NO_POLL_QUEUE;
        for (int i = 0; i < polledCount; i++) {
            Bio b = slotIocb[polledSlots[i]].polledBio();
            if (b != null && (b.pollDevice() != lastDevice || b.pollCookie() != lastCookie)) {
                lastDevice = b.pollDevice();
                lastCookie = b.pollCookie();
                reaped += b.poll(0);
            }
        }
        return reaped;
    }

    /** {@code ki_complete}: called by the direct-I/O path from a device context, a worker or a drainer. */
    @Override
    public void complete(Iocb iocb, long result) {
        slotResult[(int) iocb.userData()] = result;
        if (!inbox.offer(iocb)) {
            for (long since = System.nanoTime(); !inbox.offer(iocb); ) {
                IdleStrategy.backOff(since);
            }
        }
        waiter.wake();
    }

    /** A drainer ran one of our deferred completions. */
    @Override
    public void wakeup() {
        waiter.wake();
    }

    /**
     * Runs what completed (deferred completions included) and posts the CQEs, without waiting.
     *
     * @return CQEs ready to reap
     */
    public int poll() {
        checkOwner();
        processCompletions();
        if (polledCount > 0 && pollDevices(false) > 0) {
            processCompletions();
        }
        return cqReady();
    }

    /**
     * Waits until at least {@code min} CQEs are ready (or nothing is in flight that could make them).
     *
     * @return CQEs ready to reap
     */
    public int waitCompletions(int min) {
        checkOwner();
        // Every wait starts with the spin, as if the round before it found work.
        waiter.reset();
        long pollingSince = 0;
        while (true) {
            int posted = processCompletions();
            if (cqReady() >= min || inFlight() == 0) {
                return cqReady();
            }
            if (polledCount > 0) {
                // Polled completions arrive only when asked for: poll the devices, never park (IOPOLL).
                if (pollDevices(true) == 0 && posted == 0) {
                    if (pollingSince == 0) {
                        pollingSince = System.nanoTime();
                    }
                    IdleStrategy.poll(pollingSince);
                } else {
                    pollingSince = 0;
                }
                waiter.reset();
                continue;
            }
            pollingSince = 0;
            waiter.idle(posted);
        }
    }

    /** Submits, then waits for {@code min} CQEs. @return CQEs ready */
    public int submitAndWait(int min) {
        submit();
        return waitCompletions(min);
    }

    /**
     * Hands every ready CQE to {@code consumer} and consumes them.
     *
     * @return how many were reaped
     */
    public int reap(CqeConsumer consumer) {
        checkOwner();
        int n = 0;
        while (cqHead < cqTail) {
            int i = (int) (cqHead & cqMask);
            long user = cqUser[i];
            long res = cqResult[i];
            cqHead++;
            n++;
            consumer.accept(user, res);
        }
        return n;
    }

    private boolean hasPendingCompletions() {
        if (!inbox.isEmpty()) {
            return true;
        }
        for (int i = 0; i < claimedCount; i++) {
            if (claimedElsewhere[i].deferred().isDone()) {
                return true;
            }
        }
        return false;
    }

    /** Drains the inbox: runs deferred completions we can claim, posts CQEs. @return CQEs posted */
    private int processCompletions() {
        int posted = 0;
        Iocb iocb;
        while ((iocb = inbox.poll()) != null) {
            DeferredCompletion d = iocb.deferred();
            int slot = (int) iocb.userData();
            if (d == null) {
                finish(slot, slotResult[slot]);
                posted++;
            } else if (d.claim()) {
                finish(slot, d.runClaimed());
                posted++;
            } else if (d.isDone()) {
                finish(slot, d.result());
                posted++;
            } else {
                claimedElsewhere[claimedCount++] = iocb;
            }
        }
        for (int i = 0; i < claimedCount; ) {
            Iocb c = claimedElsewhere[i];
            DeferredCompletion d = c.deferred();
            if (d.isDone()) {
                finish((int) c.userData(), d.result());
                posted++;
                claimedElsewhere[i] = claimedElsewhere[--claimedCount];
                claimedElsewhere[claimedCount] = null;
            } else {
                i++;
            }
        }
        return posted;
    }

    private void finish(int slot, long result) {
        forgetPolled(slot);
        postCqe(slotUser[slot], result);
        slotIocb[slot].setDeferred(null);
        freeSlots[freeCount++] = slot;
    }

    private void postCqe(long userData, long result) {
        int i = (int) (cqTail & cqMask);
        cqUser[i] = userData;
        cqResult[i] = result;
        cqTail++;
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("IoRing is owned by " + owner.getName() + ", not "
                    + Thread.currentThread().getName());
        }
        if (closed) {
            throw new IllegalStateException("IoRing is closed");
        }
    }

    /**
     * Waits for every request in flight (running deferred completions), drops unreaped CQEs and frees the ring's
     * buffers. Must be called by the owner.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkOwner();
        waitCompletions(Integer.MAX_VALUE);
        closed = true;
        arena.close();
    }
}
