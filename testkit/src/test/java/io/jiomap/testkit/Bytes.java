package io.jiomap.testkit;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Test data: a buffer filled with one byte value, and a check that a buffer holds only that value. */
final class Bytes {
    private Bytes() {
    }

    static MemorySegment fill(MemorySegment buffer, int value) {
        return buffer.fill((byte) value);
    }

    /** The first offset of {@code buffer[0, length)} that does not hold {@code value}, or -1. */
    static long firstOther(MemorySegment buffer, long length, int value) {
        for (long i = 0; i < length; i++) {
            if (buffer.get(ValueLayout.JAVA_BYTE, i) != (byte) value) {
                return i;
            }
        }
        return -1;
    }
}
