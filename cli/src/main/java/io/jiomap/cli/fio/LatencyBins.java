package io.jiomap.cli.fio;

/**
 * fio's latency histogram ({@code io_u_plat}), bucket for bucket, so percentiles and json+ {@code bins} are the ones
 * fio would compute from the same samples. Values below 128 ns have a bucket each; above, a value is grouped by its
 * most significant bit and the next {@link #BITS} bits pick one of {@link #PER_GROUP} equal buckets in the group, so
 * a bucket is at most 1/128 of its value wide. Values past the last group count in the last bucket. A bucket is
 * represented by the middle of its range, truncated to whole nanoseconds.
 */
final class LatencyBins {
    /** fio's FIO_IO_U_PLAT_BITS. */
    static final int BITS = 6;
    /** fio's FIO_IO_U_PLAT_VAL: buckets per group. */
    static final int PER_GROUP = 1 << BITS;
    /** fio's FIO_IO_U_PLAT_GROUP_NR. */
    static final int GROUPS = 29;
    /** fio's FIO_IO_U_PLAT_NR. */
    static final int BUCKETS = GROUPS * PER_GROUP;

    private final long[] counts = new long[BUCKETS];

    /** The bucket of a latency in nanoseconds (negative ones count as 0). */
    static int index(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        int msb = 63 - Long.numberOfLeadingZeros(nanos);
        if (msb <= BITS) {
            return (int) nanos;
        }
        int errorBits = msb - BITS;
        long idx = ((long) (errorBits + 1) << BITS) + ((nanos >>> errorBits) & (PER_GROUP - 1));
        return (int) Math.min(idx, BUCKETS - 1);
    }

    /** The value a bucket stands for: its own value below 128, else the middle of its range. */
    static long value(int index) {
        if (index < 0 || index >= BUCKETS) {
            throw new IllegalArgumentException("bucket " + index + " is not in [0, " + BUCKETS + ")");
        }
        if (index < PER_GROUP << 1) {
            return index;
        }
        int errorBits = (index >> BITS) - 1;
        long base = 1L << (errorBits + BITS);
        long k = index % PER_GROUP;
        // base + (k + 0.5) * 2^errorBits; errorBits >= 1 here, so the half is a whole number.
        return base + (k << errorBits) + (1L << (errorBits - 1));
    }

    void record(long nanos) {
        counts[index(nanos)]++;
    }

    void add(LatencyBins other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
    }

    long count(int index) {
        return counts[index];
    }

    /**
     * fio's percentile: the value of the first bucket at which the running count reaches {@code p} percent of
     * {@code total} samples; 0 when there are none.
     */
    long percentile(double p, long total) {
        if (total == 0) {
            return 0;
        }
        double target = p / 100.0 * total;
        long sum = 0;
        for (int i = 0; i < BUCKETS; i++) {
            sum += counts[i];
            if (counts[i] > 0 && sum >= target) {
                return value(i);
            }
        }
        return value(BUCKETS - 1);
    }

    /** Calls {@code sink} with (bucket value, count) for every bucket that holds samples, smallest first. */
    void forEachNonEmpty(BinSink sink) {
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] > 0) {
                sink.bin(value(i), counts[i]);
            }
        }
    }

    /** Receives the non-empty buckets. */
    @FunctionalInterface
    interface BinSink {
        void bin(long value, long count);
    }
}
