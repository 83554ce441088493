package io.jiomap.cli.fio;

import io.jiomap.core.ring.CqeConsumer;
import java.lang.foreign.MemorySegment;

/**
 * fio's ioengine contract, reduced to what a job loop needs: queue I/Os into slots, commit them, wait for and reap
 * completions. One engine belongs to one job thread. Results are bytes or a negative errno, as in a CQE.
 */
interface IoEngine extends AutoCloseable {
    int OP_READ = 0;
    int OP_WRITE = 1;
    int OP_FSYNC = 2;
    int OP_FDATASYNC = 3;

    /** {@code depth} buffers of the block size, one per slot, aligned for direct I/O. */
    MemorySegment buffers();

    /** Queues one I/O for slot {@code slot} (its buffer is slot * block size into {@link #buffers()}). */
    void queue(int op, int slot, long offset);

    /** Submits what was queued. */
    void commit();

    /** Waits until at least {@code min} completions are ready or nothing is in flight. */
    void await(int min);

    /** Hands every ready completion to the consumer, userData being the slot. @return how many */
    int reap(CqeConsumer consumer);

    /** I/Os queued and not reaped yet. */
    int pending();

    /**
     * Whether an I/O is done by the time {@link #queue} returns (the blocking engines): then there is no separate
     * submission latency, and completion latency is the whole call, as fio reports for psync.
     */
    boolean completesInQueue();

    @Override
    void close();
}
