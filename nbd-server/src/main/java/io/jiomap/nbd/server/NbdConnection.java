package io.jiomap.nbd.server;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.CqeConsumer;
import io.jiomap.core.ring.IoRing;
import io.jiomap.device.nbd.wire.NbdWire;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * One client connection: the handshake, then the transmission phase, on one thread that is the issuer of its own
 * {@link IoRing}. The thread reads requests without blocking, prepares READ, WRITE and FLUSH into the ring, submits
 * them together, and runs the completions itself (caller completion: pure overwrites finish in this thread) before
 * it answers each request; so as many requests are in flight as the client sends, up to the slot count, and replies
 * go out in completion order. It blocks only when there is nothing to do: in the socket when nothing is in flight,
 * in the ring when the socket has nothing more.
 *
 * <p>Syscalls are paid per batch, not per request: the socket is read in large chunks into one buffer and every
 * complete request in it (header and payload) is prepared before the batch is submitted; the replies of every
 * completion reaped in one pass go out in one gathering write (reply headers packed in one buffer, read data straight
 * from the slots' buffers). A payload too large to pass through the input buffer is read straight into its slot.
 *
 * <p>TRIM, WRITE_ZEROES (fallocate punch and zero-range) and BLOCK_STATUS (the extent map) run synchronously in this
 * thread; fallocate drains the inode's direct I/O first, which caller completion cannot deadlock (deferred
 * completions are claimable).
 *
 * <p>A request the protocol lets the server refuse (an unknown command or flag, an offset out of range, a misaligned
 * or oversized request, a write to a read-only export) gets its error, a refused write's payload is skipped, and the
 * connection goes on. A request that leaves the two sides out of step (a bad magic) ends the connection after the
 * requests in flight are answered. When the client goes away, the requests in flight still finish (they may have
 * written), their replies are dropped, and only then is the ring closed.
 *
 * <p>Nothing is allocated per request on the READ/WRITE path: slots, their buffers, the byte-buffer views of them,
 * the input buffer and the reply buffers are made once (a slot's buffer on its first use). A FLUSH allocates only in
 * the filesystem's fsync.
 */
final class NbdConnection implements Runnable, CqeConsumer {
    /** Memory one connection may pin for payloads; the slot count is this over the largest payload. */
    private static final int PAYLOAD_BUDGET = 16 << 20;
    private static final int MAX_SLOTS = 64;
    private static final int MIN_SLOTS = 2;
    /** Most descriptors in one BLOCK_STATUS reply (the client asks again for the rest). */
    private static final int MAX_DESCRIPTORS = 1024;
    /** The input buffer: a batch of requests with their payloads, read in one syscall. */
    private static final int INPUT_SIZE = 256 << 10;
    /** A payload with more than this still to come goes straight into its slot instead of through the input buffer. */
    private static final int DIRECT_PAYLOAD = INPUT_SIZE / 4;
    /** Room for the reply headers of one gathering write (simple replies and read-data chunk headers). */
    private static final int REPLY_HEADERS_SIZE = 16 << 10;
    /** The longest reply header: a structured OFFSET_DATA chunk header with its offset. */
    private static final int MAX_REPLY_HEADER = NbdWire.STRUCTURED_REPLY_SIZE + 8;
    /** The alignment of payload buffers: direct I/O needs the logical block size, at most this. */
    private static final int PAYLOAD_ALIGNMENT = 4096;
    private static final int NBD_ALL_CMD_FLAGS = NbdWire.CMD_FLAG_FUA | NbdWire.CMD_FLAG_NO_HOLE
            | NbdWire.CMD_FLAG_DF | NbdWire.CMD_FLAG_REQ_ONE | NbdWire.CMD_FLAG_FAST_ZERO;

    private final SocketChannel channel;
    private final NbdExport export;
    private final OpenFile file;
    private final Consumer<NbdConnection> onClose;
    private final String peer;
    private volatile boolean stopping;
    private volatile Thread thread;

    // Negotiated.
    private boolean structured;
    private int metaContextId;
    private int flags;

    // Transmission state, touched only by the connection thread.
    private Selector selector;
    private SelectionKey key;
    private IoRing ring;
    private int slots;
    private int[] freeSlots;
    private int freeCount;
    private long[] slotCookie;
    private int[] slotCommand;
    private long[] slotOffset;
    private int[] slotLength;
    private boolean[] slotFua;
    /** Each slot's own buffer, of the advertised maximum payload, made on the slot's first use. */
    private MemorySegment[] slotBuffer;
    private ByteBuffer[] slotBufferView;
    /** The buffer the slot's current request uses: its own, or the one for a payload beyond the advertised maximum. */
    private MemorySegment[] slotIo;
    private ByteBuffer[] slotView;
    /**
     * Clients that ignore the advertised maximum (the kernel's page cache through nbdfuse sends 1 MiB) are served up to
     * {@link NbdExport#MAX_PAYLOAD_LIMIT}, one such request at a time, from this buffer; the engine splits them into
     * bios.
     */
    private MemorySegment large;
    private ByteBuffer largeView;
    private int largeSlot = -1;
    /** Bytes received and not parsed yet: {@code [inStart, in.position())}. */
    private ByteBuffer in;
    private MemorySegment inSegment;
    private int inStart;
    /**
     * Replies waiting for the next gathering write: {@code out[0..outCount)}, views of {@link #replyHeaders} and of
     * slot buffers (read data) in the order they go out. The slots whose data is referenced are freed once written.
     */
    private ByteBuffer[] out;
    private int outCount;
    private ByteBuffer replyHeaders;
    /** Views of {@link #replyHeaders}, one per run of consecutive headers in {@link #out}. */
    private ByteBuffer[] headerViews;
    private int headerViewCount;
    /** Whether {@code out[outCount - 1]} is a header view still open for more headers. */
    private boolean headerRunOpen;
    private int[] sentSlots;
    private int sentCount;
    private final ByteBuffer[] single = new ByteBuffer[1];
    /** Waits in the selector hand the ready key here rather than to the selected-key set, which allocates. */
    private final Consumer<SelectionKey> readyKey = k -> { };
    private ByteBuffer statusReply;
    private MemorySegment zeroes;
    /** The slot whose WRITE payload is being received, or -1. */
    private int payloadSlot = -1;
    /** Payload bytes of a refused WRITE still to be skipped. */
    private long discardLeft;
    /** No more requests are read: DISC, end of stream, a protocol violation or a server stop. */
    private boolean inputClosed;
    /** Replies can no longer be sent; the requests in flight are finished without them. */
    private boolean outputBroken;

    NbdConnection(SocketChannel channel, NbdExport export, String peer, Consumer<NbdConnection> onClose) {
        this.channel = channel;
        this.export = export;
        this.file = export.file();
        this.peer = peer;
        this.onClose = onClose;
    }

    String peer() {
        return peer;
    }

    /**
     * Asks the connection to end: no more requests are read, those in flight are answered, then it closes. A
     * connection still negotiating is closed at once.
     */
    void stop() {
        stopping = true;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        } else {
            closeQuietly();
        }
    }

    /** Waits for the connection thread to end. */
    void join() throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join();
        }
    }

    /** Runs the connection on a thread of its own, which {@link #join} then waits for. */
    void start(String name) {
        Thread t = new Thread(this, name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    @Override
    public void run() {
        try {
            Handshake.Result result = new Handshake(channel, export).negotiate();
            if (result != null && !stopping) {
                structured = result.structuredReplies();
                metaContextId = result.metaContextId();
                flags = export.transmissionFlags(structured);
                transmission();
            }
        } catch (IOException | RuntimeException e) {
            // A client that breaks the protocol or goes away ends only its own connection.
        } finally {
            closeQuietly();
            onClose.accept(this);
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing more can be said to this client.
        }
    }

    private void transmission() throws IOException {
        slots = Math.clamp(PAYLOAD_BUDGET / export.maxPayload(), MIN_SLOTS, MAX_SLOTS);
        freeSlots = new int[slots];
        for (int i = 0; i < slots; i++) {
            freeSlots[i] = slots - 1 - i;
        }
        freeCount = slots;
        slotCookie = new long[slots];
        slotCommand = new int[slots];
        slotOffset = new long[slots];
        slotLength = new int[slots];
        slotFua = new boolean[slots];
        slotBuffer = new MemorySegment[slots];
        slotBufferView = new ByteBuffer[slots];
        slotIo = new MemorySegment[slots];
        slotView = new ByteBuffer[slots];
        in = ByteBuffer.allocateDirect(INPUT_SIZE);
        inSegment = MemorySegment.ofBuffer(in);
        out = new ByteBuffer[2 * slots + 1];
        replyHeaders = ByteBuffer.allocateDirect(REPLY_HEADERS_SIZE);
        headerViews = new ByteBuffer[slots + 1];
        for (int i = 0; i < headerViews.length; i++) {
            headerViews[i] = replyHeaders.duplicate();
        }
        sentSlots = new int[slots];
        channel.configureBlocking(false);
        selector = Selector.open();
        try (Selector sel = selector) {
            key = channel.register(sel, SelectionKey.OP_READ);
            if (stopping) {
                return;
            }
            ring = IoRing.create(slots, CompletionMode.CALLER);
            try {
                loop();
            } finally {
                // Waits for every request still in flight: they may be writing.
                ring.close();
            }
        }
    }

    private void loop() throws IOException {
        while (true) {
            int progress = answerCompletions();
            if (stopping) {
                inputClosed = true;
            }
            if (!inputClosed) {
                progress += readRequests();
            }
            if (ring.sqReady() > 0) {
                progress += ring.submit();
                // A device that completes in the submitter has run the batch: its replies go out at once.
                progress += answerCompletions();
            }
            if (progress > 0) {
                continue;
            }
            if (ring.inFlight() > 0) {
                ring.waitCompletions(1);
            } else if (inputClosed) {
                return;
            } else {
                selector.select(readyKey);
            }
        }
    }

    /**
     * Runs what completed (the deferred completions of overwrites included), and sends the replies of all of it in one
     * write.
     *
     * @return completions and reply parts; replies sent free slots, which lets requests waiting in the input buffer in
     */
    private int answerCompletions() throws IOException {
        if (ring.inFlight() > 0) {
            ring.poll();
        }
        // CQEs that waitCompletions posted wait here even when nothing is in flight any more.
        return ring.reap(this) + flushReplies();
    }

    /**
     * Takes in what the socket holds without blocking, and prepares every complete request of it: reads in large
     * chunks until a read leaves room in the buffer (the socket is drained) or no slot is free.
     *
     * @return reads and requests done
     */
    private int readRequests() throws IOException {
        int progress = parseRequests();
        while (!inputClosed && (freeCount > 0 || payloadSlot >= 0 || discardLeft > 0)) {
            int n;
            int offered;
            if (payloadSlot >= 0 && slotView[payloadSlot].remaining() > DIRECT_PAYLOAD) {
                // parseRequests took what the buffer held: the rest of a large payload skips the copy.
                ByteBuffer view = slotView[payloadSlot];
                offered = view.remaining();
                n = receive(view);
                if (n > 0 && !view.hasRemaining()) {
                    payloadReceived();
                }
            } else {
                if (inStart == in.position()) {
                    in.clear();
                    inStart = 0;
                } else if (in.remaining() < DIRECT_PAYLOAD) {
                    compactInput();
                }
                if (!in.hasRemaining()) {
                    // Full of requests that wait for a slot.
                    return progress;
                }
                offered = in.remaining();
                n = receive(in);
            }
            if (n <= 0) {
                return endOrWait(n, progress);
            }
            progress += 1 + parseRequests();
            if (n < offered) {
                // The socket had no more; the loop comes back after the batch is submitted.
                return progress;
            }
        }
        return progress;
    }

    /**
     * Dispatches every complete request in the input buffer, copying write payloads into their slots, until the
     * buffer holds only a part of one or no slot is free.
     *
     * @return requests dispatched and payload parts taken
     */
    private int parseRequests() throws IOException {
        int progress = 0;
        while (!inputClosed) {
            int available = in.position() - inStart;
            if (discardLeft > 0) {
                int n = (int) Math.min(available, discardLeft);
                if (n == 0) {
                    return progress;
                }
                inStart += n;
                discardLeft -= n;
                progress++;
                continue;
            }
            if (payloadSlot >= 0) {
                ByteBuffer view = slotView[payloadSlot];
                int n = Math.min(available, view.remaining());
                if (n == 0) {
                    return progress;
                }
                MemorySegment.copy(inSegment, inStart, slotIo[payloadSlot], view.position(), n);
                view.position(view.position() + n);
                inStart += n;
                progress++;
                if (!view.hasRemaining()) {
                    payloadReceived();
                }
                continue;
            }
            if (available < NbdWire.REQUEST_SIZE || freeCount == 0) {
                return progress;
            }
            int at = inStart;
            inStart += NbdWire.REQUEST_SIZE;
            request(at);
            progress++;
        }
        return progress;
    }

    /** The payload of the WRITE in {@link #payloadSlot} is all in its slot: the write goes into the ring. */
    private void payloadReceived() {
        int slot = payloadSlot;
        payloadSlot = -1;
        // FUA: the direct-I/O path makes a data-sync write durable with the bio's FUA where it can.
        int rw = slotFua[slot] ? IoRing.RWF_DSYNC : 0;
        ring.prepWrite(file, slotIo[slot], 0, slotLength[slot], slotOffset[slot], rw, slot);
    }

    /** Moves the unparsed bytes to the start of the input buffer. */
    private void compactInput() {
        int left = in.position() - inStart;
        MemorySegment.copy(inSegment, inStart, inSegment, 0, left);
        in.position(left);
        inStart = 0;
    }

    /** Reads without blocking; a connection reset counts as the end of the stream. */
    private int receive(ByteBuffer b) {
        try {
            return channel.read(b);
        } catch (IOException e) {
            return -1;
        }
    }

    private int endOrWait(int n, int progress) {
        if (n < 0) {
            // The client went away, perhaps in the middle of a request: what was not received is not done.
            inputClosed = true;
            if (payloadSlot >= 0) {
                releaseSlot(payloadSlot);
                payloadSlot = -1;
            }
            return progress + 1;
        }
        return progress;
    }

    /** Decodes and dispatches the request whose header starts at {@code at} in the input buffer. */
    private void request(int at) throws IOException {
        int magic = in.getInt(at);
        int cmdFlags = Short.toUnsignedInt(in.getShort(at + 4));
        int type = Short.toUnsignedInt(in.getShort(at + 6));
        long cookie = in.getLong(at + 8);
        long offset = in.getLong(at + 16);
        long length = Integer.toUnsignedLong(in.getInt(at + 24));
        if (magic != NbdWire.REQUEST_MAGIC) {
            // The stream cannot be re-synchronised: answer what is in flight, then hang up.
            inputClosed = true;
            return;
        }
        boolean write = type == NbdWire.CMD_WRITE;
        int error = check(type, cmdFlags, offset, length);
        if (error != 0) {
            if (write) {
                discardLeft = length;
            }
            if (type == NbdWire.CMD_READ) {
                readError(cookie, error, offset, message(error, type));
            } else {
                reply(cookie, error, type);
            }
            return;
        }
        switch (type) {
            case NbdWire.CMD_READ -> {
                if (length == 0) {
                    readEmpty(cookie);
                    return;
                }
                int slot = takeSlot(cookie, type, offset, (int) length);
                ring.prepRead(file, slotIo[slot], 0, (int) length, offset, 0, slot);
            }
            case NbdWire.CMD_WRITE -> {
                if (length == 0) {
                    reply(cookie, 0, type);
                    return;
                }
                int slot = takeSlot(cookie, type, offset, (int) length);
                slotFua[slot] = (cmdFlags & NbdWire.CMD_FLAG_FUA) != 0;
                slotView[slot].clear().limit((int) length);
                payloadSlot = slot;
            }
            case NbdWire.CMD_FLUSH -> {
                int slot = takeSlot(cookie, type, 0, 0);
                ring.prepFsync(file, IoRing.RWF_DATASYNC, slot);
            }
            case NbdWire.CMD_DISC -> inputClosed = true;
            case NbdWire.CMD_TRIM, NbdWire.CMD_WRITE_ZEROES -> reply(cookie, zeroRange(type, cmdFlags, offset, length),
                    type);
            case NbdWire.CMD_CACHE -> reply(cookie, 0, type);
            case NbdWire.CMD_BLOCK_STATUS -> blockStatus(cookie, cmdFlags, offset, (int) length);
            default -> throw new IllegalStateException("unchecked command " + type);
        }
    }

    /**
     * The error the protocol asks for, or 0: unknown commands and flags, flags a command does not take or the export
     * did not offer, a range past the end (ENOSPC for what would write, EINVAL otherwise), misalignment, an oversized
     * payload, anything that writes on a read-only export.
     */
    private int check(int type, int cmdFlags, long offset, long length) {
        if (type > NbdWire.CMD_BLOCK_STATUS) {
            return NbdWire.EINVAL;
        }
        if ((cmdFlags & ~NBD_ALL_CMD_FLAGS) != 0) {
            return NbdWire.EINVAL;
        }
        if ((cmdFlags & NbdWire.CMD_FLAG_FUA) != 0 && (flags & NbdWire.TF_SEND_FUA) == 0) {
            return NbdWire.EINVAL;
        }
        int allowed = NbdWire.CMD_FLAG_FUA | switch (type) {
            case NbdWire.CMD_READ -> structured ? NbdWire.CMD_FLAG_DF : 0;
            case NbdWire.CMD_WRITE_ZEROES -> NbdWire.CMD_FLAG_NO_HOLE;
            case NbdWire.CMD_BLOCK_STATUS -> NbdWire.CMD_FLAG_REQ_ONE;
            default -> 0;
        };
        if ((cmdFlags & ~allowed) != 0) {
            return NbdWire.EINVAL;
        }
        boolean writes = type == NbdWire.CMD_WRITE || type == NbdWire.CMD_TRIM || type == NbdWire.CMD_WRITE_ZEROES;
        if (writes && export.readOnly()) {
            return NbdWire.EPERM;
        }
        if (type == NbdWire.CMD_DISC || type == NbdWire.CMD_FLUSH) {
            return 0;
        }
        if (type == NbdWire.CMD_BLOCK_STATUS && (metaContextId == 0 || length == 0)) {
            return NbdWire.EINVAL;
        }
        if ((type == NbdWire.CMD_READ || type == NbdWire.CMD_WRITE) && length > NbdExport.MAX_PAYLOAD_LIMIT) {
            return NbdWire.EINVAL;
        }
        if (offset < 0 || offset > export.size() || length > export.size() - offset) {
            return type == NbdWire.CMD_WRITE || type == NbdWire.CMD_WRITE_ZEROES ? NbdWire.ENOSPC : NbdWire.EINVAL;
        }
        if (type == NbdWire.CMD_BLOCK_STATUS || type == NbdWire.CMD_CACHE) {
            return 0;
        }
        if (offset % export.minBlock() != 0 || length % export.minBlock() != 0) {
            return NbdWire.EINVAL;
        }
        return 0;
    }

    private int takeSlot(long cookie, int type, long offset, int length) throws IOException {
        if (length > export.maxPayload()) {
            while (largeSlot >= 0) {
                // The one oversized request in flight must finish first; its reply goes out meanwhile.
                ring.submit();
                ring.waitCompletions(1);
                ring.reap(this);
                flushReplies();
            }
        }
        int slot = freeSlots[--freeCount];
        slotCookie[slot] = cookie;
        slotCommand[slot] = type;
        slotOffset[slot] = offset;
        slotLength[slot] = length;
        if (type == NbdWire.CMD_FLUSH) {
            return slot;
        }
        if (length > export.maxPayload()) {
            if (large == null) {
                largeView = payloadBuffer(NbdExport.MAX_PAYLOAD_LIMIT);
                large = MemorySegment.ofBuffer(largeView);
            }
            largeSlot = slot;
            slotIo[slot] = large;
            slotView[slot] = largeView;
        } else {
            if (slotBuffer[slot] == null) {
                slotBufferView[slot] = payloadBuffer(export.maxPayload());
                slotBuffer[slot] = MemorySegment.ofBuffer(slotBufferView[slot]);
            }
            slotIo[slot] = slotBuffer[slot];
            slotView[slot] = slotBufferView[slot];
        }
        return slot;
    }

    /**
     * A payload buffer aligned for direct I/O. A plain direct buffer, not one of the ring's arena segments: the socket
     * acquires an arena segment's scope on every read and write of it, and that allocates.
     */
    private static ByteBuffer payloadBuffer(int size) {
        return ByteBuffer.allocateDirect(size + 2 * PAYLOAD_ALIGNMENT).alignedSlice(PAYLOAD_ALIGNMENT).limit(size)
                .slice();
    }

    private void releaseSlot(int slot) {
        if (slot == largeSlot) {
            largeSlot = -1;
        }
        freeSlots[freeCount++] = slot;
    }

    /** A CQE: the request in {@code slot} finished with {@code result} (bytes, 0, or a negative errno). */
    @Override
    public void accept(long userData, long result) {
        int slot = (int) userData;
        int type = slotCommand[slot];
        long cookie = slotCookie[slot];
        boolean sent = false;
        try {
            if (type == NbdWire.CMD_READ) {
                if (result == slotLength[slot]) {
                    readData(cookie, slot);
                    // The data goes out from the slot's buffer: the slot is freed once it is written.
                    sent = true;
                } else {
                    int error = result < 0 ? wireError((int) -result) : NbdWire.EIO;
                    readError(cookie, error, slotOffset[slot], message(error, type));
                }
            } else if (type == NbdWire.CMD_WRITE) {
                reply(cookie, result == slotLength[slot] ? 0 : result < 0 ? wireError((int) -result) : NbdWire.EIO,
                        type);
            } else {
                reply(cookie, result == 0 ? 0 : wireError((int) -result), type);
            }
        } catch (IOException e) {
            outputBroken = true;
            inputClosed = true;
        } finally {
            if (!sent) {
                releaseSlot(slot);
            }
        }
    }

    /** TRIM (a hint, see {@link #trim}) and WRITE_ZEROES (zero-range, or punch without NO_HOLE). */
    private int zeroRange(int type, int cmdFlags, long offset, long length) {
        if (length == 0) {
            return 0;
        }
        Inode inode = file.inode();
        int r;
        if (type == NbdWire.CMD_TRIM) {
            r = trim(inode, offset, length);
        } else {
            boolean mayPunch = (cmdFlags & NbdWire.CMD_FLAG_NO_HOLE) == 0;
            r = mayPunch ? inode.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, offset, length)
                    : -Errno.EOPNOTSUPP;
            if (r == -Errno.EOPNOTSUPP) {
                r = inode.fallocate(Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE, offset, length);
            }
            if (r == -Errno.EOPNOTSUPP) {
                r = writeZeroes(offset, length);
            }
        }
        if (r == 0 && (cmdFlags & NbdWire.CMD_FLAG_FUA) != 0) {
            r = inode.fsync(offset, offset + length - 1, true);
        }
        return r == 0 ? 0 : wireError(-r);
    }

    /**
     * TRIM as the export carries it out ({@link NbdExport.Trim}): a file is punched through its inode, a whole device
     * gets discards over the part of the range aligned to its discard granularity (the rest is left as it is, which
     * a hint allows), without waiting for requests in flight, which the protocol leaves unordered; a mode the
     * filesystem refuses is ignored. An export that does not offer TRIM refuses it with EINVAL, as the protocol asks.
     */
    private int trim(Inode inode, long offset, long length) {
        int r = switch (export.trim()) {
            case PUNCH -> inode.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, offset, length);
            case DISCARD -> {
                BlockDevice device = file.mount().fileSystem().device();
                long granularity = device.capabilities().discard().granularity();
                long from = Math.ceilDiv(offset, granularity) * granularity;
                long to = (offset + length) / granularity * granularity;
                yield to > from ? SyncBio.discard(device, from, to - from) : 0;
            }
            case NONE -> -Errno.EINVAL;
        };
        return r == -Errno.EOPNOTSUPP ? 0 : r;
    }

    /** WRITE_ZEROES on a file whose filesystem zeroes no range itself: plain writes of zeroes. */
    private int writeZeroes(long offset, long length) {
        if (zeroes == null) {
            zeroes = ring.allocateBuffer(export.maxPayload(), 4096);
        }
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(zeroes.byteSize(), length - done);
            try {
                file.pwrite(zeroes, 0, n, offset + done);
            } catch (io.jiomap.api.JiomapException e) {
                return -e.errno();
            }
            done += n;
        }
        return 0;
    }

    /** base:allocation from the extent map: extents are data (unwritten ones read as zeros), gaps are holes. */
    private void blockStatus(long cookie, int cmdFlags, long offset, int length) throws IOException {
        long end = offset + Integer.toUnsignedLong(length);
        boolean one = (cmdFlags & NbdWire.CMD_FLAG_REQ_ONE) != 0;
        if (statusReply == null) {
            statusReply = ByteBuffer.allocateDirect(NbdWire.STRUCTURED_REPLY_SIZE + 4 + 8 * MAX_DESCRIPTORS);
        }
        ByteBuffer b = statusReply.clear();
        b.position(NbdWire.STRUCTURED_REPLY_SIZE).putInt(metaContextId);
        List<FileExtent> extents = file.fiemap(offset, end - offset);
        long pos = offset;
        int lastFlags = -1;
        for (FileExtent e : extents) {
            long s = Math.max(e.logical(), pos);
            long t = Math.min(e.logical() + e.length(), end);
            if (t <= pos) {
                continue;
            }
            if (s > pos) {
                lastFlags = descriptor(b, s - pos, NbdWire.STATE_HOLE | NbdWire.STATE_ZERO, lastFlags);
            }
            lastFlags = descriptor(b, t - s, e.has(FileExtent.UNWRITTEN) ? NbdWire.STATE_ZERO : 0, lastFlags);
            pos = t;
            if (pos >= end || (one && b.position() > NbdWire.STRUCTURED_REPLY_SIZE + 4)
                    || b.remaining() < 16) {
                break;
            }
        }
        if (pos < end && b.remaining() >= 8 && !(one && b.position() > NbdWire.STRUCTURED_REPLY_SIZE + 4)) {
            descriptor(b, end - pos, NbdWire.STATE_HOLE | NbdWire.STATE_ZERO, lastFlags);
        }
        if (one) {
            b.position(Math.min(b.position(), NbdWire.STRUCTURED_REPLY_SIZE + 12));
        }
        int payload = b.position() - NbdWire.STRUCTURED_REPLY_SIZE;
        b.putInt(0, NbdWire.STRUCTURED_REPLY_MAGIC).putShort(4, (short) NbdWire.REPLY_FLAG_DONE)
                .putShort(6, (short) NbdWire.REPLY_TYPE_BLOCK_STATUS).putLong(8, cookie).putInt(16, payload);
        b.flip();
        send(b);
    }

    /** Appends a descriptor, merging it into the previous one when the flags are the same. @return its flags */
    private static int descriptor(ByteBuffer b, long length, int flags, int lastFlags) {
        if (flags == lastFlags) {
            int at = b.position() - 8;
            b.putInt(at, (int) (Integer.toUnsignedLong(b.getInt(at)) + length));
        } else {
            b.putInt((int) length).putInt(flags);
        }
        return flags;
    }

    // --- Replies ---------------------------------------------------------------------------------------------------

    private void reply(long cookie, int error, int type) throws IOException {
        if (structured && error != 0) {
            structuredError(cookie, error, message(error, type));
            return;
        }
        replyHeader().putInt(NbdWire.SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie);
    }

    private void readData(long cookie, int slot) throws IOException {
        int length = slotLength[slot];
        ByteBuffer h = replyHeader();
        if (structured) {
            h.putInt(NbdWire.STRUCTURED_REPLY_MAGIC).putShort((short) NbdWire.REPLY_FLAG_DONE)
                    .putShort((short) NbdWire.REPLY_TYPE_OFFSET_DATA).putLong(cookie).putInt(8 + length)
                    .putLong(slotOffset[slot]);
        } else {
            h.putInt(NbdWire.SIMPLE_REPLY_MAGIC).putInt(0).putLong(cookie);
        }
        closeHeaderRun();
        out[outCount++] = slotView[slot].clear().limit(length);
        sentSlots[sentCount++] = slot;
    }

    private void readEmpty(long cookie) throws IOException {
        ByteBuffer h = replyHeader();
        if (structured) {
            h.putInt(NbdWire.STRUCTURED_REPLY_MAGIC).putShort((short) NbdWire.REPLY_FLAG_DONE)
                    .putShort((short) NbdWire.REPLY_TYPE_NONE).putLong(cookie).putInt(0);
        } else {
            h.putInt(NbdWire.SIMPLE_REPLY_MAGIC).putInt(0).putLong(cookie);
        }
    }

    /** A failed READ: a simple error without payload, or an error chunk when structured replies are on. */
    private void readError(long cookie, int error, long offset, String message) throws IOException {
        if (structured) {
            structuredError(cookie, error, message);
        } else {
            replyHeader().putInt(NbdWire.SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie);
        }
    }

    private void structuredError(long cookie, int error, String message) throws IOException {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(NbdWire.STRUCTURED_REPLY_SIZE + 6 + m.length);
        b.putInt(NbdWire.STRUCTURED_REPLY_MAGIC).putShort((short) NbdWire.REPLY_FLAG_DONE)
                .putShort((short) NbdWire.REPLY_TYPE_ERROR).putLong(cookie).putInt(6 + m.length)
                .putInt(error).putShort((short) m.length).put(m).flip();
        send(b);
    }

    private String message(int error, int type) {
        return switch (error) {
            case NbdWire.EPERM -> "the export is read-only";
            case NbdWire.ENOSPC -> "the request reaches past the end of the export (" + export.size() + " bytes)";
            case NbdWire.EINVAL -> "invalid request of type " + type + ": see the block size constraints (minimum "
                    + export.minBlock() + ", maximum payload " + export.maxPayload() + " bytes), the export size ("
                    + export.size() + " bytes) and the negotiated flags";
            case NbdWire.ESHUTDOWN -> "the export is shutting down";
            default -> "I/O error " + error;
        };
    }

    /**
     * Room for one reply header at the end of the pending replies, whose limit grows by what the caller puts there;
     * the pending replies go out first when their buffers are full.
     */
    private ByteBuffer replyHeader() throws IOException {
        if (replyHeaders.remaining() < MAX_REPLY_HEADER || outCount + 2 > out.length) {
            flushReplies();
        }
        if (!headerRunOpen) {
            ByteBuffer v = headerViews[headerViewCount++];
            v.limit(v.capacity()).position(replyHeaders.position());
            out[outCount++] = v;
            headerRunOpen = true;
        }
        return replyHeaders;
    }

    /** Ends the run of headers in {@code out[outCount - 1]} where the last header put there ends. */
    private void closeHeaderRun() {
        if (headerRunOpen) {
            out[outCount - 1].limit(replyHeaders.position());
            headerRunOpen = false;
        }
    }

    /** A reply that does not go through the pending replies (its own buffer): they go out first, then it. */
    private void send(ByteBuffer b) throws IOException {
        flushReplies();
        single[0] = b;
        write(single, 1);
    }

    /**
     * Writes the pending replies in one gathering write (more only when the socket takes less) and frees the slots
     * whose data they carried.
     *
     * @return replies and data parts written
     */
    private int flushReplies() throws IOException {
        if (outCount == 0) {
            return 0;
        }
        closeHeaderRun();
        int n = outCount;
        write(out, outCount);
        for (int i = 0; i < outCount; i++) {
            out[i] = null;
        }
        outCount = 0;
        headerViewCount = 0;
        headerRunOpen = false;
        replyHeaders.clear();
        for (int i = 0; i < sentCount; i++) {
            releaseSlot(sentSlots[i]);
        }
        sentCount = 0;
        return n;
    }

    /** Writes the whole of {@code parts[0..count)}; a client slow to read makes this thread wait for room. */
    private void write(ByteBuffer[] parts, int count) throws IOException {
        if (outputBroken) {
            return;
        }
        try {
            while (parts[count - 1].hasRemaining()) {
                if (channel.write(parts, 0, count) == 0) {
                    key.interestOps(SelectionKey.OP_WRITE);
                    int ready = selector.select(readyKey, 1000);
                    key.interestOps(SelectionKey.OP_READ);
                    if (ready == 0 && stopping) {
                        throw new IOException("the client takes no replies while the export stops");
                    }
                }
            }
        } catch (IOException e) {
            outputBroken = true;
            inputClosed = true;
        }
    }

    /** The NBD error for an engine errno: the protocol's few values, EIO for the rest. */
    static int wireError(int errno) {
        return switch (errno) {
            case Errno.EPERM, Errno.EROFS -> NbdWire.EPERM;
            case Errno.ENOMEM -> NbdWire.ENOMEM;
            case Errno.EINVAL -> NbdWire.EINVAL;
            case Errno.ENOSPC, Errno.EFBIG -> NbdWire.ENOSPC;
            case Errno.EOPNOTSUPP -> NbdWire.ENOTSUP;
            case Errno.ESHUTDOWN, Errno.ENODEV -> NbdWire.ESHUTDOWN;
            default -> NbdWire.EIO;
        };
    }
}
