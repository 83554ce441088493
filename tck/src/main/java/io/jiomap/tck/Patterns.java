package io.jiomap.tck;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Data the contract writes: a pattern that depends on a seed and never contains a zero byte, so a data bio is never
 * mistaken for a zeroing bio and a read that returned zeros is never mistaken for data.
 */
public final class Patterns {
    private Patterns() {
    }

    /** Byte {@code i} of the pattern for {@code seed}: 1..251. */
    public static byte at(long seed, long i) {
        return (byte) (1 + Math.floorMod(seed * 131 + i * 7 + (i >>> 9), 251));
    }

    /** Fills {@code [offset, offset + length)} of {@code segment} with the pattern for {@code seed}. */
    public static void fill(MemorySegment segment, long offset, long length, long seed) {
        for (long i = 0; i < length; i++) {
            segment.set(ValueLayout.JAVA_BYTE, offset + i, at(seed, i));
        }
    }

    /** The pattern for {@code seed} as an array of {@code length} bytes. */
    public static byte[] bytes(long seed, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = at(seed, i);
        }
        return b;
    }
}
