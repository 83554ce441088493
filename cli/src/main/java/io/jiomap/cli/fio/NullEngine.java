package io.jiomap.cli.fio;

import io.jiomap.core.ring.CqeConsumer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * {@code ioengine=null}: every I/O completes at once with its full length and nothing is moved, so a run measures the
 * job loop itself (offset choice, bookkeeping, latency recording): fio's harness-overhead baseline.
 */
final class NullEngine implements IoEngine {
    private final int blockSize;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffers;
    private final int[] readySlot;
    private final long[] readyResult;
    private int readyCount;

    NullEngine(int depth, int blockSize) {
        this.blockSize = blockSize;
        this.buffers = arena.allocate((long) depth * blockSize, 4096);
        this.readySlot = new int[depth];
        this.readyResult = new long[depth];
    }

    @Override
    public MemorySegment buffers() {
        return buffers;
    }

    @Override
    public void queue(int op, int slot, long offset) {
        readySlot[readyCount] = slot;
        readyResult[readyCount] = op == OP_READ || op == OP_WRITE ? blockSize : 0;
        readyCount++;
    }

    @Override
    public void commit() {
    }

    @Override
    public void await(int min) {
    }

    @Override
    public int reap(CqeConsumer consumer) {
        int n = readyCount;
        readyCount = 0;
        for (int i = 0; i < n; i++) {
            consumer.accept(readySlot[i], readyResult[i]);
        }
        return n;
    }

    @Override
    public int pending() {
        return readyCount;
    }

    @Override
    public boolean completesInQueue() {
        return false;
    }

    @Override
    public void close() {
        arena.close();
    }
}
