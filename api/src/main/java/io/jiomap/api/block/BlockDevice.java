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
 */
public interface BlockDevice extends AutoCloseable {
    /** A short name for messages and listings, e.g. {@code "memory0"}. */
    String name();

    DeviceCapabilities capabilities();

    /** Queues the bio. Completion may happen before this returns (inline devices) or on another thread. */
    void submit(Bio bio);

    /** Whether {@link #close} has been called. */
    boolean isClosed();

    /** Stops the device: in-flight bios end (with ENODEV if they could not finish), later submits fail with ENODEV. */
    @Override
    void close();
}
