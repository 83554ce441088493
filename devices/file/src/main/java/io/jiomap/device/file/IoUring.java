package io.jiomap.device.file;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jiomap.api.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance, set up and driven with raw system calls through the FFM API (no liburing): the SQ ring, the
 * CQ ring and the SQE array are mapped into this process and read and written at the kernel's ABI offsets
 * ({@code include/uapi/linux/io_uring.h}).
 *
 * <p>Not thread-safe: the engine's ring lock (or the {@link PollRing}'s) guards every method, except
 * {@link #waitForCompletion}, which touches no
 * state of this object and so runs unlocked while submitters prepare and submit SQEs (the kernel serialises
 * concurrent io_uring_enter calls itself, without IORING_SETUP_SINGLE_ISSUER). The head and tail indices shared
 * with the kernel are read with acquire and written with release semantics, the same barriers liburing uses; SQE and
 * CQE fields are plain accesses ordered by those. The SQ index array is filled once with the identity mapping, so
 * preparing an SQE is writing its 64 bytes and bumping a local tail.
 */
final class IoUring implements AutoCloseable {
    static final byte OP_FSYNC = 3;
    /** IORING_OP_TIMEOUT: completes with -ETIME after the timespec at {@code addr} (len 1, off 0). */
    static final byte OP_TIMEOUT = 11;
    static final byte OP_READ_FIXED = 4;
    static final byte OP_WRITE_FIXED = 5;
    /** IORING_OP_FALLOCATE: fallocate(fd, mode in len, offset in off, length in addr). */
    static final byte OP_FALLOCATE = 17;
    static final byte OP_READ = 22;
    static final byte OP_WRITE = 23;

    /** IOSQE_FIXED_FILE: {@code fd} is an index into the registered files. */
    static final byte SQE_FIXED_FILE = 1;
    /** IOSQE_IO_LINK: the next SQE starts only after this one succeeded (else it ends with -ECANCELED). */
    static final byte SQE_IO_LINK = 4;
    static final int FSYNC_DATASYNC = 1;
    static final int RWF_DSYNC = 2;
    private static final int ENTER_GETEVENTS = 1;
    private static final int REGISTER_BUFFERS = 0;
    private static final int UNREGISTER_BUFFERS = 1;
    private static final int REGISTER_FILES = 2;
    private static final long OFF_SQ_RING = 0;
    private static final long OFF_CQ_RING = 0x8000000L;
    private static final long OFF_SQES = 0x10000000L;

    /** struct io_uring_params and its io_sqring_offsets / io_cqring_offsets. */
    private static final int PARAMS_SIZE = 120;
    private static final long P_SQ_ENTRIES = 0;
    private static final long P_CQ_ENTRIES = 4;
    private static final long P_FLAGS = 8;
    private static final long P_SQ_OFF = 40;
    private static final long P_CQ_OFF = 80;
    private static final long OFF_HEAD = 0;
    private static final long OFF_TAIL = 4;
    private static final long OFF_RING_MASK = 8;
    private static final long SQ_OFF_ARRAY = 24;
    private static final long CQ_OFF_CQES = 20;

    /** struct io_uring_sqe (64 bytes). */
    static final int SQE_SIZE = 64;
    private static final long SQE_OPCODE = 0;
    private static final long SQE_FLAGS = 1;
    private static final long SQE_IOPRIO = 2;
    private static final long SQE_FD = 4;
    private static final long SQE_OFF = 8;
    private static final long SQE_ADDR = 16;
    private static final long SQE_LEN = 24;
    private static final long SQE_RW_FLAGS = 28;
    private static final long SQE_USER_DATA = 32;
    private static final long SQE_BUF_INDEX = 40;
    private static final long SQE_PERSONALITY = 42;
    private static final long SQE_SPLICE_FD_IN = 44;
    private static final long SQE_ADDR3 = 48;
    private static final long SQE_PAD = 56;
    /** struct io_uring_cqe (16 bytes without CQE32). */
    private static final int CQE_SIZE = 16;
    private static final long CQE_USER_DATA = 0;
    private static final long CQE_RES = 8;

    private static final ValueLayout.OfInt U32 = JAVA_INT.withOrder(java.nio.ByteOrder.nativeOrder());
    private static final VarHandle INT = U32.varHandle();

    private final int ringFd;
    private final int sqEntries;
    private final int sqMask;
    private final int cqMask;
    private final long sqRingSize;
    private final long cqRingSize;
    private final long sqesSize;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    private final MemorySegment sqes;
    private final long sqHeadOffset;
    private final long sqTailOffset;
    private final long cqHeadOffset;
    private final long cqTailOffset;
    private final long cqesOffset;
    /** errno of the lock holder's system calls, preallocated so the hot path allocates nothing. */
    private final MemorySegment capture;
    /** errno of {@link #waitForCompletion}, which runs without the lock, so it cannot share {@link #capture}. */
    private final MemorySegment waitCapture;
    private final Arena arena = Arena.ofShared();
    /** Local copies: the SQ tail this thread writes, the CQ head this thread advances. */
    private int sqTail;
    private int sqSubmittedTail;
    private int cqHead;
    private boolean closed;

    /** A failed io_uring_setup (or ring mapping), with the errno that says why. */
    static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int errno;

        SetupException(int errno, String message) {
            super(message);
            this.errno = errno;
        }

        int errno() {
            return errno;
        }
    }

    private IoUring(int ringFd, MemorySegment params) throws SetupException {
        this.ringFd = ringFd;
        this.capture = Libc.allocateCapture(arena);
        this.waitCapture = Libc.allocateCapture(arena);
        this.sqEntries = params.get(U32, P_SQ_ENTRIES);
        int cqEntries = params.get(U32, P_CQ_ENTRIES);
        int sqArray = params.get(U32, P_SQ_OFF + SQ_OFF_ARRAY);
        int cqes = params.get(U32, P_CQ_OFF + CQ_OFF_CQES);
        this.sqRingSize = sqArray + 4L * sqEntries;
        this.cqRingSize = cqes + (long) CQE_SIZE * cqEntries;
        this.sqesSize = (long) SQE_SIZE * sqEntries;
        long sqAddress = Libc.mmapShared(ringFd, sqRingSize, OFF_SQ_RING);
        if (sqAddress < 0) {
            throw new SetupException((int) -sqAddress, "mmap of the SQ ring failed: " + Errno.name((int) sqAddress));
        }
        long cqAddress = Libc.mmapShared(ringFd, cqRingSize, OFF_CQ_RING);
        if (cqAddress < 0) {
            Libc.munmap(sqAddress, sqRingSize);
            throw new SetupException((int) -cqAddress, "mmap of the CQ ring failed: " + Errno.name((int) cqAddress));
        }
        long sqesAddress = Libc.mmapShared(ringFd, sqesSize, OFF_SQES);
        if (sqesAddress < 0) {
            Libc.munmap(sqAddress, sqRingSize);
            Libc.munmap(cqAddress, cqRingSize);
            throw new SetupException((int) -sqesAddress, "mmap of the SQE array failed: "
                    + Errno.name((int) sqesAddress));
        }
        this.sqRing = MemorySegment.ofAddress(sqAddress).reinterpret(sqRingSize);
        this.cqRing = MemorySegment.ofAddress(cqAddress).reinterpret(cqRingSize);
        this.sqes = MemorySegment.ofAddress(sqesAddress).reinterpret(sqesSize);
        this.sqHeadOffset = params.get(U32, P_SQ_OFF + OFF_HEAD);
        this.sqTailOffset = params.get(U32, P_SQ_OFF + OFF_TAIL);
        this.sqMask = sqRing.get(U32, params.get(U32, P_SQ_OFF + OFF_RING_MASK));
        this.cqHeadOffset = params.get(U32, P_CQ_OFF + OFF_HEAD);
        this.cqTailOffset = params.get(U32, P_CQ_OFF + OFF_TAIL);
        this.cqMask = cqRing.get(U32, params.get(U32, P_CQ_OFF + OFF_RING_MASK));
        this.cqesOffset = cqes;
        for (int i = 0; i < sqEntries; i++) {
            sqRing.set(U32, sqArray + 4L * i, i);
        }
        this.sqTail = (int) INT.getAcquire(sqRing, sqTailOffset);
        this.sqSubmittedTail = sqTail;
        this.cqHead = (int) INT.getAcquire(cqRing, cqHeadOffset);
    }

    /**
     * io_uring_setup(2) with {@code entries} SQ entries (the kernel rounds up to a power of two and gives twice as many
     * CQ entries), then maps the rings.
     *
     * @throws SetupException with the errno: ENOSYS (no io_uring), EPERM (disabled by sysctl or seccomp), ...
     */
    static IoUring create(int entries, int flags) throws SetupException {
        IoUringSupport.checkPlatform();
        long fd;
        try (Arena setupArena = Arena.ofConfined()) {
            MemorySegment params = setupArena.allocate(PARAMS_SIZE, 8);
            params.set(U32, P_FLAGS, flags);
            MemorySegment setupCapture = Libc.allocateCapture(setupArena);
            fd = Libc.syscall(setupCapture, Libc.SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
            if (fd < 0) {
                throw new SetupException((int) -fd, "io_uring_setup failed: " + Errno.name((int) fd));
            }
            try {
                return new IoUring((int) fd, params);
            } catch (SetupException | RuntimeException e) {
                Libc.close((int) fd);
                throw e;
            }
        }
    }

    /** The number of SQ entries (a power of two). */
    int entries() {
        return sqEntries;
    }

    /** Free SQ entries: prepared but unconsumed ones count as used. */
    int sqSpace() {
        int head = (int) INT.getAcquire(sqRing, sqHeadOffset);
        return sqEntries - (sqTail - head);
    }

    /** SQEs prepared since the last {@link #submit}. */
    int unsubmitted() {
        return sqTail - sqSubmittedTail;
    }

    /**
     * Prepares a read or write SQE at the next free position; the caller checked {@link #sqSpace}.
     *
     * @param bufIndex the registered buffer for READ_FIXED/WRITE_FIXED, else ignored
     */
    void prepRw(byte op, byte flags, int fd, long offset, long address, int length, int rwFlags, int bufIndex,
                long userData) {
        long sqe = (long) (sqTail & sqMask) * SQE_SIZE;
        sqes.set(JAVA_BYTE, sqe + SQE_OPCODE, op);
        sqes.set(JAVA_BYTE, sqe + SQE_FLAGS, flags);
        sqes.set(JAVA_SHORT, sqe + SQE_IOPRIO, (short) 0);
        sqes.set(JAVA_INT, sqe + SQE_FD, fd);
        sqes.set(JAVA_LONG, sqe + SQE_OFF, offset);
        sqes.set(JAVA_LONG, sqe + SQE_ADDR, address);
        sqes.set(JAVA_INT, sqe + SQE_LEN, length);
        sqes.set(JAVA_INT, sqe + SQE_RW_FLAGS, rwFlags);
        sqes.set(JAVA_LONG, sqe + SQE_USER_DATA, userData);
        sqes.set(JAVA_SHORT, sqe + SQE_BUF_INDEX, (short) bufIndex);
        sqes.set(JAVA_SHORT, sqe + SQE_PERSONALITY, (short) 0);
        sqes.set(JAVA_INT, sqe + SQE_SPLICE_FD_IN, 0);
        sqes.set(JAVA_LONG, sqe + SQE_ADDR3, 0L);
        sqes.set(JAVA_LONG, sqe + SQE_PAD, 0L);
        sqTail++;
    }

    /** Prepares a fallocate SQE over {@code [offset, offset + length)} with {@code mode}. */
    void prepFallocate(byte flags, int fd, long offset, long length, int mode, long userData) {
        prepRw(OP_FALLOCATE, flags, fd, offset, length, mode, 0, 0, userData);
    }

    /** Prepares an fsync SQE ({@link #FSYNC_DATASYNC} in {@code fsyncFlags} makes it fdatasync). */
    void prepFsync(byte flags, int fd, int fsyncFlags, long userData) {
        prepRw(OP_FSYNC, flags, fd, 0, 0, 0, fsyncFlags, 0, userData);
    }

    /**
     * Publishes the prepared SQEs and enters the kernel: submits them and, with {@code minComplete > 0}, waits until
     * that many completions are in the CQ ring. A wait is interruptible by signals (EINTR), which the caller treats
     * as a spurious wake-up.
     *
     * @return the number of SQEs the kernel consumed, or -errno
     */
    int submit(int minComplete) {
        int toSubmit = sqTail - sqSubmittedTail;
        INT.setRelease(sqRing, sqTailOffset, sqTail);
        long r;
        if (minComplete == 0) {
            if (toSubmit == 0) {
                return 0;
            }
            r = Libc.syscallCriticalPlain(Libc.SYS_IO_URING_ENTER, ringFd, toSubmit, 0, 0, 0, 0);
            if (r == -1L) {
                // Nothing was consumed (a partial submit returns its count): ask again, this time learning why.
                r = Libc.syscallCritical(capture, Libc.SYS_IO_URING_ENTER, ringFd, toSubmit, 0, 0, 0, 0);
            }
        } else {
            r = Libc.syscall(capture, Libc.SYS_IO_URING_ENTER, ringFd, toSubmit, minComplete, ENTER_GETEVENTS, 0, 0);
        }
        if (r > 0) {
            sqSubmittedTail += (int) r;
        }
        return (int) r;
    }

    /**
     * Blocks until at least one completion is in the CQ ring, submitting nothing; interruptible by signals (EINTR).
     * The only method callable without the engine's lock.
     *
     * @return 0 or -errno
     */
    int waitForCompletion() {
        long r = Libc.syscallPlain(Libc.SYS_IO_URING_ENTER, ringFd, 0, 1, ENTER_GETEVENTS, 0, 0);
        if (r >= 0) {
            return 0;
        }
        // Rare (a signal, or a defect): wait again, this time learning the errno.
        r = Libc.syscall(waitCapture, Libc.SYS_IO_URING_ENTER, ringFd, 0, 1, ENTER_GETEVENTS, 0, 0);
        return r < 0 ? (int) r : 0;
    }

    /** Completions waiting in the CQ ring. */
    int cqReady() {
        return (int) INT.getAcquire(cqRing, cqTailOffset) - cqHead;
    }

    /** user_data of the {@code i}-th ready completion. */
    long cqeUserData(int i) {
        return cqRing.get(JAVA_LONG, cqesOffset + (long) ((cqHead + i) & cqMask) * CQE_SIZE + CQE_USER_DATA);
    }

    /** res of the {@code i}-th ready completion: a byte count or -errno. */
    int cqeResult(int i) {
        return cqRing.get(JAVA_INT, cqesOffset + (long) ((cqHead + i) & cqMask) * CQE_SIZE + CQE_RES);
    }

    /** Hands {@code n} consumed completions back to the kernel. */
    void cqAdvance(int n) {
        cqHead += n;
        INT.setRelease(cqRing, cqHeadOffset, cqHead);
    }

    /** IORING_REGISTER_FILES with one file: SQEs then address it as index 0 with {@link #SQE_FIXED_FILE}. */
    int registerFile(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(JAVA_INT);
            fds.set(JAVA_INT, 0, fd);
            return (int) Libc.syscall(Libc.allocateCapture(a), Libc.SYS_IO_URING_REGISTER, ringFd, REGISTER_FILES,
                    fds.address(), 1, 0, 0);
        }
    }

    /** IORING_REGISTER_BUFFERS: pins the regions; READ_FIXED/WRITE_FIXED then address them by index. */
    int registerBuffers(long[] addresses, long[] lengths) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iovecs = a.allocate(16L * addresses.length, 8);
            for (int i = 0; i < addresses.length; i++) {
                iovecs.set(JAVA_LONG, 16L * i, addresses[i]);
                iovecs.set(JAVA_LONG, 16L * i + 8, lengths[i]);
            }
            return (int) Libc.syscall(Libc.allocateCapture(a), Libc.SYS_IO_URING_REGISTER, ringFd, REGISTER_BUFFERS,
                    iovecs.address(), addresses.length, 0, 0);
        }
    }

    /** IORING_UNREGISTER_BUFFERS: unpins what {@link #registerBuffers} pinned. 0 or -errno. */
    int unregisterBuffers() {
        try (Arena a = Arena.ofConfined()) {
            return (int) Libc.syscall(Libc.allocateCapture(a), Libc.SYS_IO_URING_REGISTER, ringFd, UNREGISTER_BUFFERS,
                    0, 0, 0, 0);
        }
    }

    /** Unmaps the rings and closes the ring fd; the kernel cancels what is still in flight. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.munmap(sqes.address(), sqesSize);
        Libc.munmap(cqRing.address(), cqRingSize);
        Libc.munmap(sqRing.address(), sqRingSize);
        Libc.close(ringFd);
        arena.close();
    }
}
