package io.jiomap.device.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The dirty bitmap of the write cache agrees with {@link BitSet} across word boundaries. */
class DirtyBitsTest {
    @Test
    void rangeOperationsAndSearchesAgreeWithBitSet() {
        Random random = new Random(42);
        int bits = 256;
        long[] words = new long[bits / 64];
        BitSet expected = new BitSet(bits);
        for (int round = 0; round < 2000; round++) {
            int from = random.nextInt(bits + 1);
            int to = from + random.nextInt(bits - from + 1);
            if (random.nextBoolean()) {
                WriteBackStore.setBits(words, from, to);
                expected.set(from, to);
            } else {
                WriteBackStore.clearBits(words, from, to);
                expected.clear(from, to);
            }
            int a = random.nextInt(bits + 1);
            int b = a + random.nextInt(bits - a + 1);
            assertThat(WriteBackStore.nextSetBit(words, a, b)).isEqualTo(clamp(expected.nextSetBit(a), b));
            assertThat(WriteBackStore.nextClearBit(words, a, b)).isEqualTo(clamp(expected.nextClearBit(a), b));
        }
    }

    private static int clamp(int index, int to) {
        return index < 0 || index > to ? to : index;
    }
}
