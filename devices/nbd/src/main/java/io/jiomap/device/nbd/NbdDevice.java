package io.jiomap.device.nbd;

import static io.jiomap.device.nbd.wire.NbdWire.*;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.device.model.BioChecks;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A block device served by an NBD server: one connection per hardware queue (several only where the server sets
 * CAN_MULTI_CONN, so that a flush on one covers writes answered on any), each with its reader thread, plus a watchdog
 * that enforces the timeout.
 *
 * <p>How the export's properties become capabilities: the minimum block size (at least 512) is the logical block
 * size, the preferred block size the physical one, the maximum payload the largest bio; SEND_FLUSH is a volatile
 * write cache, SEND_FUA is FUA; READ_ONLY makes every write and discard fail with EROFS. SEND_TRIM on a writable export
 * is discard support: a DISCARD bio becomes one NBD_CMD_TRIM, in units of the minimum block size, up to
 * {@link #MAX_TRIM} bytes, and the range reads back as undefined content (the protocol lets a server ignore a trim,
 * so the device does not promise zeros). SEND_WRITE_ZEROES lets a write of zeros
 * travel without payload ({@code detect-zeroes=on}). A FLUSH on a server without SEND_FLUSH completes at once: its
 * writes are stable when answered.
 */
final class NbdDevice implements BlockDevice {
    private static final System.Logger LOG = System.getLogger("io.jiomap.device.nbd");
    private static final AtomicInteger NEXT_NUMBER = new AtomicInteger();
    private static final int ZEROES_LENGTH = 64 << 10;
    /** The largest trim one bio asks for: 1 GiB, far below the protocol's 32-bit length. */
    static final int MAX_TRIM = 1 << 30;
    /** How often the watchdog reaps what nobody polls for: far above any poller's reaction, so it never races one. */
    private static final long STALL_CHECK_NANOS = 200_000_000L;
    private static final MemorySegment ZEROES = Arena.global().allocate(ZEROES_LENGTH);

    private final String name;
    private final NbdConfig config;
    private final Consumer<NbdDevice> onClosed;
    /** Every connection made so far, for the watchdog (handshakes included). */
    private final Connection[] connections;
    /** The connections in use, one per hardware queue, whose reader threads complete the bios. */
    private Connection[] queues;
    /** The connections whose replies the submitters poll for (the {@link Bio#pollCookie()} is the index). */
    private Connection[] pollQueues = new Connection[0];
    private final Thread watchdog;
    private ExportInfo export;
    private DeviceCapabilities capabilities;
    private BioChecks checks;
    private boolean readOnly;
    private boolean flushes;
    private boolean fua;
    private boolean zeroesWithoutPayload;
    private int nextQueue;
    private int nextPollQueue;
    private volatile boolean closed;
    private volatile String failure;

    private NbdDevice(NbdConfig config, Consumer<NbdDevice> onClosed) {
        this.name = "nbd" + NEXT_NUMBER.getAndIncrement();
        this.config = config;
        this.onClosed = onClosed;
        this.connections = new Connection[config.connections() + config.pollQueues()];
        this.watchdog = Thread.ofPlatform().daemon().name("jiomap-" + name + "-watchdog").unstarted(this::watch);
    }

    /**
     * Connects, negotiates the export and starts the connections.
     *
     * @throws JiomapException the handshake's refusal (ENOENT for an unknown export, ...), EIO when the server cannot
     *                         be reached, EINVAL when the export's geometry and the options disagree
     */
    static NbdDevice open(NbdConfig config, Consumer<NbdDevice> onClosed) throws JiomapException {
        NbdDevice device = new NbdDevice(config, onClosed);
        device.watchdog.start();
        try {
            device.connectAll();
            return device;
        } catch (JiomapException | RuntimeException e) {
            device.closed = true;
            for (Connection c : device.connections) {
                if (c != null) {
                    c.abandon();
                }
            }
            LockSupport.unpark(device.watchdog);
            joinQuietly(device.watchdog);
            throw e;
        }
    }

    private void connectAll() throws JiomapException {
        Connection first = new Connection(this, name + " queue 0", config.queueDepth(), false);
        connections[0] = first;
        export = connectOrExplain(first);
        configure(export);
        boolean multiConn = export.has(TF_CAN_MULTI_CONN);
        int count = multiConn ? config.connections() : 1;
        int polled = multiConn ? config.pollQueues() : 0;
        if (!multiConn && config.connections() + config.pollQueues() > 1) {
            LOG.log(System.Logger.Level.INFO, name + ": " + config.uri() + " does not set CAN_MULTI_CONN, so one"
                    + " connection instead of " + config.connections() + " and no poll queues (a flush on one"
                    + " connection would not cover writes answered on another)");
        }
        for (int i = 1; i < count + polled; i++) {
            connections[i] = i < count ? new Connection(this, name + " queue " + i, config.queueDepth(), false)
                    : new Connection(this, name + " poll queue " + (i - count), config.queueDepth(), true);
            try {
                checkSameExport(connectOrExplain(connections[i]));
            } catch (IOException e) {
                throw new JiomapException(Errno.EIO, e.getMessage());
            }
        }
        queues = Arrays.copyOf(connections, count);
        pollQueues = Arrays.copyOfRange(connections, count, count + polled);
        capabilities = new DeviceCapabilities(capabilities.logicalBlockSize(), capabilities.physicalBlockSize(),
                capabilities.capacityBytes(), capabilities.maxTransferBytes(), capabilities.dmaAlignment(), count,
                capabilities.queueDepth(), capabilities.volatileWriteCache(), capabilities.fua(), polled > 0,
                capabilities.discard());
        Thread.Builder threads = Thread.ofPlatform().daemon();
        for (int i = 0; i < count + polled; i++) {
            connections[i].start(threads);
        }
        LOG.log(System.Logger.Level.DEBUG, () -> name + ": " + describe());
    }

    private ExportInfo connectOrExplain(Connection connection) throws JiomapException {
        try {
            return connection.connect(config);
        } catch (JiomapException e) {
            throw e;
        } catch (IOException e) {
            throw new JiomapException(Errno.EIO, "cannot connect to the NBD server at " + config.uri() + ": "
                    + e.getMessage(), e);
        }
    }

    private void configure(ExportInfo info) throws JiomapException {
        int minimum = info.minimumBlock();
        int lbs = Math.max(512, minimum);
        if (Integer.bitCount(lbs) != 1 || lbs > 64 << 10) {
            throw new JiomapException(Errno.EINVAL, "the NBD server at " + config.uri() + " names a minimum block size"
                    + " of " + minimum + " bytes; a power of two up to 64k is needed");
        }
        int preferred = info.preferredBlock();
        int physical = Integer.bitCount(preferred) == 1 && preferred > lbs ? preferred : lbs;
        long capacity = info.size() - info.size() % lbs;
        if (capacity <= 0) {
            throw new JiomapException(Errno.EINVAL, "the export at " + config.uri() + " has " + info.size()
                    + " bytes, less than one block of " + lbs);
        }
        int serverMax = Math.min(info.maximumPayload() <= 0 ? ExportInfo.DEFAULT_MAXIMUM : info.maximumPayload(),
                NbdConfig.MAX_TRANSFER_LIMIT);
        serverMax -= serverMax % lbs;
        if (serverMax < lbs) {
            throw new JiomapException(Errno.EINVAL, "the NBD server at " + config.uri() + " takes at most "
                    + info.maximumPayload() + " bytes per request, less than one block of " + lbs);
        }
        int maxTransfer = serverMax;
        if (config.maxTransferBytes() != 0) {
            maxTransfer = config.maxTransferBytes();
            if (maxTransfer > serverMax || maxTransfer % lbs != 0) {
                throw new JiomapException(Errno.EINVAL, "nbd device option max-transfer=" + maxTransfer + " is not"
                        + " allowed: the server at " + config.uri() + " takes multiples of " + lbs + " up to "
                        + serverMax + " bytes");
            }
        }
        readOnly = info.has(TF_READ_ONLY);
        flushes = info.has(TF_SEND_FLUSH);
        fua = flushes && info.has(TF_SEND_FUA);
        zeroesWithoutPayload = config.detectZeroes() && info.has(TF_SEND_WRITE_ZEROES);
        DeviceCapabilities.Discard discard = info.has(TF_SEND_TRIM) && !readOnly
                ? new DeviceCapabilities.Discard(lbs, MAX_TRIM - MAX_TRIM % lbs, false)
                : DeviceCapabilities.Discard.NONE;
        capabilities = new DeviceCapabilities(lbs, physical, capacity, maxTransfer, 512, 1, config.queueDepth(),
                flushes, fua, false, discard);
        checks = new BioChecks(capacity, lbs, maxTransfer, discard);
    }

    /** A reconnect or a second connection must find the export it was opened on. */
    void checkSameExport(ExportInfo info) throws IOException {
        if (info.size() != export.size() || (info.flags() & ~TF_ROTATIONAL) != (export.flags() & ~TF_ROTATIONAL)) {
            throw new IOException("the export changed: now " + info.size() + " bytes with flags ["
                    + info.describeFlags() + "], opened as " + export.size() + " bytes with flags ["
                    + export.describeFlags() + "]");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceCapabilities capabilities() {
        return capabilities;
    }

    /** One line for listings: where, how big, what the server offers, how it is used. */
    String describe() {
        return config.uri() + ": " + export.size() + " bytes, flags [" + export.describeFlags() + "], block sizes "
                + export.minimumBlock() + "/" + export.preferredBlock() + "/" + export.maximumPayload() + ", "
                + (export.structuredReplies() ? "structured replies" : "simple replies") + ", "
                + (export.negotiatedByGo() ? "NBD_OPT_GO" : "NBD_OPT_EXPORT_NAME") + ", " + queues.length
                + " connection(s) and " + pollQueues.length + " poll queue(s) of depth " + config.queueDepth();
    }

    @Override
    public void submit(Bio bio) {
        if (!checks.admit(bio, closed)) {
            return;
        }
        BioOp op = bio.op();
        if ((op == BioOp.WRITE || op == BioOp.DISCARD) && readOnly) {
            bio.complete(Errno.EROFS);
            return;
        }
        if (op == BioOp.FLUSH && !flushes) {
            bio.complete(0);
            return;
        }
        if (bio.hasFlag(Bio.POLLED)) {
            Connection[] pqs = pollQueues;
            if (pqs.length > 0 && op != BioOp.FLUSH) {
                int cookie = pqs.length == 1 ? 0 : (nextPollQueue++ & Integer.MAX_VALUE) % pqs.length;
                bio.setPollQueue(this, cookie);
                pqs[cookie].submit(bio);
                return;
            }
            // No poll queue for it: the bio completes by interrupt, as the kernel does without poll queues.
            bio.setFlags(bio.flags() & ~Bio.POLLED);
        }
        Connection[] qs = queues;
        Connection q = qs.length == 1 ? qs[0] : qs[(nextQueue++ & Integer.MAX_VALUE) % qs.length];
        q.submit(bio);
    }

    @Override
    public int poll(Bio bio, int flags) {
        int cookie = bio.pollCookie();
        Connection[] pqs = pollQueues;
        return cookie < 0 || cookie >= pqs.length ? 0 : pqs[cookie].poll(flags);
    }

    /** The command that carries a bio's data stage. */
    short dataCommand(Bio bio) {
        return switch (bio.op()) {
            case READ -> (short) CMD_READ;
            case FLUSH -> (short) CMD_FLUSH;
            case DISCARD -> (short) CMD_TRIM;
            case WRITE -> (short) (zeroesWithoutPayload && allZero(bio) ? CMD_WRITE_ZEROES : CMD_WRITE);
        };
    }

    private static boolean allZero(Bio bio) {
        MemorySegment segment = bio.segment();
        long at = bio.segmentOffset();
        long left = bio.length();
        while (left > 0) {
            int n = (int) Math.min(left, ZEROES_LENGTH);
            if (MemorySegment.mismatch(segment, at, at + n, ZEROES, 0, n) >= 0) {
                return false;
            }
            at += n;
            left -= n;
        }
        return true;
    }

    boolean flushes() {
        return flushes;
    }

    boolean fua() {
        return fua;
    }

    NbdConfig config() {
        return config;
    }

    NbdUri uri() {
        return config.uri();
    }

    long timeoutNanos() {
        return config.timeoutNanos();
    }

    int reconnectAttempts() {
        return config.reconnect();
    }

    boolean hasFailed() {
        return failure != null;
    }

    /** Why the device failed, or null while it works. */
    String failure() {
        return failure;
    }

    /** A connection is gone for good: the device fails, and so do the other connections. */
    void failed(String why) {
        if (failure == null) {
            failure = why;
        }
        for (Connection c : connections) {
            if (c != null) {
                c.abandon();
            }
        }
    }

    private void watch() {
        long timeout = config.timeoutNanos();
        long period = timeout == 0 ? TimeUnit.MILLISECONDS.toNanos(250)
                : Math.clamp(timeout / 8, TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(1));
        if (config.pollQueues() > 0) {
            period = Math.min(period, STALL_CHECK_NANOS);
        }
        while (!closed) {
            LockSupport.parkNanos(this, period);
            long now = System.nanoTime();
            for (Connection c : connections) {
                if (c != null) {
                    c.checkDeadlines(now, timeout);
                }
            }
            for (Connection c : pollQueues) {
                c.reapIfStalled();
            }
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Connection[] all = Arrays.copyOf(queues, queues.length + pollQueues.length);
        System.arraycopy(pollQueues, 0, all, queues.length, pollQueues.length);
        for (Connection c : all) {
            c.shutdown();
        }
        LockSupport.unpark(watchdog);
        for (Connection c : all) {
            c.awaitReader();
        }
        joinQuietly(watchdog);
        onClosed.accept(this);
    }

    private static void joinQuietly(Thread thread) {
        if (thread == Thread.currentThread()) {
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

    @Override
    public String toString() {
        return name + " (" + config.uri() + ")";
    }
}
