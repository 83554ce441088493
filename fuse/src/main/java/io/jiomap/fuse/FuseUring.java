package io.jiomap.fuse;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jiomap.api.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The io_uring a {@link FuseUringTransport} queue talks to the kernel's FUSE over: set up with 128-byte SQEs
 * (IORING_SETUP_SQE128, which IORING_OP_URING_CMD with a {@code fuse_uring_cmd_req} needs), driven with raw
 * io_uring_setup/io_uring_enter system calls and the rings mapped into this process (include/uapi/linux/io_uring.h
 * offsets), single issuer with deferred task work, so a request is copied into its entry when this thread
 * asks for completions and never interrupts it otherwise. It only prepares FUSE ring commands: REGISTER (an entry's header and payload buffers) and
 * COMMIT_AND_FETCH (a reply, and the entry back for the next request).
 *
 * <p>One thread owns it: it prepares, enters and reaps. Head and tail indices shared with the kernel are read with
 * acquire and written with release semantics.
 */
final class FuseUring implements AutoCloseable {
    /** enum fuse_uring_cmd. */
    static final int CMD_REGISTER = 1;
    static final int CMD_COMMIT_AND_FETCH = 2;

    private static final long SYS_IO_URING_SETUP = 425;
    private static final long SYS_IO_URING_ENTER = 426;
    private static final int SETUP_SQE128 = 1 << 10;
    private static final int SETUP_SINGLE_ISSUER = 1 << 12;
    private static final int SETUP_DEFER_TASKRUN = 1 << 13;
    private static final int ENTER_GETEVENTS = 1;
    private static final byte OP_URING_CMD = 46;
    private static final long OFF_SQ_RING = 0;
    private static final long OFF_CQ_RING = 0x8000000L;
    private static final long OFF_SQES = 0x10000000L;
    private static final int PROT_RW = 3;
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;

    /** struct io_uring_params with its io_sqring_offsets (at 40) and io_cqring_offsets (at 80). */
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

    /** struct io_uring_sqe, 128 bytes with SQE128; the command area (struct fuse_uring_cmd_req) starts at 48. */
    private static final int SQE_SIZE = 128;
    private static final long SQE_CMD_OP = 8;
    private static final long SQE_ADDR = 16;
    private static final long SQE_LEN = 24;
    private static final long SQE_USER_DATA = 32;
    private static final long SQE_CMD = 48;
    private static final long CMD_COMMIT_ID = SQE_CMD + 8;
    private static final long CMD_QID = SQE_CMD + 16;
    private static final int CQE_SIZE = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle MUNMAP = LINKER.downcallHandle(
            LINKER.defaultLookup().find("munmap").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment capture = Libc.captureSegment(arena);
    private final int ringFd;
    private final int fuseFd;
    private final int qid;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    private final MemorySegment sqes;
    private final long sqTailOffset;
    private final long cqHeadOffset;
    private final long cqTailOffset;
    private final long cqesOffset;
    private final int sqMask;
    private final int cqMask;
    private int sqTail;
    private int unsubmitted;
    private int cqHead;

    /**
     * Sets up, on the thread that will own it, a ring of {@code entries} SQEs for the FUSE queue {@code qid} of the connection on {@code fuseFd}.
     *
     * @throws IllegalStateException with the errno when io_uring_setup or the mapping fails
     */
    FuseUring(int entries, int fuseFd, int qid) {
        this.fuseFd = fuseFd;
        this.qid = qid;
        MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
        // Task work (the kernel copying a request into an entry) runs only when this thread enters to wait for it.
        params.set(JAVA_INT, P_FLAGS, SETUP_SQE128 | SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN);
        long fd = syscall(SYS_IO_URING_SETUP, entries, params.address(), 0, 0);
        if (fd < 0) {
            throw new IllegalStateException("io_uring_setup with SQE128 failed: " + Errno.describe((int) -fd));
        }
        ringFd = (int) fd;
        try {
            int sqEntries = params.get(JAVA_INT, P_SQ_ENTRIES);
            int cqEntries = params.get(JAVA_INT, P_CQ_ENTRIES);
            int sqArray = params.get(JAVA_INT, P_SQ_OFF + SQ_OFF_ARRAY);
            cqesOffset = params.get(JAVA_INT, P_CQ_OFF + CQ_OFF_CQES);
            sqRing = map(sqArray + 4L * sqEntries, OFF_SQ_RING);
            cqRing = map(cqesOffset + (long) CQE_SIZE * cqEntries, OFF_CQ_RING);
            sqes = map((long) SQE_SIZE * sqEntries, OFF_SQES);
            sqTailOffset = params.get(JAVA_INT, P_SQ_OFF + OFF_TAIL);
            sqMask = sqRing.get(JAVA_INT, params.get(JAVA_INT, P_SQ_OFF + OFF_RING_MASK));
            cqHeadOffset = params.get(JAVA_INT, P_CQ_OFF + OFF_HEAD);
            cqTailOffset = params.get(JAVA_INT, P_CQ_OFF + OFF_TAIL);
            cqMask = cqRing.get(JAVA_INT, params.get(JAVA_INT, P_CQ_OFF + OFF_RING_MASK));
            for (int i = 0; i < sqEntries; i++) {
                sqRing.set(JAVA_INT, sqArray + 4L * i, i);
            }
        } catch (RuntimeException e) {
            arena.close();
            Libc.close(ringFd);
            throw e;
        }
        sqTail = (int) INT.getAcquire(sqRing, sqTailOffset);
        cqHead = (int) INT.getAcquire(cqRing, cqHeadOffset);
    }

    private MemorySegment map(long size, long offset) {
        try {
            MemorySegment m = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, size, PROT_RW,
                    MAP_SHARED_POPULATE, ringFd, offset);
            if (m.address() == -1L) {
                throw new IllegalStateException("mmap of the io_uring failed: errno "
                        + capture.get(JAVA_INT, 0));
            }
            return m.reinterpret(size, arena, s -> unmap(s.address(), size));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void unmap(long address, long size) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** REGISTER: hands the kernel an entry's buffers, {@code iovecs} pointing at two struct iovec (header, payload). */
    void prepRegister(MemorySegment iovecs, long userData) {
        long sqe = next(CMD_REGISTER, userData);
        sqes.set(JAVA_LONG, sqe + SQE_ADDR, iovecs.address());
        sqes.set(JAVA_INT, sqe + SQE_LEN, 2);
    }

    /** COMMIT_AND_FETCH: the reply written in the entry's buffers for request {@code commitId} goes to the kernel. */
    void prepCommit(long commitId, long userData) {
        long sqe = next(CMD_COMMIT_AND_FETCH, userData);
        sqes.set(JAVA_LONG, sqe + CMD_COMMIT_ID, commitId);
    }

    private long next(int cmdOp, long userData) {
        long sqe = (long) (sqTail & sqMask) * SQE_SIZE;
        sqes.asSlice(sqe, SQE_SIZE).fill((byte) 0);
        sqes.set(JAVA_BYTE, sqe, OP_URING_CMD);
        sqes.set(JAVA_INT, sqe + 4, fuseFd);
        sqes.set(JAVA_INT, sqe + SQE_CMD_OP, cmdOp);
        sqes.set(JAVA_LONG, sqe + SQE_USER_DATA, userData);
        sqes.set(JAVA_SHORT, sqe + CMD_QID, (short) qid);
        sqTail++;
        unsubmitted++;
        return sqe;
    }

    /**
     * Submits what was prepared and, with {@code wait}, blocks until a completion is there. Returns 0 or a negative
     * errno (EINTR, and EBUSY/EAGAIN under CQ pressure, are for the caller to retry).
     */
    int enter(boolean wait) {
        INT.setRelease(sqRing, sqTailOffset, sqTail);
        int toSubmit = unsubmitted;
        if (toSubmit == 0 && !wait && ready() > 0) {
            return 0;
        }
        long r = syscall(SYS_IO_URING_ENTER, ringFd, toSubmit, wait ? 1 : 0, ENTER_GETEVENTS);
        if (r < 0) {
            return (int) r;
        }
        unsubmitted -= (int) Math.min(r, toSubmit);
        return 0;
    }

    /** Completions posted and not consumed yet. */
    int ready() {
        return (int) INT.getAcquire(cqRing, cqTailOffset) - cqHead;
    }

    /** The user data of the oldest unconsumed completion. */
    long peekUserData() {
        return cqRing.get(JAVA_LONG, cqesOffset + (long) (cqHead & cqMask) * CQE_SIZE);
    }

    /** The result of the oldest unconsumed completion. */
    int peekResult() {
        return cqRing.get(JAVA_INT, cqesOffset + (long) (cqHead & cqMask) * CQE_SIZE + 8);
    }

    /** Consumes the oldest completion. */
    void advance() {
        cqHead++;
        INT.setRelease(cqRing, cqHeadOffset, cqHead);
    }

    private long syscall(long nr, long a1, long a2, long a3, long a4) {
        try {
            long r = (long) SYSCALL.invokeExact(capture, nr, a1, a2, a3, a4, 0L, 0L);
            return r < 0 ? -capture.get(JAVA_INT, 0) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Closes the ring: the kernel cancels the commands still registered (the entries are then gone). */
    @Override
    public void close() {
        arena.close();
        Libc.close(ringFd);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
