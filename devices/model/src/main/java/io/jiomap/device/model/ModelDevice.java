package io.jiomap.device.model;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.SimulatesPowerLoss;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A modelled block device: {@link HardwareQueue}s in front of {@link Media} (a volatile write cache over sparse
 * memory or an image file).
 *
 * <p>Every bio is checked on submission and completed, never thrown at (the {@code BlockDevice} contract): an empty
 * bio, one longer than the maximum transfer, or an address or length that is not a multiple of the logical block
 * size ends with EINVAL; a range past the end with EIO; memory too small for the length with EFAULT; a closed device
 * with ENODEV; a full queue under NOWAIT with EAGAIN. A bio refused on submission ends in the submitter's thread
 * before {@code submit} returns. A FLUSH carries no data, so its range is not looked at.
 *
 * <p>A submitting thread is bound to one queue the first time it submits, round-robin over the queues (the kernel
 * maps a CPU to a hardware context; a thread is the closest thing here), so threads spread over queues and one
 * thread's bios stay in order on one queue. A queue's own thread always submits to its own queue, which it can never
 * wait for.
 *
 * <p>With {@code poll-queues=N} a {@link Bio#POLLED} bio goes to one of N poll queues instead (bound per thread the
 * same way), whose completions no irq thread delivers: {@link #poll} reaps them on the caller's thread. Without poll
 * queues the device cannot poll ({@link DeviceCapabilities#polling()} false) and clears POLLED, completing the bio
 * by interrupt, as the kernel does when {@code nvme.poll_queues} is 0 (docs/devices.md, "NVMe-like").
 */
public final class ModelDevice implements BlockDevice, SimulatesPowerLoss {
    private final String name;
    private final DeviceConfig config;
    private final DeviceCapabilities capabilities;
    private final long capacity;
    private final BioChecks checks;
    private final Media media;
    private final HardwareQueue[] queues;
    private final HardwareQueue[] pollQueues;
    private final ThreadLocal<Integer> boundQueue;
    private final ThreadLocal<Integer> boundPollQueue;
    private final AtomicInteger nextQueue = new AtomicInteger();
    private final AtomicInteger nextPollQueue = new AtomicInteger();
    private final AtomicInteger runningQueues;
    private final AtomicBoolean closeReported = new AtomicBoolean();
    private final Consumer<ModelDevice> onClosed;
    private volatile boolean closed;

    private ModelDevice(String name, DeviceConfig config, Backing backing, Consumer<ModelDevice> onClosed) {
        this.name = name;
        this.config = config;
        this.capabilities = new DeviceCapabilities(config.logicalBlockSize(), config.physicalBlockSize(),
                config.capacityBytes(), config.maxTransferBytes(), 4, config.queues(), config.queueDepth(),
                config.volatileWriteCache(), config.fua(), config.pollQueues() > 0, config.discardLimits());
        this.capacity = config.capacityBytes();
        this.checks = new BioChecks(config.capacityBytes(), config.logicalBlockSize(), config.maxTransferBytes(),
                config.discardLimits());
        this.onClosed = onClosed;
        this.media = new Media(backing, config.capacityBytes(), config.logicalBlockSize(),
                config.volatileWriteCache(), config.fua());
        this.queues = new HardwareQueue[config.queues()];
        this.pollQueues = new HardwareQueue[config.pollQueues()];
        this.runningQueues = new AtomicInteger(queues.length + pollQueues.length);
        int count = queues.length;
        this.boundQueue = ThreadLocal.withInitial(() -> Math.floorMod(nextQueue.getAndIncrement(), count));
        int pollCount = pollQueues.length;
        this.boundPollQueue = ThreadLocal.withInitial(
                () -> Math.floorMod(nextPollQueue.getAndIncrement(), Math.max(1, pollCount)));
        for (int i = 0; i < count; i++) {
            int index = i;
            queues[i] = new HardwareQueue("jiomap-" + name + "-q" + i + "-irq", config.queueDepth(), media,
                    config.serviceTime(), config.profile().flushDrainsQueue(), () -> boundQueue.set(index),
                    this::queueStopped);
        }
        for (int i = 0; i < pollCount; i++) {
            int index = i;
            // The thread of a poll queue only moves data (and reaps what nobody polled): no interrupt.
            pollQueues[i] = new HardwareQueue("jiomap-" + name + "-poll" + i, config.queueDepth(), media,
                    config.serviceTime(), config.profile().flushDrainsQueue(), true,
                    () -> boundPollQueue.set(index), this::queueStopped);
        }
    }

    /**
     * Opens a device on {@code backing} and starts its queue threads.
     *
     * @param onClosed told once when the device has closed, e.g. so its provider forgets it
     */
    public static ModelDevice open(String name, DeviceConfig config, Backing backing,
                                   Consumer<ModelDevice> onClosed) {
        ModelDevice device = new ModelDevice(name, config, backing, onClosed);
        for (HardwareQueue q : device.queues) {
            q.start();
        }
        for (HardwareQueue q : device.pollQueues) {
            q.start();
        }
        return device;
    }

    /** Opens the backing the config names: its image file, or sparse memory. */
    public static Backing openBacking(DeviceConfig config) throws JiomapException {
        if (config.image() == null) {
            return new MemoryBacking(config.capacityBytes());
        }
        try {
            return new FileBacking(config.image(), config.capacityBytes());
        } catch (IOException e) {
            throw new JiomapException(Errno.EIO, config.profile().type() + " device option path=" + config.image()
                    + ": cannot open or extend the image to " + Quantity.formatBytes(config.capacityBytes())
                    + ": " + e, e);
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

    public DeviceConfig config() {
        return config;
    }

    @Override
    public void submit(Bio bio) {
        if (bio.hasFlag(Bio.POLLED)) {
            submitPolled(bio);
            return;
        }
        if (checks.admit(bio, closed)) {
            HardwareQueue q = queues.length == 1 ? queues[0] : queues[boundQueue.get()];
            q.submit(bio);
        }
    }

    private void submitPolled(Bio bio) {
        if (pollQueues.length == 0) {
            // No poll queues: REQ_POLLED is cleared and the interrupt completes the bio.
            bio.setFlags(bio.flags() & ~Bio.POLLED);
            submit(bio);
            return;
        }
        if (checks.admit(bio, closed)) {
            int index = pollQueues.length == 1 ? 0 : boundPollQueue.get();
            bio.setPollQueue(this, index);
            pollQueues[index].submit(bio);
        }
    }

    /** Reaps the poll queue the bio went to on the calling thread ({@link BlockDevice#poll}). */
    @Override
    public int poll(Bio bio, int flags) {
        int cookie = bio.pollCookie();
        if (bio.pollDevice() != this || cookie < 0 || cookie >= pollQueues.length) {
            return 0;
        }
        return pollQueues[cookie].poll((flags & POLL_BLOCK) != 0);
    }

    /** The queue the calling thread submits to (binding it to one if it has none yet). */
    public int queueOfCurrentThread() {
        return boundQueue.get();
    }

    /** The queues' "interrupt" threads, in queue order, then the poll queues' threads. */
    public List<Thread> queueThreads() {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(queues), java.util.Arrays.stream(pollQueues))
                .map(HardwareQueue::thread).toList();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the device: later bios end with ENODEV, queued ones with ENODEV, a bio whose data is moving finishes,
     * every queue thread ends and is joined, and the media is released (an image file gets the cache written back
     * and is forced to disk) before this returns. Idempotent. Called from a completion callback, it cannot join its
     * own thread: that thread finishes the close as soon as the callback returns.
     */
    @Override
    public void close() {
        closed = true;
        for (HardwareQueue q : queues) {
            q.shutdown();
        }
        for (HardwareQueue q : pollQueues) {
            q.shutdown();
        }
        for (HardwareQueue q : queues) {
            q.awaitStopped();
        }
        for (HardwareQueue q : pollQueues) {
            q.awaitStopped();
        }
        if (closeReported.compareAndSet(false, true)) {
            onClosed.accept(this);
        }
    }

    /** Run by each queue thread as it ends; the last one releases the media, which nothing can touch any more. */
    private void queueStopped() {
        if (runningQueues.decrementAndGet() == 0) {
            try {
                media.shutdown();
            } catch (IOException e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }

    /**
     * Simulates a power loss: every write not yet made durable (in the volatile cache, not FUA, not written back by a
     * completed flush) is dropped and reads back as what the media held before it. The device stays usable. For an
     * exact result call it while no I/O is in flight: a write in flight during the cut may or may not survive, as on
     * real hardware. After {@link #close} it does nothing.
     */
    @Override
    public void powerCut() {
        if (!closed) {
            media.powerCut();
        }
    }

    @Override
    public String toString() {
        return name + " (" + config.profile().type() + ", " + Quantity.formatBytes(capacity)
                + (config.image() != null ? ", image " + config.image() : ", memory") + ")";
    }
}
