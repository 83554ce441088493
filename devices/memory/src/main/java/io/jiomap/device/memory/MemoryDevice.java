package io.jiomap.device.memory;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.SimulatesPowerLoss;
import io.jiomap.device.model.BioChecks;
import io.jiomap.device.model.HardwareQueue;
import io.jiomap.device.model.Media;
import io.jiomap.device.model.MemoryBacking;
import io.jiomap.device.model.Quantity;
import io.jiomap.device.model.ServiceTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An in-memory block device, jiomap's zero-latency reference device (the counterpart of Linux's null_blk with
 * {@code memory_backed=1}).
 *
 * <p>Storage is the device model's off-heap, sparse {@link MemoryBacking}: a device far larger than RAM works as long
 * as what is written fits. Its extents are native memory, outside the Java heap and its limits (not counted against
 * {@code -Xmx} nor {@code -XX:MaxDirectMemorySize}); a write whose extent cannot be allocated fails with ENOMEM.
 *
 * <p>Every bio is checked on submission and completed, never thrown at ({@link BioChecks}: EINVAL, EIO, EFAULT,
 * ENODEV); a full queue under {@link Bio#NOWAIT} ends it with EAGAIN. A bio refused on submission completes in the
 * submitter's thread before {@code submit} returns, like a bio the kernel's block layer ends before it reaches the
 * driver.
 *
 * <p>With {@code completion=thread} or {@code delay} bios go through the device model's {@link HardwareQueue}: one
 * queue with its "interrupt" thread; the delay is its service time (latency, the same for a FLUSH, no bandwidth), so
 * each bio completes no earlier than the delay after it was queued, in queue order. {@code completion=submitter} has no
 * queue: see {@link SubmitterDispatcher}.
 *
 * <p>{@code queue-depth} bounds the bios between submission and the end of their data movement; a bio's slot frees
 * just before its completion callback runs, so a callback that submits again finds room.
 *
 * <p>Bios execute in the device model's {@link Media}, so the volatile write cache ({@code vwc=on}, with FUA honoured
 * unless {@code fua=off}) is the one every modelled device has (docs/devices.md, "Write cache, FUA and flush").
 * {@link #powerCut()} drops what is not durable, so crash-consistency tests can check exactly what an fsync promised.
 * Without the cache every completed write is durable, FUA and PREFLUSH do nothing, and {@link #powerCut()} loses
 * nothing.
 *
 * <p>The hot path takes no lock in the default modes, allocates nothing per bio and builds no strings.
 */
public final class MemoryDevice implements BlockDevice, SimulatesPowerLoss {
    private static final AtomicInteger NEXT_NUMBER = new AtomicInteger();
    private static final VarHandle CLOSE_REPORTED;

    static {
        try {
            CLOSE_REPORTED = MethodHandles.lookup().findVarHandle(MemoryDevice.class, "closeReported", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final DeviceCapabilities capabilities;
    private final long capacity;
    private final BioChecks checks;
    private final MemoryBacking backing;
    private final Media media;
    /** Exactly one of these two is set, by the completion mode. */
    private final HardwareQueue queue;
    private final SubmitterDispatcher submitterDispatch;
    private final Consumer<MemoryDevice> onClosed;
    private volatile boolean closed;
    @SuppressWarnings("unused") // accessed through CLOSE_REPORTED
    private volatile boolean closeReported;

    private MemoryDevice(MemoryDeviceConfig config, Consumer<MemoryDevice> onClosed) {
        this.name = "memory" + NEXT_NUMBER.getAndIncrement();
        this.capabilities = new DeviceCapabilities(config.logicalBlockSize(), config.physicalBlockSize(),
                config.capacityBytes(), config.maxTransferBytes(), 512, 1, config.queueDepth(),
                config.volatileWriteCache(), config.volatileWriteCache() && config.fua(), false, config.discardLimits());
        this.capacity = config.capacityBytes();
        this.checks = new BioChecks(config.capacityBytes(), config.logicalBlockSize(), config.maxTransferBytes(),
                config.discardLimits());
        this.onClosed = onClosed;
        this.backing = new MemoryBacking(config.capacityBytes());
        this.media = new Media(backing, config.capacityBytes(), config.logicalBlockSize(),
                config.volatileWriteCache(), config.fua());
        if (config.completion().usesInterruptThread()) {
            long delay = config.delayNanos();
            ServiceTime serviceTime = delay == 0 ? ServiceTime.NONE : new ServiceTime(delay, delay, 0);
            // The memory is freed by the thread as it ends, once nothing can touch it any more.
            this.queue = new HardwareQueue("jiomap-" + name + "-irq", config.queueDepth(), media, serviceTime,
                    false, () -> { }, this::freeMemory);
            this.submitterDispatch = null;
        } else {
            this.queue = null;
            this.submitterDispatch = new SubmitterDispatcher(media, this::freeMemory, config.queueDepth());
        }
    }

    /**
     * Opens a device and starts its interrupt thread, if it has one.
     *
     * @param onClosed told once when the device has closed, e.g. to forget it
     */
    static MemoryDevice open(MemoryDeviceConfig config, Consumer<MemoryDevice> onClosed) {
        MemoryDevice device = new MemoryDevice(config, onClosed);
        if (device.queue != null) {
            try {
                device.queue.start();
            } catch (RuntimeException | Error e) {
                device.freeMemory();
                throw e;
            }
        }
        return device;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public void submit(Bio bio) {
        if (checks.admit(bio, closed)) {
            if (queue != null) {
                queue.submit(bio);
            } else {
                submitterDispatch.submit(bio);
            }
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the device: later bios fail with ENODEV, queued ones end with ENODEV, a bio whose data is being moved
     * finishes normally, the interrupt thread ends and the memory is freed before this returns. Idempotent; called
     * from a completion callback it cannot wait for its own thread, so the thread finishes the close right after the
     * callback returns.
     */
    @Override
    public void close() {
        closed = true;
        if (queue != null) {
            queue.shutdown();
            queue.awaitStopped();
        } else {
            submitterDispatch.shutdown();
        }
        if (CLOSE_REPORTED.compareAndSet(this, false, true)) {
            onClosed.accept(this);
        }
    }

    /**
     * Simulates a power loss: drops every write that is not durable yet, that is every write to the volatile write
     * cache that no completed FLUSH or FUA has made durable; they read back as what was durable before them. The
     * device stays usable, as after the power comes back. With {@code vwc=off} nothing is lost.
     *
     * <p>A test hook for crash-consistency tests. Call it while no I/O is in flight for an exact result: a write that
     * is in flight during the cut may or may not survive, as on real hardware. After {@link #close} it does nothing.
     */
    @Override
    public void powerCut() {
        media.powerCut();
    }

    /** Frees the memory once nothing can touch it any more; later calls do nothing. */
    private void freeMemory() {
        try {
            media.shutdown();
        } catch (IOException e) {
            // Memory media have nothing to write back and nothing to force: closing them cannot fail.
            throw new UncheckedIOException(e);
        }
    }

    /** Native bytes allocated for written media extents: shows that unwritten ranges cost nothing. */
    long allocatedBytes() {
        return backing.allocatedBytes();
    }

    /** The interrupt thread, or null with completion in the submitter. */
    Thread interruptThread() {
        return queue != null ? queue.thread() : null;
    }

    @Override
    public String toString() {
        return name + " (memory, " + Quantity.formatBytes(capacity) + ")";
    }
}
