package io.jiomap.itests;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Recognisable block contents, so a read-back proves which write landed where. */
final class Blocks {
    static final int SIZE = 4096;

    private Blocks() {
    }

    /** Fills block {@code index} of {@code buffer} with bytes derived from {@code seed} and the block's number. */
    static void fill(MemorySegment buffer, int index, int seed) {
        long base = (long) index * SIZE;
        for (int i = 0; i < SIZE; i += Long.BYTES) {
            buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, base + i, ((long) seed << 40) ^ ((long) index << 20) ^ i);
        }
    }

    /** Whether blocks {@code [0, count)} of both buffers hold the same bytes. */
    static boolean same(MemorySegment a, MemorySegment b, int count) {
        return MemorySegment.mismatch(a, 0, (long) count * SIZE, b, 0, (long) count * SIZE) == -1;
    }
}
