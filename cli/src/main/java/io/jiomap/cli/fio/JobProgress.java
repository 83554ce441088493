package io.jiomap.cli.fio;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What the status line ({@link FioStatus}) reads of one job thread while it runs: its state, as fio's one-letter run
 * state, when its I/O started, and its completed reads and writes. The job thread publishes the counters with opaque
 * stores once per turn of its loop (no lock, no allocation, no fence); the status thread reads them opaquely, so it
 * sees each counter whole and never older than a previous read, which is all a once-a-second display needs.
 */
final class JobProgress {
    /** Not started yet. */
    static final char PENDING = 'P';
    /** Reading back what it wrote (verify). */
    static final char VERIFYING = 'V';
    /** Ended without error. */
    static final char DONE = '_';
    /** Ended with an error. */
    static final char FAILED = 'X';

    private static final VarHandle READ_IOS;
    private static final VarHandle READ_BYTES;
    private static final VarHandle WRITE_IOS;
    private static final VarHandle WRITE_BYTES;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            READ_IOS = l.findVarHandle(JobProgress.class, "readIos", long.class);
            READ_BYTES = l.findVarHandle(JobProgress.class, "readBytes", long.class);
            WRITE_IOS = l.findVarHandle(JobProgress.class, "writeIos", long.class);
            WRITE_BYTES = l.findVarHandle(JobProgress.class, "writeBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final char running;
    private final long bytes;
    private final long runtimeNanos;
    private volatile char state = PENDING;
    private volatile long startNanos;
    @SuppressWarnings("unused") // through READ_IOS
    private long readIos;
    @SuppressWarnings("unused") // through READ_BYTES
    private long readBytes;
    @SuppressWarnings("unused") // through WRITE_IOS
    private long writeIos;
    @SuppressWarnings("unused") // through WRITE_BYTES
    private long writeBytes;

    /**
     * @param running      fio's letter for the job while it does I/O: r, w, m (mixed) when random, R, W, M when
     *                     sequential
     * @param bytes        the bytes after which the job ends, 0 when only its runtime ends it (time_based)
     * @param runtimeNanos the time after which the job ends, 0 when only its bytes end it
     */
    JobProgress(char running, long bytes, long runtimeNanos) {
        this.running = running;
        this.bytes = bytes;
        this.runtimeNanos = runtimeNanos;
    }

    /** A job clone of {@code spec} with a region of {@code regionBytes}. */
    static JobProgress of(JobSpec spec, long regionBytes) {
        int reads = spec.readPercent();
        char c = reads == 100 ? 'r' : reads == 0 ? 'w' : 'm';
        if (!spec.rw().random) {
            c = Character.toUpperCase(c);
        }
        return new JobProgress(c, spec.timeBased() ? 0 : regionBytes, spec.runtimeNanos());
    }

    /** The job thread started its I/O at {@code nanos} (System.nanoTime). */
    void started(long nanos) {
        startNanos = nanos;
        state = running;
    }

    /** The job thread's completed I/O so far. */
    void publish(long readIos, long readBytes, long writeIos, long writeBytes) {
        READ_IOS.setOpaque(this, readIos);
        READ_BYTES.setOpaque(this, readBytes);
        WRITE_IOS.setOpaque(this, writeIos);
        WRITE_BYTES.setOpaque(this, writeBytes);
    }

    void verifying() {
        state = VERIFYING;
    }

    void ended(boolean failed) {
        state = failed ? FAILED : DONE;
    }

    char state() {
        return state;
    }

    boolean ended() {
        char s = state;
        return s == DONE || s == FAILED;
    }

    boolean doesReads() {
        return running != 'w' && running != 'W';
    }

    boolean doesWrites() {
        return running != 'r' && running != 'R';
    }

    long readIos() {
        return (long) READ_IOS.getOpaque(this);
    }

    long readBytes() {
        return (long) READ_BYTES.getOpaque(this);
    }

    long writeIos() {
        return (long) WRITE_IOS.getOpaque(this);
    }

    long writeBytes() {
        return (long) WRITE_BYTES.getOpaque(this);
    }

    /**
     * The time this job still needs at {@code now}, as fio estimates it: what its runtime leaves, or the bytes left at
     * the pace so far, whichever ends it first; -1 when nothing tells yet (no byte done, or verifying).
     */
    long etaNanos(long now) {
        char s = state;
        if (s == DONE || s == FAILED) {
            return 0;
        }
        if (s == VERIFYING) {
            return -1;
        }
        long elapsed = s == PENDING ? 0 : Math.max(0, now - startNanos);
        long eta = -1;
        if (runtimeNanos > 0) {
            eta = Math.max(0, runtimeNanos - elapsed);
        }
        long done = readBytes() + writeBytes();
        if (bytes > 0 && done > 0) {
            long byBytes = (long) ((double) elapsed * Math.max(0, bytes - done) / done);
            eta = eta < 0 ? byBytes : Math.min(eta, byBytes);
        }
        return eta;
    }
}
