package io.jiomap.cli.bench;

import io.jiomap.api.vfs.DioCounters;
import io.jiomap.core.CompletionMode;
import org.HdrHistogram.Histogram;

/**
 * One measured point: a QD and a completion mode in one round.
 *
 * @param ios              writes completed in the measured window (the drain at its end included)
 * @param elapsedNanos     wall time of the window, from the first submit to the last reap
 * @param processCpuNanos  CPU time of the whole process in the window
 * @param threadCpuNanos   CPU time of the bench thread in the window
 * @param latency          submit-to-reap latency of every write in the window, nanoseconds
 * @param counters         where the window's completions ran and what bios it cost
 * @param issuerSleeps     times the bench thread parked waiting for completions in the window
 * @param workqueueSleeps  times the completion workqueue's workers parked for lack of work in the window
 */
public record PointResult(int qd, CompletionMode mode, int round, long ios, long elapsedNanos, long processCpuNanos,
                          long threadCpuNanos, Histogram latency, DioCounters counters, long issuerSleeps,
                          long workqueueSleeps) {
    public double iops() {
        return ios * 1e9 / elapsedNanos;
    }
}
