package io.jiomap.cli.measure;

import org.HdrHistogram.Histogram;

/**
 * Latency histograms in nanoseconds: allocated once before a run, recorded into with {@link #record} only (no
 * allocation per I/O), three significant digits like fio's percentiles.
 */
public final class Latency {
    /** Anything slower than this is recorded as this: a latency beyond ten minutes is a hang, not a sample. */
    public static final long HIGHEST_NANOS = 600_000_000_000L;

    private Latency() {
    }

    public static Histogram newHistogram() {
        return new Histogram(1, HIGHEST_NANOS, 3);
    }

    /** Records one latency, clamped to the histogram's range (a clock step must not throw mid-run). */
    public static void record(Histogram h, long nanos) {
        h.recordValue(nanos < 1 ? 1 : Math.min(nanos, HIGHEST_NANOS));
    }
}
