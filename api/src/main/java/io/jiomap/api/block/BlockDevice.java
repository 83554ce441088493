package io.jiomap.api.block;

/**
 * A block device: it takes bios and completes each exactly once, successfully or with an errno.
 *
 * <p>Contract (the device contract suite checks it):
 * <ul>
 *   <li>{@link #submit} never throws for an I/O problem: a range past the device or misaligned completes the bio
 *       with EIO or EINVAL, a closed device with ENODEV, a full queue under {@link Bio#NOWAIT} with EAGAIN.</li>
 *   <li>Without NOWAIT a full queue makes the submitter wait for a slot (back-pressure), never grows without
 *       bound.</li>
 *   <li>A completed write is visible to every later read. It is durable only when the device has no volatile write
 *       cache, when it was FUA, or once a flush submitted after its completion has completed.</li>
 *   <li>{@link #close} fails or finishes every bio in flight before it returns; no bio is left hanging and no
 *       thread is left running.</li>
 * </ul>
 * A device in front of another (a decorator) extends {@link FilterBlockDevice}.
 */
public interface BlockDevice extends AutoCloseable {
    /**
     * {@link #poll} flag: the caller has nothing else to do until one of the queue's bios completes, so the device
     * may block until then (io_uring_enter with GETEVENTS and min_complete 1 on a device whose completions come
     * through the kernel, a spin on a modelled one). It never blocks when the queue holds no bio of the caller's.
     */
    int POLL_BLOCK = 1;

    /** A short name for messages and listings, e.g. {@code "memory0"}. */
    String name();

    DeviceCapabilities capabilities();

    /** Queues the bio. Completion may happen before this returns (inline devices) or on another thread. */
    void submit(Bio bio);

    /**
     * Reaps completions of the poll queue {@code bio} went to ({@link Bio#pollCookie()}), on the calling thread: each
     * reaped bio's {@link Bio#complete end_io} runs here, before this returns (the kernel's {@code bio_poll} and a
     * driver's {@code ->poll}). Only devices whose {@link DeviceCapabilities#polling()} is true put bios on poll
     * queues; the default, for every other device, reaps nothing. Several threads may poll the same queue: a
     * device serialises them, and a bio is completed exactly once whoever reaps it.
     *
     * <p>A poll queue's completions are also reaped, late, by the device itself when nobody polls for a while (the
     * kernel's NVMe timeout handler checks the CQ before it aborts), so a submitter that stops polling, or a drain
     * that waits for a polled bio, is never left hanging; polling is how to get them at once, on one's own thread.
     *
     * @param bio   a bio submitted with {@link Bio#POLLED}; it may have completed already
     * @param flags {@link #POLL_BLOCK} or 0
     * @return how many bios this call completed
     */
    default int poll(Bio bio, int flags) {
        return 0;
    }

    /** Whether {@link #close} has been called. */
    boolean isClosed();

    /** Stops the device: in-flight bios end (with ENODEV if they could not finish), later submits fail with ENODEV. */
    @Override
    void close();
}
