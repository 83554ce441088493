package io.jiomap.cli.fio;

/**
 * fio's periodic IOPS or bandwidth samples (its {@code iopsavgtime} and {@code bwavgtime}, 500 ms, or
 * {@code log_avg_msec} when that rate is logged with averaging): once an interval has passed, each direction that
 * completed I/O in it gets a sample, its count over the interval's whole milliseconds (IOPS, or KiB/s). These samples
 * are the {@code iops_*} and {@code bw_*} statistics of fio's JSON. The job thread polls it between I/Os; a poll
 * before the interval is over is one comparison.
 */
final class RateSampler {
    /** fio's default iopsavgtime and bwavgtime. */
    static final long DEFAULT_INTERVAL_MS = 500;
    /** fio's LOG_MSEC_SLACK: a sample less than this early is taken now. */
    private static final long SLACK_MS = 1;

    private final boolean bandwidth;
    private final long intervalMs;
    private final FioLog log;
    private final int blockSize;
    private long lastNanos;
    private long dueNanos;
    private final long[] lastCount = new long[2];

    /**
     * @param bandwidth true for KiB/s samples, false for IOPS
     * @param log       where each sample also goes (an averaged rate log), or null
     */
    RateSampler(boolean bandwidth, long intervalMs, FioLog log, int blockSize) {
        this.bandwidth = bandwidth;
        this.intervalMs = intervalMs;
        this.log = log;
        this.blockSize = blockSize;
    }

    void start(long nowNanos) {
        lastNanos = nowNanos;
        dueNanos = nowNanos + (intervalMs - SLACK_MS) * 1_000_000;
    }

    /** Takes the samples when the interval is over; {@code startNanos} is when the job started. */
    void poll(long nowNanos, long startNanos, DirectionStats read, DirectionStats write) {
        if (nowNanos - dueNanos < 0) {
            return;
        }
        long elapsedMs = (nowNanos - startNanos) / 1_000_000;
        long spentMs = (nowNanos - lastNanos) / 1_000_000;
        sample(0, read, spentMs, elapsedMs);
        sample(1, write, spentMs, elapsedMs);
        start(nowNanos);
    }

    private void sample(int direction, DirectionStats d, long spentMs, long elapsedMs) {
        long count = bandwidth ? d.bytes : d.ios;
        long delta = count - lastCount[direction];
        if (delta == 0) {
            return;
        }
        lastCount[direction] = count;
        long rate = spentMs == 0 ? 0 : bandwidth ? delta * 1000 / spentMs / 1024 : delta * 1000 / spentMs;
        (bandwidth ? d.bwSamples : d.iopsSamples).add(rate);
        if (log != null) {
            log.add(elapsedMs, rate, direction, blockSize, 0);
        }
    }
}
