package io.jiomap.fuse;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.ring.CqeConsumer;
import io.jiomap.core.ring.IoRing;
import io.jiomap.fuse.HandleTable.Handle;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * FUSE over io_uring ({@code -o uring}, kernel 6.14+): one queue per possible CPU, each served by its own thread that
 * owns a {@link FuseUring} and an engine {@link IoRing}. Every ring entry (a header buffer and a payload buffer) is
 * registered with the kernel, which fills a free entry of the queue of the CPU the calling program runs on and
 * completes its command: the request arrives as a completion, and the reply goes back as a COMMIT_AND_FETCH
 * submission that also hands the entry back for the next request. The thread that takes a READ or an aligned
 * overwrite issues it into its engine ring and reaps its completion itself (in caller mode a pure overwrite's
 * completion runs on it), so a pure overwrite is taken, done and answered by one thread without a wake-up.
 *
 * <p>The kernel uses the rings once INIT was answered with FUSE_OVER_IO_URING and every queue has an entry; until
 * then, and for FORGET and INTERRUPT always, requests come through {@code /dev/fuse} and the {@link FuseWorker}s.
 *
 * <p>An entry's memory is one engine buffer: the {@code fuse_uring_req_header} at 0 (fuse_in_header/fuse_out_header
 * at 0, the opcode's own header at 128, {@code fuse_uring_ent_in_out} at 256) and the payload at {@link #PAYLOAD}, a
 * page boundary, so a WRITE's data goes to the engine and a READ's data comes from it without a copy, and a reply body
 * written at {@code PAYLOAD} by {@link FuseOperations} is already where the kernel takes it.
 */
final class FuseUringTransport {
    /** The kernel's switch for FUSE over io_uring (fs/fuse/dev_uring.c, module parameter). */
    static final Path ENABLE_URING = Path.of("/sys/module/fuse/parameters/enable_uring");
    private static final Path POSSIBLE_CPUS = Path.of("/sys/devices/system/cpu/possible");

    private static final int ENOTCONN = 107;
    private static final int OP_IN = 128;
    private static final int ENT_COMMIT_ID = 264;
    private static final int ENT_PAYLOAD_SZ = 272;
    private static final int HEADER_SIZE = 288;
    /** Where the payload starts in an entry's buffer; a reply's body is written there, its header just before. */
    private static final int PAYLOAD = 4096;
    /** Room for the largest request or reply, plus the alignment slack of an unaligned READ. */
    private static final int PAYLOAD_SIZE = FuseOperations.MAX_IO + 8192;
    private static final long REGISTER_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int fd;
    private final FuseOperations ops;
    private final int depth;
    private final CompletionMode mode;
    private final PrintStream log;
    private final AtomicLong requests = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    /** Opened by the /dev/fuse worker that answered INIT: the kernel accepts ring entries from then on. */
    private final CountDownLatch initialized = new CountDownLatch(1);

    FuseUringTransport(int fd, FuseOperations ops, int depth, CompletionMode mode, PrintStream log) {
        this.fd = fd;
        this.ops = ops;
        this.depth = depth;
        this.mode = mode;
        this.log = log;
    }

    /**
     * Refuses {@code -o uring} where the kernel would not use the ring, naming what is missing.
     *
     * @throws JiomapException EOPNOTSUPP without FUSE over io_uring in the kernel or with it switched off
     */
    static void checkAvailable() throws JiomapException {
        String value;
        try {
            value = Files.readString(ENABLE_URING).trim();
        } catch (IOException e) {
            throw new JiomapException(Errno.EOPNOTSUPP, "-o uring: this kernel has no FUSE over io_uring ("
                    + ENABLE_URING + " is missing: it needs Linux 6.14+ built with CONFIG_FUSE_IO_URING); mount "
                    + "without -o uring to use /dev/fuse");
        }
        if (!value.equals("Y")) {
            throw new JiomapException(Errno.EOPNOTSUPP, "-o uring: FUSE over io_uring is switched off ("
                    + ENABLE_URING + " is " + value + "); as root: echo Y > " + ENABLE_URING + ", or mount without "
                    + "-o uring to use /dev/fuse");
        }
    }

    /** The number of queues the kernel expects: one per possible CPU. */
    static int queues() {
        try {
            int max = 0;
            for (String range : Files.readString(POSSIBLE_CPUS).trim().split(",")) {
                int dash = range.indexOf('-');
                max = Math.max(max, Integer.parseInt(dash < 0 ? range : range.substring(dash + 1)));
            }
            return max + 1;
        } catch (IOException | NumberFormatException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** Starts one daemon thread per queue; they end when the kernel tears the queues down (unmount). */
    List<Thread> start() {
        for (int q = 0; q < queues(); q++) {
            Thread t = new Thread(new Queue(q), "jiomap-fuse-uring-" + q);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        return threads;
    }

    /**
     * Called by the {@code /dev/fuse} worker that answered INIT, or that saw the connection end before: the queues
     * register their entries then (and learn from the refusal that the connection is gone).
     */
    void initAnswered() {
        initialized.countDown();
    }

    /** Requests taken from the rings so far (any thread may read it). */
    long requests() {
        return requests.get();
    }

    /** One queue: its ring of entries and the engine ring its thread issues into. */
    private final class Queue implements Runnable {
        private final int qid;
        private IoRing engine;
        private FuseUring ring;
        private MemorySegment[] entries;
        private long[] commitId;
        private int[] skip;
        private int[] want;
        private int[] op;
        private MemorySegment request;
        private MemorySegment scratch;
        private final CqeConsumer onCompletion = this::completed;

        Queue(int qid) {
            this.qid = qid;
        }

        @Override
        public void run() {
            try (Arena arena = Arena.ofConfined()) {
                engine = IoRing.create(Integer.highestOneBit(Math.max(1, depth) * 2 - 1), mode);
                try (FuseUring r = new FuseUring(Integer.highestOneBit(Math.max(1, depth) * 2 - 1), fd, qid)) {
                    ring = r;
                    entries = new MemorySegment[depth];
                    commitId = new long[depth];
                    skip = new int[depth];
                    want = new int[depth];
                    op = new int[depth];
                    MemorySegment iovecs = arena.allocate(32L * depth, 8);
                    for (int i = 0; i < depth; i++) {
                        entries[i] = engine.allocateBuffer(PAYLOAD + PAYLOAD_SIZE, 4096);
                        MemorySegment iov = iovecs.asSlice(32L * i, 32);
                        iov.set(JAVA_LONG_UNALIGNED, 0, entries[i].address());
                        iov.set(JAVA_LONG_UNALIGNED, 8, HEADER_SIZE);
                        iov.set(JAVA_LONG_UNALIGNED, 16, entries[i].address() + PAYLOAD);
                        iov.set(JAVA_LONG_UNALIGNED, 24, PAYLOAD_SIZE);
                    }
                    request = engine.allocateBuffer(PAYLOAD_SIZE + 4096, 4096);
                    scratch = engine.allocateBuffer(2L * FuseOperations.MAX_IO + 2 * 65536, 4096);
                    initialized.await();
                    serve(iovecs);
                } finally {
                    engine.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | Error e) {
                log.println("jiomap mount: FUSE ring queue " + qid + " stopped: " + e);
                e.printStackTrace(log);
            }
        }

        /**
         * Registers every entry (after INIT was answered: the kernel sizes the ring by what INIT negotiated), then
         * takes requests as completions until the kernel has ended every entry (unmount), or refused them.
         */
        private void serve(MemorySegment iovecs) {
            for (int i = 0; i < depth; i++) {
                ring.prepRegister(iovecs.asSlice(32L * i, 32), i);
            }
            int alive = depth;
            while (alive > 0) {
                boolean idle = engine.inFlight() == 0 && engine.cqReady() == 0 && engine.sqReady() == 0;
                int e = ring.enter(idle && ring.ready() == 0);
                if (e < 0 && e != -Libc.EINTR && e != -Libc.EAGAIN && e != -Libc.EBUSY) {
                    throw new IllegalStateException("io_uring_enter failed: " + Errno.describe(-e));
                }
                int taken = 0;
                while (ring.ready() > 0) {
                    int slot = (int) ring.peekUserData();
                    int res = ring.peekResult();
                    ring.advance();
                    if (res == -Libc.EAGAIN) {
                        // Not initialised yet on the kernel's side: register the entry again.
                        LockSupport.parkNanos(REGISTER_RETRY_NANOS);
                        ring.prepRegister(iovecs.asSlice(32L * slot, 32), slot);
                        continue;
                    }
                    if (res < 0) {
                        // ENOTCONN: the queue is torn down (unmount, abort). Anything else: the kernel refused it.
                        if (res != -ENOTCONN && res != -Errno.ECANCELED) {
                            log.println("jiomap mount: -o uring: queue " + qid + " lost ring entry " + slot + ": "
                                    + Errno.describe(-res));
                        }
                        alive--;
                        continue;
                    }
                    requests.incrementAndGet();
                    taken++;
                    take(slot);
                }
                if (engine.inFlight() > 0 || engine.sqReady() > 0 || engine.cqReady() > 0) {
                    engine.submit();
                    if (taken == 0) {
                        engine.waitCompletions(1);
                    } else {
                        engine.poll();
                    }
                    engine.reap(onCompletion);
                }
            }
            engine.waitCompletions(Integer.MAX_VALUE);
            engine.reap(onCompletion);
        }

        /** Serves the request the kernel put in entry {@code slot}: into the engine ring, or answered right away. */
        private void take(int slot) {
            MemorySegment s = entries[slot];
            int len = s.get(JAVA_INT_UNALIGNED, FuseAbi.IN_LEN);
            int opcode = s.get(JAVA_INT_UNALIGNED, FuseAbi.IN_OPCODE);
            long unique = s.get(JAVA_LONG_UNALIGNED, FuseAbi.IN_UNIQUE);
            long nodeid = s.get(JAVA_LONG_UNALIGNED, FuseAbi.IN_NODEID);
            commitId[slot] = s.get(JAVA_LONG_UNALIGNED, ENT_COMMIT_ID);
            int payload = s.get(JAVA_INT_UNALIGNED, ENT_PAYLOAD_SZ);
            if (opcode == FuseAbi.READ) {
                read(slot, s, unique);
                return;
            }
            if (opcode == FuseAbi.WRITE) {
                write(slot, s, unique);
                return;
            }
            // The handlers read the request header, the opcode's header and what follows as one run, as /dev/fuse
            // delivers it (the caller's uid and gid are in the request header).
            int opIn = Math.max(0, len - FuseAbi.IN_HEADER - payload);
            long body = FuseAbi.IN_HEADER;
            MemorySegment.copy(s, 0, request, 0, FuseAbi.IN_HEADER);
            MemorySegment.copy(s, OP_IN, request, body, opIn);
            MemorySegment.copy(s, PAYLOAD, request, body + opIn, payload);
            request.set(java.lang.foreign.ValueLayout.JAVA_BYTE, body + opIn + payload, (byte) 0);
            int r = ops.handle(opcode, nodeid, request, body, s.asSlice(PAYLOAD - FuseAbi.OUT_HEADER), scratch);
            commit(slot, unique, r == FuseOperations.NO_REPLY ? 0 : r);
        }

        /** The READ or WRITE request's open file; null once the request is answered EBADF or EISDIR. */
        private Handle openFile(int slot, MemorySegment s, long unique) {
            Handle h = ops.handles.get(s.get(JAVA_LONG_UNALIGNED, OP_IN));
            if (h == null || h.file() == null) {
                commit(slot, unique, h == null ? -Errno.EBADF : -Errno.EISDIR);
                return null;
            }
            return h;
        }

        private void read(int slot, MemorySegment s, long unique) {
            Handle h = openFile(slot, s, unique);
            if (h == null) {
                return;
            }
            long offset = s.get(JAVA_LONG_UNALIGNED, OP_IN + 8);
            int size = s.get(JAVA_INT_UNALIGNED, OP_IN + 16);
            long a = ops.alignDown(offset);
            long e = ops.alignUp(offset + size);
            op[slot] = FuseAbi.READ;
            skip[slot] = (int) (offset - a);
            want[slot] = size;
            engine.prepRead(h.file(), s, PAYLOAD, (int) (e - a), a, 0, slot);
            engine.submit();
        }

        private void write(int slot, MemorySegment s, long unique) {
            Handle h = openFile(slot, s, unique);
            if (h == null) {
                return;
            }
            long offset = s.get(JAVA_LONG_UNALIGNED, OP_IN + 8);
            int size = s.get(JAVA_INT_UNALIGNED, OP_IN + 16);
            if (ops.ringWrite(h, offset, size)) {
                op[slot] = FuseAbi.WRITE;
                want[slot] = size;
                engine.prepWrite(h.file(), s, PAYLOAD, size, offset, 0, slot);
                engine.submit();
                return;
            }
            written(slot, unique, ops.writeAt(h, s, PAYLOAD, size, offset, scratch));
        }

        private void completed(long userData, long result) {
            int slot = (int) userData;
            MemorySegment s = entries[slot];
            long unique = s.get(JAVA_LONG_UNALIGNED, FuseAbi.IN_UNIQUE);
            if (op[slot] == FuseAbi.READ) {
                if (result < 0) {
                    commit(slot, unique, (int) result);
                    return;
                }
                int n = (int) Math.max(0, Math.min(want[slot], result - skip[slot]));
                if (skip[slot] > 0 && n > 0) {
                    MemorySegment.copy(s, PAYLOAD + skip[slot], s, PAYLOAD, n);
                }
                commit(slot, unique, n);
            } else {
                written(slot, unique, result);
            }
        }

        private void written(int slot, long unique, long result) {
            if (result < 0) {
                commit(slot, unique, (int) result);
                return;
            }
            MemorySegment s = entries[slot];
            s.set(JAVA_INT_UNALIGNED, PAYLOAD, (int) result);
            s.set(JAVA_INT_UNALIGNED, PAYLOAD + 4, 0);
            commit(slot, unique, FuseAbi.WRITE_OUT);
        }

        /**
         * Writes the reply header (and the body's length, the body being at the payload already) and prepares the
         * COMMIT_AND_FETCH: {@code result} is the body's length, or a negative errno for a reply without body.
         */
        private void commit(int slot, long unique, int result) {
            MemorySegment s = entries[slot];
            int body = Math.max(0, result);
            s.set(JAVA_INT_UNALIGNED, 0, FuseAbi.OUT_HEADER + body);
            s.set(JAVA_INT_UNALIGNED, 4, Math.min(0, result));
            s.set(JAVA_LONG_UNALIGNED, 8, unique);
            s.set(JAVA_INT_UNALIGNED, ENT_PAYLOAD_SZ, body);
            ring.prepCommit(commitId[slot], slot);
        }
    }
}
