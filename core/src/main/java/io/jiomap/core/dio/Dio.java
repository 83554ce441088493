package io.jiomap.core.dio;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.DeferredCompletion;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.core.completion.CompletionWorkqueue;
import io.jiomap.core.trace.CompletionContext;
import io.jiomap.core.trace.DioFlags;
import io.jiomap.core.trace.DioTrace;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * One direct I/O in flight (the kernel's {@code struct iomap_dio}). It is cached in its iocb and reused with it,
 * together with its bios, so a steady stream of I/O allocates nothing.
 *
 * <p>The reference count starts at 1 for the submission and gains one per bio. Whoever drops it to zero decides
 * where the completion runs (docs/dio-contract.md, "B4"): the sleeping submitter, inline in the device's completion
 * context, back in the issuer (caller completion), or the filesystem's workqueue.
 */
final class Dio extends DeferredCompletion implements BioEndIo, CompletionWorkqueue.Work {
    static final int CALLER_COMP = DioFlags.CALLER_COMP;
    static final int INLINE_COMP = DioFlags.INLINE_COMP;
    static final int WRITE_THROUGH = DioFlags.WRITE_THROUGH;
    static final int NEED_SYNC = DioFlags.NEED_SYNC;
    static final int WRITE = DioFlags.WRITE;
    static final int IRQ_COMP = DioFlags.IRQ_COMP;

    private static final VarHandle REF;
    private static final VarHandle ERROR;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            REF = l.findVarHandle(Dio.class, "ref", int.class);
            ERROR = l.findVarHandle(Dio.class, "error", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final DirectIo engine;
    /** The request's iteration object: the filesystem's view of this dio, reused with it. */
    final Iter iter = new Iter();

    Iocb iocb;
    Inode inode;
    DioOps dops;
    long iSize;
    long size;
    long doneBefore;
    int flags;
    private volatile int ref;
    private volatile int error;
    volatile boolean waitForCompletion;
    volatile Thread waiter;

    private Bio[] bios = new Bio[4];
    private int biosUsed;

    Dio(DirectIo engine) {
        this.engine = engine;
        for (int i = 0; i < bios.length; i++) {
            bios[i] = new Bio();
        }
    }

    void start(Iocb iocb, DioOps dops, long doneBefore) {
        this.iocb = iocb;
        this.inode = iocb.inode();
        this.dops = dops;
        this.iSize = inode.size();
        this.size = 0;
        this.doneBefore = doneBefore;
        this.flags = 0;
        this.biosUsed = 0;
        this.waitForCompletion = false;
        this.waiter = Thread.currentThread();
        this.error = 0;
        REF.setRelease(this, 1);
    }

    /** A bio for this dio; bios are reused only after the dio completed, when none is in flight. */
    Bio nextBio() {
        if (biosUsed == bios.length) {
            int old = bios.length;
            bios = Arrays.copyOf(bios, old * 2);
            for (int i = old; i < bios.length; i++) {
                bios[i] = new Bio();
            }
        }
        return bios[biosUsed++];
    }

    void getRef() {
        REF.getAndAdd(this, 1);
    }

    /** Drops a reference; true when it was the last one. */
    boolean putRef() {
        return (int) REF.getAndAdd(this, -1) == 1;
    }

    /** Records the first error only (compare-and-swap from 0). */
    void setError(int errno) {
        ERROR.compareAndSet(this, 0, Math.abs(errno));
    }

    int error() {
        return error;
    }

    /** Device completion of one of this dio's bios: the decision tree of docs/dio-contract.md, "B4". */
    @Override
    public void endIo(Bio bio) {
        if (bio.status() != 0) {
            setError(bio.status());
        }
        if (!putRef()) {
            return;
        }
        // The polling bookkeeping ends with the request (docs/dio-contract.md, "B4 step 4": iocb->private = NULL).
        iocb.setPolledBio(null);
        CompletionContext where = completionContext();
        DioTrace trace = engine.trace;
        if (trace != null) {
            trace.completing(iocb, flags, where);
        }
        Iocb io = iocb;
        switch (where) {
            case WAITER -> {
                Thread t = waiter;
                waiter = null;
                LockSupport.unpark(t);
            }
            case IRQ -> {
                engine.stats.irq.increment();
                io.complete(complete());
            }
            case CALLER -> {
                engine.stats.caller.increment();
                io.setDeferred(this);
                defer(inode.dio(), io.completion());
                // The result passed here is meaningless: the issuer learns it by running the deferred completion.
                io.complete(0);
            }
            default -> engine.workqueue.queue(this);
        }
    }

    /**
     * Where the completion runs once the last reference is gone (docs/dio-contract.md, "B4"): in the submitter if it
     * waits; in the device's completion context for a read, and for a write the IRQ-overwrite mode kept when no bio
     * failed (an error may need work); back in the issuer for a write that kept caller completion; else on the
     * workqueue. The flags it reads are final ("B1 step 14"); which of them survive is decided per mapping by
     * {@link DirectIo}'s completion-work rule.
     */
    private CompletionContext completionContext() {
        if (waitForCompletion) {
            return CompletionContext.WAITER;
        }
        if ((flags & INLINE_COMP) != 0 || ((flags & IRQ_COMP) != 0 && error == 0)) {
            return CompletionContext.IRQ;
        }
        if ((flags & CALLER_COMP) != 0) {
            return CompletionContext.CALLER;
        }
        return CompletionContext.WORKQUEUE;
    }

    /** Runs on a workqueue worker. */
    @Override
    public void runWork() {
        engine.stats.workqueue.increment();
        Iocb io = iocb;
        io.complete(complete());
    }

    /**
     * {@code iomap_dio_complete} (docs/dio-contract.md, "B5"): the filesystem's end_io, the in-flight count, the file
     * position, and the O_DSYNC/O_SYNC sync that FUA could not make unnecessary.
     */
    @Override
    protected long complete() {
        Iocb io = iocb;
        long offset = io.position();
        int err = error;
        long ret = err == 0 ? 0 : -err;
        if (dops != null) {
            ret = dops.endIo(iter, size, err, flags & (DioOps.UNWRITTEN | DioOps.COW));
        }
        if (ret == 0) {
            ret = size;
            if ((flags & WRITE) == 0 && offset + ret > iSize) {
                ret = Math.max(0, iSize - offset);
            }
        }
        // No page cache exists in jiomap (direct I/O only), so there is nothing to invalidate after the write.
        inode.dio().end();
        if (ret > 0) {
            io.setPosition(offset + ret);
            if ((flags & NEED_SYNC) != 0) {
                ret = engine.writeSync(io, ret);
            }
            if (ret > 0) {
                ret += doneBefore;
            }
        }
        return ret;
    }

    /** The core's handle on the iteration object: the loop in {@link DirectIo} drives it through these. */
    static final class Iter extends IomapIter {
        void start(Iocb iocb, Inode inode, long pos, long length, int flags, Object fsPrivate) {
            startRequest(iocb, inode, pos, length, flags, fsPrivate);
        }

        void beforeBegin() {
            startMapping();
        }

        void beforeEnd(long processed) {
            setProcessed(processed);
        }

        void next(long bytes) {
            advance(bytes);
        }
    }

    @Override
    public String toString() {
        return "dio[" + DioFlags.describe(flags) + " size=" + size + " error=" + Errno.name(error) + "]";
    }
}
