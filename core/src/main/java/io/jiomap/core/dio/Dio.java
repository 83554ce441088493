package io.jiomap.core.dio;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.fs.Inode;
import io.jiomap.api.io.DeferredCompletion;
import io.jiomap.api.io.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.core.CompletionContext;
import io.jiomap.core.DioFlags;
import io.jiomap.core.DioTrace;
import io.jiomap.core.completion.CompletionWorkqueue;
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
        DioTrace trace = engine.trace;
        if (waitForCompletion) {
            if (trace != null) {
                trace.completing(iocb, flags, CompletionContext.WAITER);
            }
            Thread t = waiter;
            waiter = null;
            LockSupport.unpark(t);
        } else if ((flags & INLINE_COMP) != 0) {
            engine.stats.inline.increment();
            if (trace != null) {
                trace.completing(iocb, flags, CompletionContext.INLINE);
            }
            Iocb io = iocb;
            io.complete(complete());
        } else if ((flags & CALLER_COMP) != 0) {
            engine.stats.caller.increment();
            if (trace != null) {
                trace.completing(iocb, flags, CompletionContext.CALLER);
            }
            Iocb io = iocb;
            io.setDeferred(this);
            defer(inode.dio(), io.completion());
            // The result passed here is meaningless: the issuer learns it by running the deferred completion.
            io.complete(0);
        } else if ((flags & IRQ_COMP) != 0 && error == 0) {
            engine.stats.inline.increment();
            if (trace != null) {
                trace.completing(iocb, flags, CompletionContext.INLINE);
            }
            Iocb io = iocb;
            io.complete(complete());
        } else {
            if (trace != null) {
                trace.completing(iocb, flags, CompletionContext.WORKQUEUE);
            }
            engine.workqueue.queue(this);
        }
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
