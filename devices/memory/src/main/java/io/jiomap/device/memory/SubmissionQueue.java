package io.jiomap.device.memory;

import io.jiomap.api.block.Bio;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The device's submission queue: a bounded multi-producer, single-consumer ring of bios, the memory device's
 * equivalent of an NVMe submission queue with its doorbell.
 *
 * <p>Why written here rather than taken from a library: closing must be atomic with claiming a slot. The producer
 * index carries a {@link #CLOSED} bit, so a submitter either claimed a slot before {@link #close} (and the consumer
 * will see that bio and fail or finish it) or sees the bit and fails its bio with ENODEV itself; no bio can slip in
 * after the consumer's final drain and hang. It also lets a slot stay taken until its bio's data has moved, so
 * {@code queue-depth} bounds the bios in flight, not only those waiting.
 *
 * <p>Hot path: a submit is one CAS and one release store, a consume one acquire load, a plain and a release store;
 * nothing allocates. The indices live in one {@code long[]} at 128-byte distances, so producers and the consumer do
 * not false-share a cache line (the JVM gives no layout guarantee for fields, but array elements are contiguous).
 *
 * <p>The doorbell: the consumer announces it is about to park; the one producer that takes that announcement back
 * (a CAS) is told to unpark it. While the consumer is busy, submitting costs no unpark system call.
 */
final class SubmissionQueue {
    /** Offer results. */
    static final int QUEUED = 0;
    /** Queued, and the consumer was parked: the caller must unpark it. */
    static final int QUEUED_WAKE_CONSUMER = 1;
    static final int FULL = 2;
    static final int CLOSED_TO_SUBMITTERS = 3;

    private static final long CLOSED = 1L << 62;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Bio[].class);

    /** Sixteen longs (128 bytes) apart: two cache lines, so adjacent-line prefetch does not pair them either. */
    private static final int PRODUCER_INDEX = 16;
    /** Written by producers next to the producer index: the consumer index a producer last saw, plus the depth. */
    private static final int PRODUCER_LIMIT = 17;
    private static final int CONSUMER_INDEX = 32;
    /** 1 while the consumer is parked or about to park. Read by every producer, written rarely. */
    private static final int CONSUMER_PARKED = 48;
    private static final int INDEX_ARRAY_LENGTH = 64;

    private final long[] indices = new long[INDEX_ARRAY_LENGTH];
    private final Bio[] slots;
    /** When each slot's bio was queued, for completion delays; written before the slot is published. */
    private final long[] queuedNanos;
    private final int mask;
    private final int depth;

    SubmissionQueue(int depth) {
        this.depth = depth;
        int capacity = Integer.highestOneBit(Math.max(1, depth - 1)) << 1;
        this.slots = new Bio[capacity];
        this.queuedNanos = new long[capacity];
        this.mask = capacity - 1;
        LONGS.setRelease(indices, PRODUCER_LIMIT, (long) depth);
    }

    /**
     * Claims a slot and publishes {@code bio} in it. Never waits: the caller decides whether a full queue means
     * waiting or EAGAIN.
     *
     * @param nanos the queueing time to keep with the bio (0 when nobody needs it)
     * @return {@link #QUEUED}, {@link #QUEUED_WAKE_CONSUMER}, {@link #FULL} or {@link #CLOSED_TO_SUBMITTERS}
     */
    int offer(Bio bio, long nanos) {
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
        int slot = (int) p & mask;
        queuedNanos[slot] = nanos;
        SLOTS.setRelease(slots, slot, bio);
        if ((long) LONGS.getVolatile(indices, CONSUMER_PARKED) != 0
                && LONGS.compareAndSet(indices, CONSUMER_PARKED, 1L, 0L)) {
            return QUEUED_WAKE_CONSUMER;
        }
        return QUEUED;
    }

    /** Consumer only: the next bio to serve, or null if none is published yet. Does not free its slot. */
    Bio peek() {
        long c = (long) LONGS.getOpaque(indices, CONSUMER_INDEX);
        return (Bio) SLOTS.getAcquire(slots, (int) c & mask);
    }

    /** Consumer only: when the bio returned by {@link #peek} was queued. */
    long peekQueuedNanos() {
        long c = (long) LONGS.getOpaque(indices, CONSUMER_INDEX);
        return queuedNanos[(int) c & mask];
    }

    /** Consumer only: frees the slot of the bio returned by {@link #peek}; a waiting submitter may now take it. */
    void release() {
        long c = (long) LONGS.getOpaque(indices, CONSUMER_INDEX);
        slots[(int) c & mask] = null;
        LONGS.setRelease(indices, CONSUMER_INDEX, c + 1);
    }

    /** Consumer only: whether no slot is claimed beyond the consumer's (a claimed slot may be unpublished yet). */
    boolean isEmpty() {
        long p = (long) LONGS.getVolatile(indices, PRODUCER_INDEX) & ~CLOSED;
        return p == (long) LONGS.getOpaque(indices, CONSUMER_INDEX);
    }

    boolean isClosed() {
        return ((long) LONGS.getVolatile(indices, PRODUCER_INDEX) & CLOSED) != 0;
    }

    /**
     * Consumer only: announces that the consumer is about to park. The caller must re-check {@link #isEmpty} after
     * this and park only if still empty; a producer that queues after the announcement is told to wake it.
     */
    void announceParking() {
        LONGS.setVolatile(indices, CONSUMER_PARKED, 1L);
    }

    /** Consumer only: the consumer is running again. */
    void announceRunning() {
        LONGS.setVolatile(indices, CONSUMER_PARKED, 0L);
    }

    /** Refuses every later offer. Slots claimed before stay for the consumer to drain. Idempotent. */
    void close() {
        LONGS.getAndBitwiseOr(indices, PRODUCER_INDEX, CLOSED);
    }

    /**
     * Consumer only, after {@link #close}: waits until the bio in the next claimed slot is published and returns
     * it, or returns null once every claimed slot has been consumed. A claimed slot is published a few instructions
     * after its claim, so the wait is a short spin.
     */
    Bio pollClosed() {
        long c = (long) LONGS.getOpaque(indices, CONSUMER_INDEX);
        long p = (long) LONGS.getVolatile(indices, PRODUCER_INDEX) & ~CLOSED;
        if (c == p) {
            return null;
        }
        Bio bio;
        while ((bio = (Bio) SLOTS.getAcquire(slots, (int) c & mask)) == null) {
            Thread.onSpinWait();
        }
        return bio;
    }
}
