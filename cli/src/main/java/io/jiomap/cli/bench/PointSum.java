package io.jiomap.cli.bench;

import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.measure.Latency;
import org.HdrHistogram.Histogram;

/**
 * Measured points of one kind (a QD and a mode, over the rounds) added up, and the per-I/O figures that follow from
 * the sums rather than from averaging the points' own figures.
 */
record PointSum(long ios, long elapsedNanos, long processCpuNanos, long threadCpuNanos, Histogram latency,
                DioCounters counters, long issuerSleeps, long workqueueSleeps) {

    static PointSum of(Iterable<PointResult> points) {
        long ios = 0;
        long elapsed = 0;
        long pcpu = 0;
        long tcpu = 0;
        long issuerSleeps = 0;
        long workqueueSleeps = 0;
        Histogram h = Latency.newHistogram();
        DioCounters counters = DioCounters.ZERO;
        for (PointResult p : points) {
            ios += p.ios();
            elapsed += p.elapsedNanos();
            pcpu += p.processCpuNanos();
            tcpu += p.threadCpuNanos();
            issuerSleeps += p.issuerSleeps();
            workqueueSleeps += p.workqueueSleeps();
            h.add(p.latency());
            counters = plus(counters, p.counters());
        }
        return new PointSum(ios, elapsed, pcpu, tcpu, h, counters, issuerSleeps, workqueueSleeps);
    }

    private static DioCounters plus(DioCounters a, DioCounters b) {
        return new DioCounters(a.submitter() + b.submitter(), a.waiter() + b.waiter(), a.irq() + b.irq(),
                a.caller() + b.caller(), a.workqueue() + b.workqueue(), a.dataBios() + b.dataBios(),
                a.fuaWrites() + b.fuaWrites(), a.flushes() + b.flushes(), a.zeroingBios() + b.zeroingBios());
    }

    double iops() {
        return ios * 1e9 / elapsedNanos;
    }

    double processCpuMicrosPerIo() {
        return processCpuNanos / 1e3 / ios;
    }

    double threadCpuMicrosPerIo() {
        return threadCpuNanos / 1e3 / ios;
    }

    double issuerSleepsPerIo() {
        return (double) issuerSleeps / ios;
    }

    double workqueueSleepsPerIo() {
        return (double) workqueueSleeps / ios;
    }

    double percentileMicros(double p) {
        return latency.getValueAtPercentile(p) / 1e3;
    }
}
