package io.jiomap.tck.observe;

import io.jiomap.api.vfs.Iocb;
import io.jiomap.core.trace.CompletionContext;
import io.jiomap.core.trace.DioFlags;
import io.jiomap.core.trace.DioTrace;
import java.util.ArrayList;
import java.util.List;

/**
 * Records the engine's trace points: the final dio flags of every request, where its completion ran, and the sync
 * of each O_DSYNC/O_SYNC write (the range and kind of fsync the engine asked the filesystem for, and its result).
 */
public final class TraceLog implements DioTrace {

    /**
     * The submitter dropped its reference.
     *
     * @param iocb     the request (compare by identity; it is reused by its issuer)
     * @param dioFlags the final {@link DioFlags}
     * @param result   bytes, {@code -EIOCBQUEUED} or a negative errno
     * @param thread   the submitting thread
     */
    public record Submission(Iocb iocb, int dioFlags, long result, String thread) {
        public boolean has(int dioFlag) {
            return DioFlags.has(dioFlags, dioFlag);
        }

        @Override
        public String toString() {
            return "submitted " + DioFlags.describe(dioFlags) + " -> " + result + " on " + thread;
        }
    }

    /**
     * The completion decision for a request's last bio.
     *
     * @param iocb     the request
     * @param dioFlags the final {@link DioFlags}
     * @param where    where the completion runs
     * @param thread   the thread that took the decision (the device's, or the submitter's)
     */
    public record Completion(Iocb iocb, int dioFlags, CompletionContext where, String thread) {
        public boolean has(int dioFlag) {
            return DioFlags.has(dioFlags, dioFlag);
        }

        @Override
        public String toString() {
            return where + " " + DioFlags.describe(dioFlags) + " on " + thread;
        }
    }

    /**
     * The engine synced a completed sync write: it called the filesystem's fsync on {@code [start, end]}.
     *
     * @param result 0 or a negative errno, as the filesystem's fsync returned it
     */
    public record Sync(Iocb iocb, long start, long end, boolean datasync, int result, String thread) {
        @Override
        public String toString() {
            return (datasync ? "fdatasync" : "fsync") + " [" + start + ", " + end + "] -> " + result + " on " + thread;
        }
    }

    private final List<Submission> submissions = new ArrayList<>();
    private final List<Completion> completions = new ArrayList<>();
    private final List<Sync> syncs = new ArrayList<>();

    @Override
    public synchronized void submitted(Iocb iocb, int dioFlags, long result) {
        submissions.add(new Submission(iocb, dioFlags, result, Thread.currentThread().getName()));
    }

    @Override
    public synchronized void completing(Iocb iocb, int dioFlags, CompletionContext where) {
        completions.add(new Completion(iocb, dioFlags, where, Thread.currentThread().getName()));
    }

    @Override
    public synchronized void synced(Iocb iocb, long start, long end, boolean datasync, int result) {
        syncs.add(new Sync(iocb, start, end, datasync, result, Thread.currentThread().getName()));
    }

    public synchronized List<Sync> syncs() {
        return List.copyOf(syncs);
    }

    public synchronized List<Submission> submissions() {
        return List.copyOf(submissions);
    }

    public synchronized List<Completion> completions() {
        return List.copyOf(completions);
    }

    public synchronized void clear() {
        submissions.clear();
        completions.clear();
        syncs.clear();
    }
}
