package io.jiomap.fs.faulty;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One fault of a mount: what it does ({@link Kind} and its value) and when ({@link Where}). It counts the calls of
 * its hook itself, so "the Nth call" is per fault and per mount: a remount starts counting again.
 *
 * @param option the option as given, e.g. {@code fail-begin=enospc@3}, for messages
 * @param kind   what the fault does
 * @param value  the errno (positive), the Iomap flags to add, or the delay in nanoseconds
 * @param where  which calls it hits
 */
record Fault(String option, Kind kind, long value, Where where, AtomicLong calls) {
    /** The hook a fault sits on and what it does there. */
    enum Kind {
        /** iomap_begin of a direct write returns {@code -value} instead of a mapping. */
        FAIL_BEGIN,
        /** end_io of a direct write returns {@code -value} (after the inner end_io ran). */
        FAIL_END_IO,
        /** The mapping iomap_begin returned for a direct write gets the Iomap flags {@code value}. */
        FORCE_FLAGS,
        /** iomap_begin of a direct write waits {@code value} nanoseconds first (EAGAIN under NOWAIT). */
        DELAY_BEGIN
    }

    /** Which calls of the hook a fault hits. */
    sealed interface Where {
        /** Every call. */
        record Always() implements Where {
        }

        /** The {@code n}th call (1-based), and every later one with {@code andLater}. */
        record Nth(long n, boolean andLater) implements Where {
        }

        /** Calls whose file range overlaps {@code [start, end)}. */
        record Range(long start, long end) implements Where {
        }

        /** Calls on the file that was opened under {@code path}. */
        record OnPath(String path) implements Where {
        }
    }

    Fault(String option, Kind kind, long value, Where where) {
        this(option, kind, value, where, new AtomicLong());
    }

    /**
     * Counts this call and says whether the fault hits it.
     *
     * @param pos       file offset of the call
     * @param length    bytes the call covers
     * @param onPath    whether the call is on the file of an {@link Where.OnPath} fault
     */
    boolean hits(long pos, long length, boolean onPath) {
        long call = calls.incrementAndGet();
        return switch (where) {
            case Where.Always a -> true;
            case Where.Nth(long n, boolean andLater) -> andLater ? call >= n : call == n;
            case Where.Range(long start, long end) -> pos < end && start < pos + Math.max(1, length);
            case Where.OnPath p -> onPath;
        };
    }
}
