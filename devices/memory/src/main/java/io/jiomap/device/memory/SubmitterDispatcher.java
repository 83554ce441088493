package io.jiomap.device.memory;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.device.model.BioExecutor;
import io.jiomap.api.IdleStrategy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Completion in the submitter: the submitter's thread moves the data and completes the bio before {@code submit} returns.
 *
 * <p>One atomic word counts the submitters inside the media and carries a closed bit, so {@link #shutdown} is atomic
 * with entering: a submitter either got in before the close (and the close waits for it to leave before freeing
 * memory) or sees the bit and fails with ENODEV. The count also bounds concurrent transfers by {@code queue-depth},
 * what the queue slots are with an interrupt thread. A submitter leaves before calling the completion, so a
 * completion that submits again (or closes the device) never waits for itself.
 */
final class SubmitterDispatcher {
    private static final int CLOSED = 1 << 30;
    private static final VarHandle INSIDE;

    static {
        try {
            INSIDE = MethodHandles.lookup().findVarHandle(SubmitterDispatcher.class, "inside", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final BioExecutor executor;
    private final Runnable freeMemory;
    private final int queueDepth;
    @SuppressWarnings("unused") // accessed through INSIDE
    private volatile int inside;

    /** @param freeMemory frees the device's memory once no submitter is inside; may be called more than once */
    SubmitterDispatcher(BioExecutor executor, Runnable freeMemory, int queueDepth) {
        this.executor = executor;
        this.freeMemory = freeMemory;
        this.queueDepth = queueDepth;
    }

    /** Executes and completes a bio that passed the device's checks before returning (ENODEV once shut down). */
    void submit(Bio bio) {
        for (long since = 0; ; ) {
            int state = (int) INSIDE.getVolatile(this);
            if ((state & CLOSED) != 0) {
                bio.complete(Errno.ENODEV);
                return;
            }
            if (state < queueDepth) {
                if (INSIDE.compareAndSet(this, state, state + 1)) {
                    break;
                }
            } else if (bio.hasFlag(Bio.NOWAIT)) {
                bio.complete(Errno.EAGAIN);
                return;
            } else {
                if (since == 0) {
                    since = System.nanoTime();
                }
                IdleStrategy.backOff(since);
            }
        }
        int status;
        try {
            status = executor.execute(bio);
        } finally {
            INSIDE.getAndAdd(this, -1);
        }
        bio.complete(status);
    }

    /**
     * Refuses later bios with ENODEV, waits for the submitters inside to leave, then frees the memory. Idempotent.
     */
    void shutdown() {
        INSIDE.getAndBitwiseOr(this, CLOSED);
        for (long since = System.nanoTime(); ((int) INSIDE.getVolatile(this) & ~CLOSED) != 0; ) {
            IdleStrategy.backOff(since);
        }
        freeMemory.run();
    }
}
