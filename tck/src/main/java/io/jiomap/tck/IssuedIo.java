package io.jiomap.tck;

import io.jiomap.api.Errno;
import io.jiomap.api.vfs.DeferredCompletion;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.tck.observe.CompletionLog;
import io.jiomap.tck.observe.CompletionLog.KiComplete;
import java.lang.foreign.MemorySegment;

/**
 * One request a contract test issued itself with its own {@link Iocb} and a recording completion: the test sees
 * what an issuer sees (the submit result, each {@code ki_complete}, the deferred completion handed back) and plays
 * the issuer's part, running a deferred completion when it chooses.
 */
public final class IssuedIo {
    private final Iocb iocb;
    private final CompletionLog log;
    private final MemorySegment buffer;
    private final long position;
    private final long length;
    private final long seed;
    private final long submitResult;

    IssuedIo(Iocb iocb, CompletionLog log, MemorySegment buffer, long position, long length, long seed,
             long submitResult) {
        this.iocb = iocb;
        this.log = log;
        this.buffer = buffer;
        this.position = position;
        this.length = length;
        this.seed = seed;
        this.submitResult = submitResult;
    }

    public Iocb iocb() {
        return iocb;
    }

    public CompletionLog log() {
        return log;
    }

    public MemorySegment buffer() {
        return buffer;
    }

    /** The file position asked for. */
    public long position() {
        return position;
    }

    public long length() {
        return length;
    }

    /** The pattern seed of a write's data. */
    public long seed() {
        return seed;
    }

    /** What {@code Inode.write}/{@code read} returned: bytes, {@code -EIOCBQUEUED} or a negative errno. */
    public long submitResult() {
        return submitResult;
    }

    /** Whether the completion comes later, through {@code ki_complete}. */
    public boolean queued() {
        return submitResult == -Errno.EIOCBQUEUED;
    }

    /** Waits (bounded) for the first {@code ki_complete} call and returns it. */
    public KiComplete awaitKiComplete() {
        Waits.await("ki_complete of the request at " + position).until(() -> log.count() > 0);
        return log.calls().getFirst();
    }

    /**
     * The request's result as an issuer learns it: the submit result if it completed there, else the
     * {@code ki_complete} result, running the deferred completion on this thread if one was handed back (or
     * collecting the result a drainer got, if a drainer claimed it first).
     */
    public long awaitResult() {
        if (!queued()) {
            return submitResult;
        }
        KiComplete kc = awaitKiComplete();
        DeferredCompletion d = kc.deferred();
        if (d == null) {
            return kc.result();
        }
        if (d.claim()) {
            return d.runClaimed();
        }
        Waits.await("a drainer to finish the deferred completion it claimed")
                .until(d::isDone);
        return d.result();
    }
}
