package io.jiomap.cli.report;

import io.jiomap.api.vfs.DioCounters;
import java.util.Objects;

/**
 * One measured point of a report: a completion mode at a queue depth. A metric a source did not measure (the seed's
 * reference numbers have IOPS only) is {@code NaN}, and {@code completions} is then {@code null}.
 *
 * @param mode                 completion mode as the command line names it ({@code workqueue}, {@code caller}, ...)
 * @param qd                   queue depth
 * @param ios                  I/Os completed in the measured time (all rounds)
 * @param seconds              measured time (all rounds)
 * @param iops                 I/Os per second
 * @param bandwidth            bytes per second
 * @param cpuMicrosPerIo       CPU time of the whole process per I/O, microseconds
 * @param threadCpuMicrosPerIo CPU time of the issuing thread(s) per I/O, microseconds
 * @param p50Micros            median latency, microseconds
 * @param p90Micros            90th percentile latency, microseconds
 * @param p99Micros            99th percentile latency, microseconds
 * @param p999Micros           99.9th percentile latency, microseconds
 * @param completions          where the completions ran and what bios they cost, or {@code null} if unknown
 */
public record ReportPoint(String mode, int qd, long ios, double seconds, double iops, double bandwidth,
                          double cpuMicrosPerIo, double threadCpuMicrosPerIo, double p50Micros, double p90Micros,
                          double p99Micros, double p999Micros, DioCounters completions) {
    public ReportPoint {
        Objects.requireNonNull(mode, "mode");
        if (qd < 1) {
            throw new IllegalArgumentException("a point's queue depth must be at least 1, got " + qd);
        }
        if (!(iops >= 0)) {
            throw new IllegalArgumentException("a point's IOPS must be a number >= 0, got " + iops);
        }
    }

    /** A point known by its IOPS alone (a published reference table). */
    public static ReportPoint iopsOnly(String mode, int qd, double iops, long blockSize) {
        return new ReportPoint(mode, qd, 0, Double.NaN, iops, iops * blockSize, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, null);
    }
}
