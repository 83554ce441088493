package io.jiomap.api.vfs;

import io.jiomap.api.block.Bio;

/**
 * One I/O request as the filesystem and the direct-I/O path see it (the kernel's {@code struct kiocb}).
 *
 * <p>Mutable and reused by its issuer: an iocb is in flight at most once at a time. A {@code null}
 * {@link #completion()} makes it synchronous: the submitter waits.
 */
public final class Iocb {
    /** Polled completion requested (IOCB_HIPRI). */
    public static final int HIPRI = 1;
    /** Data-sync write: O_DSYNC (IOCB_DSYNC). O_SYNC sets both DSYNC and SYNC. */
    public static final int DSYNC = 1 << 1;
    /** Full sync: O_SYNC (IOCB_SYNC). */
    public static final int SYNC = 1 << 2;
    /** Must not block: fail with EAGAIN instead (IOCB_NOWAIT). */
    public static final int NOWAIT = 1 << 3;
    /** The request writes (IOCB_WRITE). */
    public static final int WRITE = 1 << 18;
    /**
     * The issuer accepts deferred completions (IOCB_DIO_CALLER_COMP): the direct-I/O path may hand the completion
     * work back through {@link #deferred()} to run in the issuer's context instead of a workqueue.
     */
    public static final int DIO_CALLER_COMP = 1 << 22;
    /**
     * jiomap's own bit: pure overwrites may complete in the device completion context (what Linux 6.19 does for
     * every write), the rest go to the completion workqueue. Ignored when {@link #DIO_CALLER_COMP} is set.
     */
    public static final int DIO_IRQ_COMP = 1 << 23;

    private Inode inode;
    private long position;
    private int flags;
    private IocbCompletion completion;
    private long userData;
    private DeferredCompletion deferred;
    private Object engineState;
    private Bio polledBio;

    /** Prepares the iocb for a new request and clears what the previous one left. */
    public Iocb set(Inode inode, long position, int flags, IocbCompletion completion) {
        this.inode = inode;
        this.position = position;
        this.flags = flags;
        this.completion = completion;
        this.deferred = null;
        this.polledBio = null;
        return this;
    }

    public Inode inode() {
        return inode;
    }

    /** The file offset (ki_pos). The direct-I/O path advances it at completion by the bytes done. */
    public long position() {
        return position;
    }

    public void setPosition(long position) {
        this.position = position;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public void setFlags(int flags) {
        this.flags = flags;
    }

    public void clearFlags(int f) {
        this.flags &= ~f;
    }

    public boolean isWrite() {
        return (flags & WRITE) != 0;
    }

    /** O_DSYNC or O_SYNC (iocb_is_dsync). */
    public boolean isDsync() {
        return (flags & (DSYNC | SYNC)) != 0;
    }

    /** A synchronous iocb has no completion callback (is_sync_kiocb). */
    public boolean hasNoCompletion() {
        return completion == null;
    }

    public IocbCompletion completion() {
        return completion;
    }

    /** The issuer's cookie, e.g. the io_uring user_data. */
    public long userData() {
        return userData;
    }

    public void setUserData(long userData) {
        this.userData = userData;
    }

    /**
     * The deferred completion handed back by the direct-I/O path (the kernel's {@code dio_complete} + {@code private}),
     * or {@code null}. Only meaningful if the issuer set {@link #DIO_CALLER_COMP}.
     */
    public DeferredCompletion deferred() {
        return deferred;
    }

    /** Called by the direct-I/O path just before {@code completion().complete(this, 0)} to defer. */
    public void setDeferred(DeferredCompletion deferred) {
        this.deferred = deferred;
    }

    /**
     * The bio to poll for this request's completion, or {@code null} (the kernel's {@code iocb->private} for polled
     * I/O, written only when a polled bio is submitted: daa99c5a3319). The direct-I/O path sets it when it submits
     * the request's one polled bio and clears it when the request completes; an issuer that asked for
     * {@link #HIPRI} polls {@link Bio#poll} on it until the completion arrives. Read by the issuer without
     * synchronisation: a stale bio only makes it poll a queue once more, which is harmless.
     */
    public Bio polledBio() {
        return polledBio;
    }

    public void setPolledBio(Bio bio) {
        this.polledBio = bio;
    }

    /**
     * A slot the direct-I/O engine uses to keep its per-request state with the iocb across reuses, so a reused iocb
     * costs no allocation. Nobody else touches it.
     */
    public Object engineState() {
        return engineState;
    }

    public void setEngineState(Object engineState) {
        this.engineState = engineState;
    }

    /** Calls the completion (ki_complete). */
    public void complete(long result) {
        completion.complete(this, result);
    }
}
