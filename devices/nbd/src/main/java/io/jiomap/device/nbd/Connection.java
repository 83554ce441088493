package io.jiomap.device.nbd;

import static io.jiomap.device.nbd.wire.NbdWire.*;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection to the server: a hardware queue of {@code depth} slots. A bio takes a slot, whose index (with a
 * generation, so a stray reply cannot end the wrong bio) is the request's cookie, and is written to the socket by its
 * submitter; the connection's reader thread reads the replies and completes the bios: it plays the interrupt.
 *
 * <p>A poll queue ({@code polled}) has no reader: its replies are read by whoever polls ({@link #poll}), so the bios
 * complete on the issuing thread, with no wake-up; the device's watchdog reaps, late, what nobody polls for
 * ({@link #reapIfStalled}), and the connection's thread only recovers a broken connection.
 *
 * <p>Rules:
 * <ul>
 *   <li>A bio completes only once the server answered its last command (a write is acknowledged only when the server
 *       replied), or with an error when the connection cannot deliver it.</li>
 *   <li>A slot is freed before its bio's end_io runs, so an end_io may submit again. A bio submitted by the reader
 *       itself into a full queue waits in the backlog, which the next freed slot takes, instead of the reader waiting
 *       for itself.</li>
 *   <li>PREFLUSH is a FLUSH the write waits for; FUA where the server has a cache but no FUA is the write then a
 *       FLUSH (what the block layer does above; a direct submitter gets the same guarantee).</li>
 *   <li>A lost connection is reconnected up to {@code reconnect} times, and everything in flight is sent again (a
 *       write or flush that was not answered may be repeated; a repeated write writes the same data). A request
 *       unanswered after the timeout fails its bios with EIO and drops the connection. When the connection cannot
 *       come back, every bio fails with ENODEV and the device fails.</li>
 * </ul>
 * Lock order: {@code sendLock} before {@code lock}.
 */
final class Connection implements Runnable {
    private static final System.Logger LOG = System.getLogger("io.jiomap.device.nbd");
    private static final int TX_CAPACITY = 256 << 10;
    private static final int RX_CAPACITY = 256 << 10;
    private static final byte PREFLUSH = 1;
    private static final byte DATA = 2;
    private static final byte POSTFLUSH = 3;
    private static final int SLOT_BITS = 16;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;
    /** How long a blocking poll spins before it sleeps in the socket (as the ring's idle waiter spins). */
    private static final long POLL_SPIN_NANOS = 2_000;

    private final NbdDevice device;
    private final String name;
    private final int depth;
    private final boolean polled;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition slotFreed = lock.newCondition();
    private final Bio[] bios;
    private final byte[] stage;
    private final byte[] lastStage;
    private final short[] command;
    private final int[] generation;
    private final long[] since;
    private final boolean[] unsent;
    private final int[] freeSlots;
    private int freeCount;
    private final ArrayDeque<Bio> backlog = new ArrayDeque<>();
    /** Set when the connection is gone for good: later bios fail with ENODEV at once. */
    private boolean dead;

    private final ReentrantLock sendLock = new ReentrantLock();
    private final ByteBuffer tx = ByteBuffer.allocateDirect(TX_CAPACITY);
    private final MemorySegment txMemory = MemorySegment.ofBuffer(tx);
    /** The channel requests go to; null while (re)connecting. Guarded by sendLock. */
    private SocketChannel channel;
    /** The channel being connected or in use, for closing it from another thread. */
    private volatile SocketChannel live;
    private volatile long handshakeDeadline;
    private volatile boolean timedOut;
    /** Whether requests flow (between connecting and losing the connection): only then can one time out. */
    private volatile boolean transmitting;

    /** The reader's state: the reader thread's, or on a poll queue whoever holds {@code reapLock}. */
    private final ReplyBuffer rx = new ReplyBuffer(RX_CAPACITY);
    private final int[] chunkError;
    private final ReentrantLock reapLock = new ReentrantLock();
    /** The reader thread; on a poll queue, the thread that recovers a broken connection. */
    private Thread reader;
    /** Poll queue: a poller or the watchdog found the connection broken; its thread recovers it. */
    private volatile boolean broken;
    private volatile IOException breakage;
    /**
     * Poll queue: bios submitted and completed (written under {@code lock}, read by pollers without it), and as the
     * stall check last saw them.
     */
    private volatile long submittedTotal;
    private volatile long completedTotal;
    private long submittedAtLastCheck;
    private long completedAtLastCheck;

    Connection(NbdDevice device, String name, int depth, boolean polled) {
        this.device = device;
        this.name = name;
        this.polled = polled;
        this.depth = depth;
        this.bios = new Bio[depth];
        this.stage = new byte[depth];
        this.lastStage = new byte[depth];
        this.command = new short[depth];
        this.generation = new int[depth];
        this.since = new long[depth];
        this.unsent = new boolean[depth];
        this.chunkError = new int[depth];
        this.freeSlots = new int[depth];
        for (int i = 0; i < depth; i++) {
            freeSlots[i] = depth - 1 - i;
        }
        this.freeCount = depth;
    }

    // ---- connecting ---------------------------------------------------------------------------------------------

    /** Connects and negotiates; the device's watchdog closes the socket when the handshake outlasts the timeout. */
    ExportInfo connect(NbdConfig config) throws IOException {
        SocketChannel ch = Transport.connect(config.uri(), opened -> {
            live = opened;
            long timeout = config.timeoutNanos();
            handshakeDeadline = timeout == 0 ? 0 : System.nanoTime() + timeout;
        });
        try {
            ExportInfo info = Handshake.negotiate(ch, config.uri(), config.structuredReplies());
            if (polled) {
                // Pollers must find out without blocking whether a reply is there.
                ch.configureBlocking(false);
            }
            reapLock.lock();
            try {
                rx.reset(ch);
            } finally {
                reapLock.unlock();
            }
            return info;
        } catch (AsynchronousCloseException e) {
            closeQuietly(ch);
            throw new IOException("no answer to the handshake from " + device.uri() + " within the timeout of "
                    + TimeUnit.NANOSECONDS.toMillis(config.timeoutNanos()) + " ms", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        } finally {
            handshakeDeadline = 0;
        }
    }

    /** Starts the transmission phase on the connected channel: the reader thread, and (after a reconnect) resends. */
    void start(Thread.Builder threads) {
        sendLock.lock();
        try {
            channel = live;
            transmitting = true;
        } finally {
            sendLock.unlock();
        }
        reader = threads.name("jiomap-" + name.replace(' ', '-') + (polled ? "-recovery" : "")).unstarted(this);
        reader.start();
    }

    // ---- submitting ---------------------------------------------------------------------------------------------

    /** Queues a bio the device admitted, waiting for a free slot unless NOWAIT (or unless the reader submits). */
    void submit(Bio bio) {
        int slot = -1;
        int refused = 0;
        lock.lock();
        try {
            while (true) {
                if (dead || device.isClosed()) {
                    refused = Errno.ENODEV;
                    break;
                }
                if (freeCount > 0) {
                    slot = take(bio);
                    break;
                }
                if (bio.hasFlag(Bio.NOWAIT)) {
                    refused = Errno.EAGAIN;
                    break;
                }
                if (polled ? reapLock.isHeldByCurrentThread() : Thread.currentThread() == reader) {
                    backlog.add(bio);
                    return;
                }
                if (polled) {
                    // Slots of a poll queue free up when someone polls: the waiting submitter does.
                    lock.unlock();
                    try {
                        poll(io.jiomap.api.block.BlockDevice.POLL_BLOCK);
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                slotFreed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        if (refused != 0) {
            bio.complete(refused);
        } else {
            send(slot);
        }
    }

    /** Puts a bio in a free slot; under {@code lock}. */
    private int take(Bio bio) {
        int slot = freeSlots[--freeCount];
        bios[slot] = bio;
        boolean write = bio.op() == BioOp.WRITE;
        stage[slot] = write && bio.hasFlag(Bio.PREFLUSH) && device.flushes() ? PREFLUSH : DATA;
        lastStage[slot] = write && bio.hasFlag(Bio.FUA) && device.flushes() && !device.fua() ? POSTFLUSH : DATA;
        command[slot] = device.dataCommand(bio);
        since[slot] = System.nanoTime();
        unsent[slot] = true;
        chunkError[slot] = 0;
        submittedTotal++;
        return slot;
    }

    private void send(int slot) {
        sendLock.lock();
        try {
            sendLocked(slot);
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Writes the slot's current command unless it went out already or there is no connection (the reconnect sends
     * it then). A failed write closes the socket: the reader sees it and recovers.
     */
    private void sendLocked(int slot) {
        SocketChannel ch = channel;
        if (ch == null) {
            return;
        }
        Bio bio;
        int type;
        int flags = 0;
        long cookie;
        lock.lock();
        try {
            bio = bios[slot];
            if (bio == null || !unsent[slot]) {
                return;
            }
            unsent[slot] = false;
            cookie = ((long) generation[slot] << SLOT_BITS) | slot;
            type = stage[slot] == DATA ? command[slot] : CMD_FLUSH;
        } finally {
            lock.unlock();
        }
        boolean data = type != CMD_FLUSH;
        if (data && type != CMD_READ && bio.hasFlag(Bio.FUA) && device.fua()) {
            flags = CMD_FLAG_FUA;
        }
        long offset = data ? bio.address() : 0;
        int length = data ? bio.length() : 0;
        try {
            tx.clear();
            tx.putInt(REQUEST_MAGIC).putShort((short) flags).putShort((short) type).putLong(cookie)
                    .putLong(offset).putInt(length);
            if (type != CMD_WRITE) {
                tx.flip();
                Transport.writeFully(ch, tx);
                return;
            }
            long from = bio.segmentOffset();
            long left = length;
            int room = TX_CAPACITY - REQUEST_SIZE;
            do {
                int n = (int) Math.min(left, room);
                MemorySegment.copy(bio.segment(), from, txMemory, tx.position(), n);
                tx.position(tx.position() + n).flip();
                Transport.writeFully(ch, tx);
                from += n;
                left -= n;
                tx.clear();
                room = TX_CAPACITY;
            } while (left > 0);
        } catch (IOException e) {
            closeQuietly(ch);
        }
    }

    // ---- the reader: replies ------------------------------------------------------------------------------------

    @Override
    public void run() {
        if (polled) {
            recoverWhenBroken();
            return;
        }
        while (true) {
            try {
                readReply();
            } catch (IOException e) {
                if (!recover(e)) {
                    return;
                }
            }
        }
    }

    private void readReply() throws IOException {
        if (device.isClosed()) {
            throw new IOException("the device is closed");
        }
        int magic = rx.readInt();
        if (magic == SIMPLE_REPLY_MAGIC) {
            int error = rx.readInt();
            long cookie = rx.readLong();
            int slot = slotOf(cookie);
            Bio bio = bios[slot];
            if (error == 0 && stage[slot] == DATA && command[slot] == CMD_READ) {
                rx.copyTo(bio.segment(), bio.segmentOffset(), bio.length());
            }
            advance(slot, error == 0 ? 0 : errnoOf(error));
        } else if (magic == STRUCTURED_REPLY_MAGIC) {
            int flags = rx.readUnsignedShort();
            int type = rx.readUnsignedShort();
            long cookie = rx.readLong();
            int length = rx.readInt();
            int slot = slotOf(cookie);
            chunk(slot, type, length);
            if ((flags & REPLY_FLAG_DONE) != 0) {
                advance(slot, chunkError[slot]);
            }
        } else {
            throw new IOException("protocol error: reply magic 0x" + Integer.toHexString(magic));
        }
    }

    /** One chunk of a structured reply. */
    private void chunk(int slot, int type, int length) throws IOException {
        Bio bio = bios[slot];
        switch (type) {
            case REPLY_TYPE_NONE -> rx.skip(Integer.toUnsignedLong(length));
            case REPLY_TYPE_OFFSET_DATA -> {
                long offset = rx.readLong();
                long n = Integer.toUnsignedLong(length) - 8;
                long at = checkedRange(bio, slot, offset, n);
                rx.copyTo(bio.segment(), at, n);
            }
            case REPLY_TYPE_OFFSET_HOLE -> {
                long offset = rx.readLong();
                long n = Integer.toUnsignedLong(rx.readInt());
                long at = checkedRange(bio, slot, offset, n);
                bio.segment().asSlice(at, n).fill((byte) 0);
                rx.skip(Integer.toUnsignedLong(length) - 12);
            }
            default -> {
                if ((type & 0x8000) == 0) {
                    rx.skip(Integer.toUnsignedLong(length));
                    return;
                }
                int error = rx.readInt();
                rx.skip(Integer.toUnsignedLong(length) - 4);
                if (chunkError[slot] == 0) {
                    chunkError[slot] = error == 0 ? Errno.EIO : errnoOf(error);
                }
            }
        }
    }

    /** Where in the bio's memory a data or hole chunk goes; a chunk outside the read is a protocol error. */
    private long checkedRange(Bio bio, int slot, long offset, long length) throws IOException {
        if (stage[slot] != DATA || command[slot] != CMD_READ || offset < bio.address()
                || offset + length > bio.address() + bio.length() || length < 0) {
            throw new IOException("protocol error: a read chunk at " + offset + "+" + length + " for " + bio);
        }
        return bio.segmentOffset() + (offset - bio.address());
    }

    /** The slot a reply's cookie names; a cookie of no request in flight is a protocol error. */
    private int slotOf(long cookie) throws IOException {
        int slot = (int) (cookie & SLOT_MASK);
        lock.lock();
        try {
            if (slot < depth && bios[slot] != null && !unsent[slot]
                    && generation[slot] == (int) (cookie >>> SLOT_BITS)) {
                return slot;
            }
        } finally {
            lock.unlock();
        }
        throw new IOException("protocol error: a reply for cookie " + cookie + ", which is not in flight");
    }

    /** The slot's command was answered: the next stage goes out, or the bio ends. */
    private void advance(int slot, int errno) {
        if (errno == 0) {
            lock.lock();
            boolean more;
            try {
                more = stage[slot] < lastStage[slot];
                if (more) {
                    stage[slot]++;
                    unsent[slot] = true;
                    since[slot] = System.nanoTime();
                }
            } finally {
                lock.unlock();
            }
            if (more) {
                send(slot);
                return;
            }
        }
        finish(slot, errno);
    }

    private void finish(int slot, int errno) {
        Bio bio;
        int next = -1;
        lock.lock();
        try {
            bio = release(slot);
            Bio waiting = backlog.poll();
            if (waiting != null) {
                next = take(waiting);
            } else {
                slotFreed.signal();
            }
        } finally {
            lock.unlock();
        }
        if (next >= 0) {
            send(next);
        }
        bio.complete(errno);
    }

    /** Frees a slot; under {@code lock}. */
    private Bio release(int slot) {
        Bio bio = bios[slot];
        bios[slot] = null;
        generation[slot]++;
        completedTotal++;
        unsent[slot] = false;
        freeSlots[freeCount++] = slot;
        return bio;
    }

    // ---- polling ------------------------------------------------------------------------------------------------

    /**
     * Reaps the replies that are there, on the calling thread, completing their bios here. With
     * {@link io.jiomap.api.block.BlockDevice#POLL_BLOCK} it spins until at least one bio completed, unless none is in
     * flight. Pollers take turns.
     *
     * @return how many bios completed in this call
     */
    int poll(int flags) {
        boolean block = (flags & io.jiomap.api.block.BlockDevice.POLL_BLOCK) != 0;
        if (!reapLock.tryLock()) {
            if (!block) {
                return 0;
            }
            reapLock.lock();
        }
        long before = completedTotal;
        long spinUntil = 0;
        try {
            while (true) {
                if (transmitting && !broken && rx.available()) {
                    readReply();
                    continue;
                }
                long done = completedTotal - before;
                if (done > 0 || !block || !hasInFlight()) {
                    return (int) done;
                }
                if (broken || !transmitting) {
                    // Being recovered: the recovery resends or fails the bios; wait for it without the lock.
                    reapLock.unlock();
                    try {
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                    } finally {
                        reapLock.lock();
                    }
                    continue;
                }
                // Spin a moment for a reply that is about to arrive, then sleep in the socket until one does: a
                // poller that spins longer takes the CPU the server may need.
                long now = System.nanoTime();
                if (spinUntil == 0) {
                    spinUntil = now + POLL_SPIN_NANOS;
                }
                if (now - spinUntil < 0) {
                    Thread.onSpinWait();
                } else {
                    rx.awaitBytes();
                }
            }
        } catch (IOException e) {
            markBroken(e);
            return (int) (completedTotal - before);
        } finally {
            reapLock.unlock();
        }
    }

    private boolean hasInFlight() {
        if (submittedTotal != completedTotal) {
            return true;
        }
        lock.lock();
        try {
            return !backlog.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the device's watchdog once per stall-check period: when bios were in flight at the last check and
     * none completed since, nobody is polling for them, and they are reaped here, late but never never.
     */
    void reapIfStalled() {
        boolean stalled;
        lock.lock();
        try {
            stalled = submittedAtLastCheck > completedAtLastCheck && completedTotal == completedAtLastCheck;
            submittedAtLastCheck = submittedTotal;
            completedAtLastCheck = completedTotal;
        } finally {
            lock.unlock();
        }
        if (stalled) {
            poll(0);
        }
    }

    /** A poller found the connection broken: the connection's thread takes over. */
    private void markBroken(IOException e) {
        transmitting = false;
        if (!broken) {
            breakage = e;
            broken = true;
            Thread r = reader;
            if (r != null) {
                LockSupport.unpark(r);
            }
        }
    }

    /** A poll queue's thread: sleeps until the connection breaks, then recovers it as a reader would. */
    private void recoverWhenBroken() {
        while (true) {
            while (!broken && !device.isClosed()) {
                LockSupport.park(this);
            }
            IOException cause = breakage != null ? breakage : new IOException("the device is closed");
            boolean goesOn;
            reapLock.lock();
            try {
                broken = false;
                breakage = null;
            } finally {
                reapLock.unlock();
            }
            goesOn = recover(cause);
            if (!goesOn) {
                return;
            }
        }
    }

    // ---- failures -----------------------------------------------------------------------------------------------

    /**
     * After the connection broke: fail what timed out, reconnect and resend, or give up.
     *
     * @return whether the reader goes on (reconnected)
     */
    private boolean recover(IOException cause) {
        boolean timeout = timedOut;
        timedOut = false;
        dropChannel();
        if (device.isClosed()) {
            failAll(Errno.ENODEV, true);
            return false;
        }
        String why;
        if (timeout) {
            int failed = failAll(Errno.EIO, false);
            why = "no reply from " + device.uri() + " within " + TimeUnit.NANOSECONDS.toMillis(device.timeoutNanos())
                    + " ms";
            LOG.log(System.Logger.Level.WARNING, name + ": " + why + "; " + failed + " bio(s) failed with EIO");
        } else {
            why = "the connection to " + device.uri() + " was lost (" + cause.getMessage() + ")";
            LOG.log(System.Logger.Level.WARNING, name + ": " + why);
        }
        IOException last = cause;
        for (int attempt = 1; attempt <= device.reconnectAttempts() && !device.isClosed() && !device.hasFailed();
                attempt++) {
            LockSupport.parkNanos(Math.min(TimeUnit.MILLISECONDS.toNanos(50L << Math.min(attempt - 1, 5)),
                    TimeUnit.SECONDS.toNanos(2)));
            if (device.isClosed()) {
                break;
            }
            try {
                device.checkSameExport(connect(device.config()));
                resume();
                LOG.log(System.Logger.Level.INFO, name + ": reconnected to " + device.uri() + " (attempt " + attempt
                        + ")");
                return true;
            } catch (IOException e) {
                last = e;
            }
        }
        if (device.isClosed()) {
            failAll(Errno.ENODEV, true);
            return false;
        }
        device.failed(name + ": " + why + (device.reconnectAttempts() > 0 ? "; reconnecting failed: "
                + last.getMessage() : ""));
        int failed = failAll(Errno.ENODEV, true);
        LOG.log(System.Logger.Level.WARNING, name + ": the device has failed; " + failed
                + " bio(s) failed with ENODEV, later ones will too");
        return false;
    }

    /** After a reconnect: every bio in flight goes out again on the new connection. */
    private void resume() {
        sendLock.lock();
        try {
            channel = live;
            transmitting = true;
            long now = System.nanoTime();
            lock.lock();
            try {
                for (int slot = 0; slot < depth; slot++) {
                    if (bios[slot] != null) {
                        unsent[slot] = true;
                        since[slot] = now;
                    }
                }
            } finally {
                lock.unlock();
            }
            for (int slot = 0; slot < depth; slot++) {
                sendLocked(slot);
            }
        } finally {
            sendLock.unlock();
        }
    }

    private void dropChannel() {
        transmitting = false;
        sendLock.lock();
        try {
            channel = null;
        } finally {
            sendLock.unlock();
        }
        SocketChannel ch = live;
        if (ch != null) {
            closeQuietly(ch);
        }
    }

    /**
     * Ends every bio in a slot or in the backlog with {@code errno}.
     *
     * @param forGood whether the connection is gone: later bios then fail at once
     * @return how many bios were ended
     */
    private int failAll(int errno, boolean forGood) {
        List<Bio> ended = new ArrayList<>();
        lock.lock();
        try {
            for (int slot = 0; slot < depth; slot++) {
                if (bios[slot] != null) {
                    ended.add(release(slot));
                }
            }
            ended.addAll(backlog);
            backlog.clear();
            if (forGood) {
                dead = true;
            }
            slotFreed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Bio bio : ended) {
            bio.complete(errno);
        }
        return ended.size();
    }

    // ---- the watchdog and closing -------------------------------------------------------------------------------

    /** Called by the device's watchdog: drops the connection when a request or the handshake outlasted the timeout. */
    void checkDeadlines(long now, long timeoutNanos) {
        long deadline = handshakeDeadline;
        boolean expired = deadline != 0 && now - deadline > 0;
        if (!expired && timeoutNanos > 0 && transmitting) {
            lock.lock();
            try {
                for (int slot = 0; slot < depth && !expired; slot++) {
                    expired = bios[slot] != null && !unsent[slot] && now - since[slot] > timeoutNanos;
                }
            } finally {
                lock.unlock();
            }
        }
        if (expired) {
            SocketChannel ch = live;
            if (ch != null && ch.isOpen()) {
                timedOut = deadline == 0;
                closeQuietly(ch);
                if (polled && deadline == 0) {
                    markBroken(new IOException("no reply within the timeout"));
                }
            }
        }
    }

    /** Stops the connection for the device's close: waiting submitters wake, an idle connection says goodbye. */
    void shutdown() {
        boolean idle;
        lock.lock();
        try {
            idle = freeCount == depth && backlog.isEmpty();
            slotFreed.signalAll();
        } finally {
            lock.unlock();
        }
        if (idle && sendLock.tryLock()) {
            try {
                if (channel != null) {
                    tx.clear();
                    tx.putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) CMD_DISC).putLong(0).putLong(0)
                            .putInt(0).flip();
                    Transport.writeFully(channel, tx);
                }
            } catch (IOException e) {
                // Saying goodbye is a courtesy: the socket closes below either way.
            } finally {
                sendLock.unlock();
            }
        }
        SocketChannel ch = live;
        if (ch != null) {
            closeQuietly(ch);
        }
        Thread r = reader;
        if (r != null) {
            LockSupport.unpark(r);
        }
    }

    /** Waits for the reader to end, unless the caller is the reader (a close from an end_io). */
    void awaitReader() {
        Thread r = reader;
        if (r == null || r == Thread.currentThread()) {
            return;
        }
        boolean interrupted = false;
        while (r.isAlive()) {
            try {
                r.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the socket: a connection whose reader never started, or one the failed device gives up. */
    void abandon() {
        SocketChannel ch = live;
        if (ch != null) {
            closeQuietly(ch);
        }
        if (polled && reader != null) {
            markBroken(new IOException("the device has failed"));
        }
    }

    static int errnoOf(int wireError) {
        return switch (wireError) {
            case EPERM -> Errno.EPERM;
            case ENOMEM -> Errno.ENOMEM;
            case EINVAL, EOVERFLOW -> Errno.EINVAL;
            case ENOSPC -> Errno.ENOSPC;
            case ENOTSUP -> Errno.EOPNOTSUPP;
            case ESHUTDOWN -> Errno.ESHUTDOWN;
            default -> Errno.EIO;
        };
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Closing a socket that failed already: nothing more to do.
        }
    }
}
