package io.jiomap.cli.fio;

/**
 * fio's coarse completion-latency distribution ({@code latency_ns}, {@code latency_us}, {@code latency_ms} in its
 * JSON, the {@code lat (usec) : 50=4.88%, ...} lines in its normal output): a latency below 1 us counts in the
 * nanosecond buckets, below 1 ms in the microsecond buckets (by whole microseconds), else in the millisecond buckets
 * (by whole milliseconds). Each bucket is named after its exclusive upper bound: "4" holds 2 and 3, "10" holds 4 to 9;
 * the last millisecond bucket, "&gt;=2000", holds everything from 2 s.
 */
final class LatencyDistribution {
    /** Bucket names of the ns and us ranges; bucket i holds [BOUNDS[i-1], BOUNDS[i]) and bucket 0 holds [0, 2). */
    static final int[] BOUNDS = {2, 4, 10, 20, 50, 100, 250, 500, 750, 1000};
    /** Bucket names of the ms range: the same, then 2000 (from 1000) and >=2000. */
    static final String[] MS_NAMES = {"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000", "2000",
            ">=2000"};

    private final long[] ns = new long[BOUNDS.length];
    private final long[] us = new long[BOUNDS.length];
    private final long[] ms = new long[MS_NAMES.length];

    void record(long nanos) {
        if (nanos < 1_000) {
            ns[bucket(Math.max(0, nanos))]++;
        } else if (nanos < 1_000_000) {
            us[bucket(nanos / 1_000)]++;
        } else {
            long millis = nanos / 1_000_000;
            ms[millis >= 2000 ? 11 : millis >= 1000 ? 10 : bucket(millis)]++;
        }
    }

    /** The bucket of a value below 1000. */
    private static int bucket(long v) {
        int i = 0;
        while (v >= BOUNDS[i]) {
            i++;
        }
        return i;
    }

    void add(LatencyDistribution other) {
        for (int i = 0; i < ns.length; i++) {
            ns[i] += other.ns[i];
            us[i] += other.us[i];
        }
        for (int i = 0; i < ms.length; i++) {
            ms[i] += other.ms[i];
        }
    }

    long[] ns() {
        return ns.clone();
    }

    long[] us() {
        return us.clone();
    }

    long[] ms() {
        return ms.clone();
    }

    /**
     * fio's share of one bucket in percent of {@code total} I/Os, where a bucket that holds anything shows at least
     * 0.01 so it never reads as empty.
     */
    static double percent(long count, long total) {
        if (total == 0) {
            return 0;
        }
        double p = 100.0 * count / total;
        return count > 0 && p < 0.01 ? 0.01 : p;
    }
}
