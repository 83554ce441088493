package io.jiomap.cli.fio;

/**
 * One latency series (fio's slat, clat, lat or sync lat): exact count, min, max, mean and standard deviation, and
 * fio's histogram for the percentiles and json+ bins. Recording is a few additions and one bucket increment.
 */
final class LatencyStat {
    private final LatencyBins bins = new LatencyBins();
    private long n;
    private long min = Long.MAX_VALUE;
    private long max;
    private double sum;
    private double sumSquares;

    void record(long nanos) {
        long v = Math.max(nanos, 0);
        n++;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
        sum += v;
        sumSquares += (double) v * v;
        bins.record(v);
    }

    void add(LatencyStat other) {
        n += other.n;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        sum += other.sum;
        sumSquares += other.sumSquares;
        bins.add(other.bins);
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
        return n == 0 ? 0 : sum / n;
    }

    /** Sample standard deviation, as fio prints it. */
    double stddev() {
        if (n < 2) {
            return 0;
        }
        double mean = sum / n;
        return Math.sqrt(Math.max(0, (sumSquares - n * mean * mean) / (n - 1)));
    }

    /** fio's percentile: the representative value of the bucket holding it. */
    long percentile(double p) {
        return bins.percentile(p, n);
    }

    LatencyBins bins() {
        return bins;
    }
}
