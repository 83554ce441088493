package io.jiomap.cli.fio;

import io.jiomap.core.CompletionMode;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.CqeConsumer;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.MemorySegment;

/**
 * {@code ioengine=io_uring}: an IoRing owned by the job thread, writes completed by the job's completion mode; with
 * {@code hipri} (or {@code completion=caller+poll}) an IOPOLL ring.
 */
final class RingEngine implements IoEngine {
    private final OpenFile file;
    private final int blockSize;
    private final IoRing ring;
    private final MemorySegment buffers;

    RingEngine(OpenFile file, int depth, int blockSize, CompletionMode mode, boolean hipri) {
        this.file = file;
        this.blockSize = blockSize;
        int entries = depth <= 1 ? 1 : Integer.highestOneBit(depth - 1) << 1;
        this.ring = IoRing.create(entries, mode, hipri ? IoRing.SETUP_IOPOLL : 0);
        this.buffers = ring.allocateBuffer((long) depth * blockSize, 4096);
    }

    @Override
    public MemorySegment buffers() {
        return buffers;
    }

    @Override
    public void queue(int op, int slot, long offset) {
        boolean queued = switch (op) {
            case OP_READ -> ring.prepRead(file, buffers, (long) slot * blockSize, blockSize, offset, 0, slot);
            case OP_WRITE -> ring.prepWrite(file, buffers, (long) slot * blockSize, blockSize, offset, 0, slot);
            case OP_FSYNC -> ring.prepFsync(file, 0, slot);
            default -> ring.prepFsync(file, IoRing.RWF_DATASYNC, slot);
        };
        if (!queued) {
            // The job loop never has more slots than ring entries, so a full submission queue is a bug here.
            throw new IllegalStateException("submission queue full with " + ring.entries() + " entries");
        }
    }

    @Override
    public void commit() {
        ring.submit();
    }

    @Override
    public void await(int min) {
        if (ring.sqReady() > 0) {
            // submit() leaves requests prepared when every ring slot is busy; they go as soon as slots free.
            ring.submit();
        }
        ring.waitCompletions(min);
    }

    @Override
    public int reap(CqeConsumer consumer) {
        return ring.reap(consumer);
    }

    @Override
    public int pending() {
        return ring.sqReady() + ring.inFlight() + ring.cqReady();
    }

    @Override
    public boolean completesInQueue() {
        return false;
    }

    @Override
    public void close() {
        ring.close();
    }
}
