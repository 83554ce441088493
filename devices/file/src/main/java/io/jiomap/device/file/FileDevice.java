package io.jiomap.device.file;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.device.model.Quantity;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A block device backed by a real file or block device, opened with O_DIRECT, so every bio is one direct I/O of the
 * kernel: what a jiomap filesystem writes lands on the disk under it, not in a model.
 *
 * <p>Engines (the {@code engine} option, and the name says which one runs, e.g. {@code file0 (io_uring)} or
 * {@code file0 (threads: io_uring_setup failed: EPERM)}):
 * <ul>
 *   <li>io_uring through the FFM API ({@link UringEngine}): the file opened with libc {@code open(O_DIRECT)},
 *       registered with the ring, one ring thread submitting and completing.</li>
 *   <li>threads ({@link ThreadsEngine}): a FileChannel with ExtendedOpenOption.DIRECT on a small pool, where io_uring
 *       cannot be set up (ENOSYS, EPERM from {@code kernel.io_uring_disabled} or a seccomp filter, another
 *       architecture) or when asked for.</li>
 * </ul>
 *
 * <p>Capabilities map the kernel's direct-I/O rules and cache semantics onto the block device model:
 * <ul>
 *   <li>logical block size = the O_DIRECT offset alignment ({@code stx_dio_offset_align}, at least 512); DMA
 *       alignment = the memory alignment ({@code stx_dio_mem_align}). The threads engine uses at least the
 *       filesystem block size for both, because the JDK's FileChannel checks DIRECT I/O against it.</li>
 *   <li>volatile write cache = on: a completed O_DIRECT write may still sit in the disk's cache (and the file's
 *       metadata in the filesystem's journal), so durability needs a flush, which is fdatasync
 *       (IORING_OP_FSYNC with IORING_FSYNC_DATASYNC, or {@code force(false)}).</li>
 *   <li>FUA = on, expressed as RWF_DSYNC on the write (or write then {@code force(false)}): the kernel makes that
 *       write durable before completing it, by FUA or by a cache flush, whichever the disk supports.</li>
 *   <li>queue depth = the ring's entries; max transfer = the {@code max-transfer} option.</li>
 *   <li>discard (io_uring engine only, where the file's filesystem can punch holes, or on a block device): a DISCARD
 *       is {@code fallocate(PUNCH_HOLE | KEEP_SIZE)} over its range (IORING_OP_FALLOCATE), in units of the logical
 *       block, up to {@link #MAX_DISCARD} bytes; the range then reads as zeros. The threads engine has no file
 *       descriptor to punch through and reports no discard support.</li>
 * </ul>
 * A power cut cannot be simulated on a real file, so this device does not offer
 * {@link io.jiomap.api.block.SimulatesPowerLoss}.
 *
 * <p>Polling (io_uring engine only): a {@link Bio#POLLED} read or write goes to a second io_uring instance that no
 * thread reaps ({@link PollRing}); its submitter polls it with {@link #poll}, without blocking or blocking in
 * io_uring_enter like fio, so its completion costs the issuer's one wake-up instead of the ring thread's plus the
 * hand-off to the issuer. The threads engine cannot poll: its capabilities say so and it clears POLLED.
 *
 * <p>Every bio is checked on submission and completed, never thrown at: misaligned address, length or memory, an
 * empty bio or one longer than {@code max-transfer} end with EINVAL; a range past the end with EIO; memory that is
 * too small, read-only for a read, freed, or on the Java heap (io_uring needs a stable native address) with EFAULT; a
 * closed device with ENODEV; a full queue under {@link Bio#NOWAIT} with EAGAIN.
 */
public final class FileDevice implements BlockDevice {
    /** The largest discard bio: 1 GiB, a multiple of every logical block size. */
    static final int MAX_DISCARD = 1 << 30;
    private static final AtomicInteger NEXT_NUMBER = new AtomicInteger();
    private static final VarHandle CLOSE_REPORTED;

    static {
        try {
            CLOSE_REPORTED = MethodHandles.lookup().findVarHandle(FileDevice.class, "closeReported", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final String engineLabel;
    private final FileTarget target;
    private final DeviceCapabilities capabilities;
    private final long capacity;
    private final long blockMask;
    private final long memoryMask;
    private final int maxTransfer;
    private final boolean needsNativeMemory;
    private final Engine engine;
    private final Consumer<FileDevice> onClosed;
    private volatile boolean closed;
    @SuppressWarnings("unused") // accessed through CLOSE_REPORTED
    private volatile boolean closeReported;

    private FileDevice(String shortName, String engineLabel, FileTarget target, DeviceCapabilities capabilities,
                       Engine engine, boolean needsNativeMemory, Consumer<FileDevice> onClosed) {
        this.name = shortName + " (" + engineLabel + ")";
        this.engineLabel = engineLabel;
        this.target = target;
        this.capabilities = capabilities;
        this.capacity = capabilities.capacityBytes();
        this.blockMask = capabilities.logicalBlockSize() - 1;
        this.memoryMask = capabilities.dmaAlignment() - 1;
        this.maxTransfer = capabilities.maxTransferBytes();
        this.engine = engine;
        this.needsNativeMemory = needsNativeMemory;
        this.onClosed = onClosed;
    }

    /**
     * Opens the device as {@code config} says.
     *
     * @throws JiomapException ENOENT, EINVAL naming the option, the errno of open(2), or (with {@code engine=io_uring})
     *                         the errno io_uring_setup failed with
     */
    static FileDevice open(FileDeviceConfig config, Consumer<FileDevice> onClosed) throws JiomapException {
        FileTarget target = FileTarget.prepare(config);
        String shortName = "file" + NEXT_NUMBER.getAndIncrement();
        String fallbackReason = null;
        if (config.engine() != EngineChoice.THREADS) {
            try {
                return openWithIoUring(config, target, shortName, onClosed);
            } catch (IoUring.SetupException e) {
                fallbackReason = IoUringSupport.describe(e);
                if (config.engine() == EngineChoice.IO_URING) {
                    throw new JiomapException(e.errno(), "file device option engine=io_uring: " + fallbackReason
                            + "; use engine=threads or engine=auto");
                }
            }
        }
        return openWithThreads(config, target, shortName,
                fallbackReason == null ? "threads" : "threads: " + fallbackReason, onClosed);
    }

    private static FileDevice openWithIoUring(FileDeviceConfig config, FileTarget target, String shortName,
                                              Consumer<FileDevice> onClosed)
            throws JiomapException, IoUring.SetupException {
        IoUringSupport.checkPlatform();
        String path = target.path().toString();
        int fd = Libc.open(path, Libc.O_RDWR | Libc.O_DIRECT | Libc.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new JiomapException(-fd, "open " + path + " with O_DIRECT");
        }
        UringEngine engine;
        try {
            engine = UringEngine.start("jiomap-" + shortName + "-ring", fd, config.queueDepth());
        } catch (IoUring.SetupException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        try {
            DeviceCapabilities caps = capabilities(config, target, target.offsetAlign(), target.memoryAlign(),
                    engine.entries(), true);
            if (canPunch(fd, target)) {
                caps = caps.withDiscard(new DeviceCapabilities.Discard(caps.logicalBlockSize(), MAX_DISCARD, true));
            }
            return new FileDevice(shortName, "io_uring", target, caps, engine, true, onClosed);
        } catch (JiomapException | RuntimeException e) {
            engine.shutdown();
            throw e;
        }
    }

    /**
     * Whether the file can have holes punched: always on a block device (the kernel zeroes or discards), on a regular
     * file when a punch past its end (which changes nothing, with KEEP_SIZE) is not refused with EOPNOTSUPP.
     */
    private static boolean canPunch(int fd, FileTarget target) {
        if (target.blockDevice()) {
            return true;
        }
        long beyond = (target.sizeBytes() + (1 << 20)) & -(1L << 20);
        return Libc.fallocate(fd, Libc.FALLOC_PUNCH_HOLE | Libc.FALLOC_KEEP_SIZE, beyond, 4096) == 0;
    }

    private static FileDevice openWithThreads(FileDeviceConfig config, FileTarget target, String shortName,
                                              String label, Consumer<FileDevice> onClosed) throws JiomapException {
        OpenOption direct = directOpenOption();
        // FileChannel checks DIRECT transfers against the filesystem block size, which may exceed what the kernel
        // itself needs; the device advertises the stricter of the two so the core never sends what the JDK refuses.
        int jdkAlign = FileTarget.fileStoreBlockSize(target.path());
        int offsetAlign = Math.max(target.offsetAlign(), jdkAlign);
        DeviceCapabilities caps = capabilities(config, target, offsetAlign, Math.max(target.memoryAlign(), jdkAlign),
                config.queueDepth(), false);
        FileChannel channel;
        try {
            channel = FileChannel.open(target.path(), StandardOpenOption.READ, StandardOpenOption.WRITE, direct);
        } catch (IOException e) {
            throw new JiomapException(Errno.EIO, "open " + target.path() + " with ExtendedOpenOption.DIRECT: "
                    + e.getMessage(), e);
        }
        // Blocking I/O keeps one transfer per thread in flight, so the pool bounds the effective queue depth; eight
        // threads cover the depths the benchmarks use without a thread per slot of a deep queue.
        int threads = Math.min(config.queueDepth(), 8);
        ThreadsEngine engine = new ThreadsEngine(shortName, channel, config.queueDepth(), threads);
        return new FileDevice(shortName, label, target, caps, engine, false, onClosed);
    }

    private static DeviceCapabilities capabilities(FileDeviceConfig config, FileTarget target, int offsetAlign,
                                                   int memoryAlign, int queueDepth, boolean polling)
            throws JiomapException {
        int lbs = Math.max(512, offsetAlign);
        if (Integer.bitCount(lbs) != 1) {
            throw new JiomapException(Errno.EINVAL, target.path() + ": direct-I/O alignment " + lbs
                    + " is not a power of two");
        }
        long size = config.sizeBytes() > 0 && !target.blockDevice()
                ? Math.min(config.sizeBytes(), target.sizeBytes()) : target.sizeBytes();
        if (size == 0) {
            throw new JiomapException(Errno.EINVAL, "file device path " + target.path()
                    + " is empty; give size= to extend it, e.g. size=1g");
        }
        if (size % lbs != 0) {
            throw new JiomapException(Errno.EINVAL, "file device path " + target.path() + " has " + size
                    + " bytes, not a multiple of its direct-I/O alignment " + lbs + " (" + target.alignSource()
                    + "); give size= as a multiple of " + lbs);
        }
        int maxTransfer = config.maxTransferBytes();
        if (maxTransfer % lbs != 0) {
            throw config.options().invalid(FileDeviceConfig.MAX_TRANSFER, Quantity.formatBytes(maxTransfer),
                    "a multiple of the direct-I/O alignment " + lbs);
        }
        int pbs = Math.max(lbs, Integer.bitCount(target.fsBlockSize()) == 1 ? target.fsBlockSize() : lbs);
        int dma = Integer.bitCount(memoryAlign) == 1 ? memoryAlign : lbs;
        return new DeviceCapabilities(lbs, pbs, size, maxTransfer, dma, 1, queueDepth, true, true, polling);
    }

    /**
     * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT}, looked up by name as Lucene's DirectIODirectory does: a
     * compile-time reference to the jdk.unsupported class makes javac warn about internal API (JDK-8259039).
     */
    private static OpenOption directOpenOption() throws JiomapException {
        try {
            return (OpenOption) Class.forName("com.sun.nio.file.ExtendedOpenOption").getField("DIRECT").get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new JiomapException(Errno.EOPNOTSUPP, "this JDK has no com.sun.nio.file.ExtendedOpenOption.DIRECT"
                    + " (module jdk.unsupported), so the threads engine cannot open files with O_DIRECT", e);
        }
    }

    /** The device name with its engine, e.g. {@code file0 (io_uring)}. */
    @Override
    public String name() {
        return name;
    }

    /** {@code io_uring}, or {@code threads} with the reason io_uring was not used. */
    public String engine() {
        return engineLabel;
    }

    @Override
    public DeviceCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public void submit(Bio bio) {
        if (closed) {
            bio.complete(Errno.ENODEV);
            return;
        }
        int errno = check(bio);
        if (errno != 0) {
            bio.complete(errno);
            return;
        }
        if (bio.hasFlag(Bio.POLLED)) {
            if (engine instanceof UringEngine uring && (bio.op() == BioOp.READ || bio.op() == BioOp.WRITE)
                    && !bio.hasFlag(Bio.PREFLUSH)) {
                uring.submitPolled(bio, this);
                return;
            }
            // The threads engine cannot poll, and a flush, a discard or a PREFLUSH write goes through the ring thread:
            // REQ_POLLED is cleared and the bio completes by "interrupt" (the ring thread).
            bio.setFlags(bio.flags() & ~Bio.POLLED);
        }
        engine.submit(bio);
    }

    /**
     * Reaps the poll ring on the calling thread (io_uring engine; see {@link PollRing}): completions of POLLED bios
     * run here. With {@link #POLL_BLOCK} it waits in io_uring_enter for one.
     */
    @Override
    public int poll(Bio bio, int flags) {
        if (bio.pollDevice() != this || !(engine instanceof UringEngine uring)) {
            return 0;
        }
        return uring.poll(flags);
    }

    /** The errno a bio fails its checks with, or 0. */
    private int check(Bio bio) {
        BioOp op = bio.op();
        if (op == BioOp.FLUSH) {
            return 0;
        }
        long address = bio.address();
        int length = bio.length();
        if (op == BioOp.DISCARD) {
            DeviceCapabilities.Discard d = capabilities.discard();
            if (!d.supported()) {
                return Errno.EOPNOTSUPP;
            }
            if (length <= 0 || length > d.maxBytes() || ((address | length) & (d.granularity() - 1)) != 0) {
                return Errno.EINVAL;
            }
            return address < 0 || address > capacity - length ? Errno.EIO : 0;
        }
        if (length <= 0 || ((address | length) & blockMask) != 0 || length > maxTransfer) {
            return Errno.EINVAL;
        }
        if (address < 0 || address > capacity - length) {
            return Errno.EIO;
        }
        MemorySegment segment = bio.segment();
        long offset = bio.segmentOffset();
        if (offset < 0 || offset > segment.byteSize() - length || (op == BioOp.READ && segment.isReadOnly())
                || !segment.scope().isAlive()) {
            return Errno.EFAULT;
        }
        if (segment.isNative()) {
            if (((segment.address() + offset) & memoryMask) != 0) {
                return Errno.EINVAL;
            }
        } else if (needsNativeMemory) {
            return Errno.EFAULT;
        }
        return 0;
    }

    /**
     * Registers memory regions with io_uring (IORING_REGISTER_BUFFERS): bios inside them then use READ_FIXED and
     * WRITE_FIXED. Once per device; the regions must stay allocated until the device is closed.
     *
     * @return 0, -EOPNOTSUPP on the threads engine, -EBUSY if already done, or the errno of the registration
     */
    public int registerBuffers(MemorySegment... regions) {
        if (!(engine instanceof UringEngine uring)) {
            return -Errno.EOPNOTSUPP;
        }
        return uring.registerBuffers(regions);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the device: later bios fail with ENODEV, bios not yet started end with ENODEV, bios the kernel is
     * transferring finish, the engine's threads end and the file is closed before this returns. Idempotent; from a
     * completion callback it cannot wait for its own thread, which finishes the close right after.
     */
    @Override
    public void close() {
        closed = true;
        engine.shutdown();
        if (CLOSE_REPORTED.compareAndSet(this, false, true)) {
            onClosed.accept(this);
        }
    }

    /** The path the device was opened on. */
    public Path path() {
        return target.path();
    }

    /** The engine's threads. */
    List<Thread> threads() {
        return engine.threads();
    }

    /** Where the alignment came from (statx, BLKSSZGET or the filesystem block size). */
    String alignmentSource() {
        return target.alignSource();
    }

    @Override
    public String toString() {
        return name + " on " + target.path() + " (" + Quantity.formatBytes(capacity) + ")";
    }
}
