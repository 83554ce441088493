package io.jiomap.device.file;

import io.jiomap.api.block.Bio;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The device's submission queue: a bounded multi-producer, single-consumer ring of bios between the submitters and
 * the ring thread (the same design as the memory device's queue).
 *
 * <p>Closing is atomic with claiming a slot: the producer index carries a {@link #CLOSED} bit, so a submitter either
 * claimed a slot before {@link #close} (and the ring thread will see the bio and end it) or sees the bit and ends its
 * bio with ENODEV itself. A submit is one CAS and one release store; nothing allocates. The indices sit 128 bytes
 * apart in one {@code long[]} so producers and the consumer do not false-share a cache line.
 *
 * <p>The doorbell: the consumer announces that it is about to block in io_uring_enter ({@link #IN_KERNEL}); the one
 * producer that takes the announcement back (a CAS) is told to wake it. While the consumer runs, submitting costs no
 * system call.
 */
final class BioQueue {
    static final int QUEUED = 0;
    /** Queued; the consumer waits in the kernel: ring its eventfd. */
    static final int QUEUED_WAKE_KERNEL = 1;
    static final int FULL = 2;
    static final int CLOSED_TO_SUBMITTERS = 3;

    static final long RUNNING = 0;
    static final long IN_KERNEL = 1;

    private static final long CLOSED = 1L << 62;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Bio[].class);
    private static final int PRODUCER_INDEX = 16;
    private static final int PRODUCER_LIMIT = 17;
    private static final int CONSUMER_INDEX = 32;
    private static final int CONSUMER_STATE = 48;
    private static final int INDEX_ARRAY_LENGTH = 64;

    private final long[] indices = new long[INDEX_ARRAY_LENGTH];
    private final Bio[] slots;
    private final int mask;
    private final int depth;

    BioQueue(int depth) {
        this.depth = depth;
        int capacity = Integer.highestOneBit(Math.max(1, depth - 1)) << 1;
        this.slots = new Bio[capacity];
        this.mask = capacity - 1;
        LONGS.setRelease(indices, PRODUCER_LIMIT, (long) depth);
    }

    /** Claims a slot and publishes the bio; never waits. */
    int offer(Bio bio) {
        long limit = (long) LONGS.getAcquire(indices, PRODUCER_LIMIT);
        long p;
        do {
            p = (long) LONGS.getVolatile(indices, PRODUCER_INDEX);
            if ((p & CLOSED) != 0) {
                return CLOSED_TO_SUBMITTERS;
            }
            if (p >= limit) {
                limit = (long) LONGS.getVolatile(indices, CONSUMER_INDEX) + depth;
                if (p >= limit) {
                    return FULL;
                }
                LONGS.setRelease(indices, PRODUCER_LIMIT, limit);
            }
        } while (!LONGS.compareAndSet(indices, PRODUCER_INDEX, p, p + 1));
        SLOTS.setRelease(slots, (int) p & mask, bio);
        long state = (long) LONGS.getVolatile(indices, CONSUMER_STATE);
        if (state != RUNNING && LONGS.compareAndSet(indices, CONSUMER_STATE, state, RUNNING)) {
            return QUEUED_WAKE_KERNEL;
        }
        return QUEUED;
    }

    /** Consumer only: takes the next published bio and frees its slot, or returns null. */
    Bio poll() {
        long c = (long) LONGS.getOpaque(indices, CONSUMER_INDEX);
        int slot = (int) c & mask;
        Bio bio = (Bio) SLOTS.getAcquire(slots, slot);
        if (bio != null) {
            slots[slot] = null;
            LONGS.setRelease(indices, CONSUMER_INDEX, c + 1);
        }
        return bio;
    }

    /** Consumer only: whether no slot is claimed beyond the consumer's. */
    boolean isEmpty() {
        long p = (long) LONGS.getVolatile(indices, PRODUCER_INDEX) & ~CLOSED;
        return p == (long) LONGS.getOpaque(indices, CONSUMER_INDEX);
    }

    /**
     * Consumer only: announces how the consumer is about to wait. The caller must re-check {@link #isEmpty} after
     * this and wait only if still empty.
     */
    void announce(long state) {
        LONGS.setVolatile(indices, CONSUMER_STATE, state);
    }

    /** Refuses every later offer; slots claimed before stay for the consumer. Idempotent. */
    void close() {
        LONGS.getAndBitwiseOr(indices, PRODUCER_INDEX, CLOSED);
    }

    /**
     * Consumer only, after {@link #close}: the next claimed bio (waiting the few instructions until it is
     * published), or null once every claimed slot has been consumed.
     */
    Bio pollClosed() {
        long c = (long) LONGS.getOpaque(indices, CONSUMER_INDEX);
        long p = (long) LONGS.getVolatile(indices, PRODUCER_INDEX) & ~CLOSED;
        if (c == p) {
            return null;
        }
        Bio bio;
        while ((bio = poll()) == null) {
            Thread.onSpinWait();
        }
        return bio;
    }
}
