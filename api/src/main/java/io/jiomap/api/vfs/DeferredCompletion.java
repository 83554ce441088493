package io.jiomap.api.vfs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Completion work that the direct-I/O path handed back to the issuer (caller completion), as a claimable work item.
 *
 * <p>Why claimable: a thread that holds deferred completions and then waits for direct I/O on the inode to drain
 * would wait for work only it can do (docs/design-rules.md, "Rule 1"; docs/dio-contract.md, "TV30"). So whoever
 * must wait for the drain first runs, on its own thread, every deferred completion of the inode that nobody has claimed
 * yet. Claiming is one atomic step, so each completion runs exactly once: either the issuer runs it while reaping, or a
 * drainer does and the issuer collects {@link #result()}. A drain therefore only ever waits for device I/O, which
 * always finishes or fails.
 *
 * <p>Life cycle: {@code IDLE -> PENDING} ({@link #defer}) {@code -> CLAIMED} ({@link #claim}) {@code -> DONE}.
 * The object is reused by its owner after it reported DONE.
 */
public abstract class DeferredCompletion {
    private static final int IDLE = 0;
    private static final int PENDING = 1;
    private static final int CLAIMED = 2;
    private static final int DONE = 3;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(DeferredCompletion.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    private long result;
    private IocbCompletion issuer;
    InodeDio registry;
    DeferredCompletion prev;
    DeferredCompletion next;

    /**
     * Does the deferred work: the filesystem's end_io, dropping the inode's in-flight count, the sync for O_DSYNC.
     * Runs exactly once per {@link #defer}, on the issuer's thread or a drainer's.
     *
     * @return the request's result: bytes or a negative errno
     */
    protected abstract long complete();

    /**
     * Marks this completion pending and makes it findable by drainers of {@code inode}. Called by the completion
     * side right before it calls the issuer's {@link IocbCompletion#complete} with the deferred handle.
     */
    public final void defer(InodeDio inode, IocbCompletion issuer) {
        this.issuer = issuer;
        this.result = 0;
        // PENDING before it becomes visible in the list: a drainer that finds it there must be able to claim it,
        // or it would skip it and sleep until a wake-up that already happened.
        STATE.setRelease(this, PENDING);
        inode.addDeferred(this);
    }

    /** Takes the right to run this completion; true for exactly one caller per {@link #defer}. */
    public final boolean claim() {
        return STATE.compareAndSet(this, PENDING, CLAIMED);
    }

    /**
     * Runs a completion this thread claimed and returns its result. It stays linked to its inode (a drain unlinks
     * finished ones), so the issuer's reap takes no lock.
     */
    public final long runClaimed() {
        long res = complete();
        result = res;
        STATE.setRelease(this, DONE);
        return res;
    }

    /** Used by a drainer that claimed this completion: runs it, then tells the issuer to collect the result. */
    final void runForDrain() {
        IocbCompletion toWake = issuer;
        result = complete();
        STATE.setRelease(this, DONE);
        // After DONE the issuer may reuse this object: only the reference read before may be touched.
        toWake.wakeup();
    }

    /** Whether the completion has run (by anyone); then {@link #result()} is valid. */
    public final boolean isDone() {
        return (int) STATE.getAcquire(this) == DONE;
    }

    /** Whether it is deferred and nobody has claimed it yet. */
    public final boolean isPending() {
        return (int) STATE.getAcquire(this) == PENDING;
    }

    /** The result once {@link #isDone()}. */
    public final long result() {
        return result;
    }
}
