package io.jiomap.device.model;

import io.jiomap.api.block.BioOp;

/**
 * When each command of one queue is due, like null_blk's timer mode but with a queue's pipeline: a command's latency
 * overlaps with the commands before it, its transfer does not (one queue moves one command's data at a time), and a
 * queue completes in order, so a command is never due before the one ahead of it.
 *
 * <p>With {@code flushDrainsQueue} (SATA's FLUSH CACHE, a non-NCQ command) a flush starts only when every command
 * ahead of it has completed, and no command behind it starts before the flush has completed (docs/devices.md,
 * "SATA-like"). Both are taken from the clock, not from due times: the queue's thread completes in order, so when it
 * picks a flush up everything ahead has really completed, and it reports the flush's real completion through
 * {@link #flushCompleted}. Otherwise (NVMe) a flush is an ordinary queued command.
 *
 * <p>Used by the queue's own thread only: no synchronisation.
 */
final class QueueSchedule {
    private final ServiceTime model;
    private final boolean flushDrainsQueue;
    /** When the last command given a due time completes. */
    private long lastDue = Long.MIN_VALUE;
    /** Commands start no earlier than this: the end of the last draining flush. */
    private long barrier = Long.MIN_VALUE;

    QueueSchedule(ServiceTime model, boolean flushDrainsQueue) {
        this.model = model;
        this.flushDrainsQueue = flushDrainsQueue;
    }

    /**
     * The earliest time a command may complete; commands come in queue order.
     *
     * @param submittedNanos when it was submitted
     * @param nowNanos       when the queue's thread picked it up, after completing every command ahead of it
     */
    long due(long submittedNanos, long nowNanos, BioOp op, int length) {
        long due;
        if (op == BioOp.FLUSH) {
            if (flushDrainsQueue) {
                due = Math.max(Math.max(submittedNanos, nowNanos), lastDue) + model.flushLatencyNanos();
                barrier = Long.MAX_VALUE;
            } else {
                due = Math.max(lastDue, submittedNanos + model.flushLatencyNanos());
            }
        } else if (op == BioOp.DISCARD) {
            // A command like a write's, with no data to move.
            long start = Math.max(submittedNanos, barrier);
            due = Math.max(lastDue, start + model.latencyNanos());
        } else {
            long start = Math.max(submittedNanos, barrier);
            due = Math.max(lastDue, start + model.latencyNanos()) + model.transferNanos(length);
        }
        lastDue = due;
        return due;
    }

    /** A draining flush has completed at {@code nanos}: the commands behind it may start from then on. */
    void flushCompleted(long nanos) {
        if (flushDrainsQueue) {
            barrier = nanos;
        }
    }
}
