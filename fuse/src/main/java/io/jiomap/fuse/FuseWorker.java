package io.jiomap.fuse;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.jiomap.api.Errno;
import io.jiomap.core.ring.CqeConsumer;
import io.jiomap.core.ring.IoRing;
import io.jiomap.fuse.HandleTable.Handle;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One worker of the bridge: it reads requests from {@code /dev/fuse} and is the issuer of its own {@link IoRing}.
 * Reads, and writes that overwrite whole aligned blocks inside the file, go into the direct-I/O engine through the
 * ring; the worker reaps their completions itself (in caller-completion mode a pure overwrite's completion runs right
 * here) and replies to the kernel then, so up to {@code depth} requests are in flight per worker. Everything else is
 * answered synchronously by {@link FuseOperations}.
 *
 * <p>Each in-flight request owns a slot: the request is read into it so that a WRITE's data lands on a page boundary
 * (the engine takes it from there without a copy), and a READ's data is read into the same place and sent back with
 * the reply header written just before it. The descriptor is non-blocking: a worker with requests in flight waits on
 * its ring for the first completion while the others wait on the descriptor, and a worker with nothing in flight
 * waits in poll(2).
 */
final class FuseWorker implements Runnable {
    /** Where the data of a WRITE, and of a READ's reply, starts in a slot: a page boundary. */
    private static final int DATA = 4096;
    /** Where a request is read into its slot: so that a WRITE's header and fuse_write_in end at {@link #DATA}. */
    private static final int REQUEST_AT = DATA - FuseAbi.IN_HEADER - 40;
    private static final long SLOT_SIZE = DATA + FuseOperations.MAX_IO + 8192;
    private static final int IDLE_POLL_MILLIS = 500;

    private final int fd;
    private final FuseOperations ops;
    private final int depth;
    private final io.jiomap.core.CompletionMode mode;
    private final PrintStream log;
    /** The ring transport to tell when INIT is answered or the connection ends; null without {@code -o uring}. */
    private final FuseUringTransport uring;

    private IoRing ring;
    private MemorySegment[] slots;
    private long[] slotUnique;
    private int[] slotOp;
    private int[] slotSkip;
    private int[] slotWant;
    private int[] free;
    private int freeCount;
    private MemorySegment out;
    private MemorySegment scratch;
    private MemorySegment capture;
    private MemorySegment pollfd;
    private final CqeConsumer onCompletion = this::completed;

    FuseWorker(int fd, FuseOperations ops, int depth, io.jiomap.core.CompletionMode mode, PrintStream log,
               FuseUringTransport uring) {
        this.uring = uring;
        this.fd = fd;
        this.ops = ops;
        this.depth = depth;
        this.mode = mode;
        this.log = log;
    }

    @Override
    public void run() {
        int entries = Integer.highestOneBit(Math.max(1, depth) * 2 - 1);
        try (Arena arena = Arena.ofConfined()) {
            ring = IoRing.create(entries, mode);
            try {
                slots = new MemorySegment[depth];
                slotUnique = new long[depth];
                slotOp = new int[depth];
                slotSkip = new int[depth];
                slotWant = new int[depth];
                free = new int[depth];
                for (int i = 0; i < depth; i++) {
                    slots[i] = ring.allocateBuffer(SLOT_SIZE, 4096);
                    free[freeCount++] = i;
                }
                out = ring.allocateBuffer(FuseOperations.MAX_IO + 4096, 4096);
                scratch = ring.allocateBuffer(2L * FuseOperations.MAX_IO + 2 * 65536, 4096);
                capture = Libc.captureSegment(arena);
                pollfd = arena.allocate(8, 8);
                serve();
            } finally {
                ring.close();
            }
        } catch (RuntimeException | Error e) {
            log.println("jiomap mount: worker " + Thread.currentThread().getName() + " stopped: " + e);
            e.printStackTrace(log);
        }
    }

    private void serve() {
        while (true) {
            if (freeCount > 0) {
                int slot = free[freeCount - 1];
                MemorySegment s = slots[slot];
                long n = Libc.read(capture, fd, s.asSlice(REQUEST_AT), SLOT_SIZE - REQUEST_AT);
                if (n > 0) {
                    freeCount--;
                    if (!dispatch(slot, s)) {
                        free[freeCount++] = slot;
                    }
                    continue;
                }
                if (n == -Libc.ENODEV) {
                    // The filesystem was unmounted (or the connection aborted): finish what is in flight and stop.
                    if (uring != null) {
                        uring.initAnswered();
                    }
                    ring.waitCompletions(Integer.MAX_VALUE);
                    ring.reap(onCompletion);
                    return;
                }
                if (n != -Libc.EAGAIN && n != -Libc.EINTR && n != -Libc.ENOENT) {
                    throw new IllegalStateException("reading /dev/fuse failed: " + Errno.name((int) -n));
                }
            }
            if (ring.inFlight() > 0 || ring.sqReady() > 0 || ring.cqReady() > 0) {
                ring.submit();
                ring.waitCompletions(1);
                ring.reap(onCompletion);
            } else {
                Libc.pollIn(capture, pollfd, fd, IDLE_POLL_MILLIS);
            }
        }
    }

    /** Handles one request read into {@code slot}; true when it went into the ring and the slot stays busy. */
    private boolean dispatch(int slot, MemorySegment s) {
        long in = REQUEST_AT;
        int opcode = s.get(JAVA_INT_UNALIGNED, in + FuseAbi.IN_OPCODE);
        long unique = s.get(JAVA_LONG_UNALIGNED, in + FuseAbi.IN_UNIQUE);
        long nodeid = s.get(JAVA_LONG_UNALIGNED, in + FuseAbi.IN_NODEID);
        long body = in + FuseAbi.IN_HEADER;
        if (opcode == FuseAbi.READ) {
            return read(slot, s, unique, body);
        }
        if (opcode == FuseAbi.WRITE) {
            return write(slot, s, unique, body);
        }
        int r = ops.handle(opcode, nodeid, s, body, out, scratch);
        if (r != FuseOperations.NO_REPLY) {
            reply(out, 0, unique, r);
        }
        if (opcode == FuseAbi.INIT && uring != null) {
            uring.initAnswered();
        }
        return false;
    }

    /** The READ or WRITE request's open file; null once the request is answered EBADF or EISDIR. */
    private Handle openFile(MemorySegment s, long unique, long body) {
        Handle h = ops.handles.get(s.get(JAVA_LONG_UNALIGNED, body));
        if (h == null || h.file() == null) {
            reply(s, 0, unique, h == null ? -Errno.EBADF : -Errno.EISDIR);
            return null;
        }
        return h;
    }

    private boolean read(int slot, MemorySegment s, long unique, long body) {
        Handle h = openFile(s, unique, body);
        if (h == null) {
            return false;
        }
        long offset = s.get(JAVA_LONG_UNALIGNED, body + 8);
        int size = s.get(JAVA_INT_UNALIGNED, body + 16);
        long a = ops.alignDown(offset);
        long e = ops.alignUp(offset + size);
        slotUnique[slot] = unique;
        slotOp[slot] = FuseAbi.READ;
        slotSkip[slot] = (int) (offset - a);
        slotWant[slot] = size;
        ring.prepRead(h.file(), s, DATA, (int) (e - a), a, 0, slot);
        ring.submit();
        return true;
    }

    private boolean write(int slot, MemorySegment s, long unique, long body) {
        Handle h = openFile(s, unique, body);
        if (h == null) {
            return false;
        }
        long offset = s.get(JAVA_LONG_UNALIGNED, body + 8);
        int size = s.get(JAVA_INT_UNALIGNED, body + 16);
        if (ops.ringWrite(h, offset, size)) {
            slotUnique[slot] = unique;
            slotOp[slot] = FuseAbi.WRITE;
            slotWant[slot] = size;
            ring.prepWrite(h.file(), s, DATA, size, offset, 0, slot);
            ring.submit();
            return true;
        }
        long r = ops.writeAt(h, s, DATA, size, offset, scratch);
        replyWritten(s, unique, r);
        return false;
    }

    private void completed(long userData, long result) {
        int slot = (int) userData;
        MemorySegment s = slots[slot];
        long unique = slotUnique[slot];
        if (slotOp[slot] == FuseAbi.READ) {
            if (result < 0) {
                reply(s, 0, unique, (int) result);
            } else {
                int skip = slotSkip[slot];
                int n = (int) Math.max(0, Math.min(slotWant[slot], result - skip));
                reply(s, DATA + skip - FuseAbi.OUT_HEADER, unique, n);
            }
        } else {
            replyWritten(s, unique, result);
        }
        free[freeCount++] = slot;
    }

    private void replyWritten(MemorySegment s, long unique, long result) {
        if (result < 0) {
            reply(s, 0, unique, (int) result);
            return;
        }
        s.set(JAVA_INT_UNALIGNED, FuseAbi.OUT_HEADER, (int) result);
        s.set(JAVA_INT_UNALIGNED, FuseAbi.OUT_HEADER + 4, 0);
        reply(s, 0, unique, FuseAbi.WRITE_OUT);
    }

    /**
     * Sends the reply whose header goes at {@code at} of {@code buf}, its body right after it: {@code result} is the
     * body's length, or a negative errno for a reply without body.
     */
    private void reply(MemorySegment buf, long at, long unique, int result) {
        int len = FuseAbi.OUT_HEADER + Math.max(0, result);
        buf.set(JAVA_INT_UNALIGNED, at, len);
        buf.set(JAVA_INT_UNALIGNED, at + 4, Math.min(0, result));
        buf.set(JAVA_LONG_UNALIGNED, at + 8, unique);
        long w = Libc.write(capture, fd, buf.asSlice(at, len), len);
        if (w < 0 && w != -Libc.ENOENT && w != -Libc.ENODEV) {
            // ENOENT: the request was interrupted meanwhile; ENODEV: the connection is gone. Anything else is a bug.
            log.println("jiomap mount: reply to request " + unique + " refused: " + Errno.name((int) -w));
        }
    }
}
