package io.jiomap.cli.fio;

/**
 * fio's {@code io_stat} for whole-number samples (the periodic IOPS and bandwidth samples): count, min, max, and
 * Welford's running mean and sum of squared deviations.
 */
final class RunningStat {
    private long n;
    private long min = Long.MAX_VALUE;
    private long max;
    private double mean;
    private double squares;

    void add(long value) {
        if (value > max) {
            max = value;
        }
        if (value < min) {
            min = value;
        }
        double delta = value - mean;
        mean += delta / (n + 1.0);
        squares += delta * (value - mean);
        n++;
    }

    /**
     * Another job's rate samples added to these (fio's group_reporting for IOPS and bandwidth): the group's rate is
     * the sum of its jobs' rates, so min, max, mean and squares are summed, not pooled.
     */
    void sum(RunningStat other) {
        if (other.n == 0) {
            return;
        }
        if (n == 0) {
            min = other.min;
            max = other.max;
            mean = other.mean;
            squares = other.squares;
            n = other.n;
            return;
        }
        min += other.min;
        max += other.max;
        mean += other.mean;
        squares += other.squares;
        n += other.n;
    }

    long n() {
        return n;
    }

    long min() {
        return n == 0 ? 0 : min;
    }

    long max() {
        return max;
    }

    double mean() {
        return mean;
    }

    /** Sample standard deviation (fio's {@code sqrt(S / (n - 1))}). */
    double stddev() {
        return n < 2 ? 0 : Math.sqrt(squares / (n - 1));
    }
}
