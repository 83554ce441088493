package io.jiomap.device.toolkit.crash;

import java.util.Arrays;

/** An open-addressing map from sector number (>= 0) to an int, without boxing: a crash state's overlay index. */
final class SectorMap {
    private static final long EMPTY = -1;

    private long[] keys;
    private int[] values;
    private int size;

    SectorMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        values = new int[capacity];
    }

    /** The value for {@code sector}, or -1. */
    int get(long sector) {
        int mask = keys.length - 1;
        for (int i = hash(sector) & mask; ; i = (i + 1) & mask) {
            long key = keys[i];
            if (key == sector) {
                return values[i];
            }
            if (key == EMPTY) {
                return -1;
            }
        }
    }

    void put(long sector, int value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        for (int i = hash(sector) & mask; ; i = (i + 1) & mask) {
            long key = keys[i];
            if (key == sector) {
                values[i] = value;
                return;
            }
            if (key == EMPTY) {
                keys[i] = sector;
                values[i] = value;
                size++;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        values = new int[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
