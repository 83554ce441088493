package io.jiomap.cli.fio;

/**
 * What one job thread (one numjobs clone) measured, or several merged for group_reporting. Written by its job thread,
 * read after that thread was joined.
 */
final class JobResult {
    final JobSpec spec;
    final int jobs;
    final DirectionStats read = new DirectionStats();
    final DirectionStats write = new DirectionStats();
    final LatencyStat sync = new LatencyStat();
    /** Completion latencies of reads and writes in fio's coarse buckets. */
    final LatencyDistribution latency = new LatencyDistribution();
    long runtimeNanos;
    long userCpuNanos;
    long systemCpuNanos;
    /** The first errno, positive; 0 when the job ran without error. */
    int error;
    String errorMessage;
    /** An unexpected exception that ended the job thread, reported with its stack trace. */
    Throwable crash;
    boolean verified;
    long verifiedBlocks;
    long verifyErrors;
    String firstVerifyError;

    JobResult(JobSpec spec, int jobs) {
        this.spec = spec;
        this.jobs = jobs;
    }

    /** Several clones as one (group_reporting): sums, the longest runtime, the first error. */
    static JobResult merge(JobSpec spec, Iterable<JobResult> parts) {
        int n = 0;
        for (JobResult ignored : parts) {
            n++;
        }
        JobResult m = new JobResult(spec, n);
        for (JobResult r : parts) {
            m.read.add(r.read);
            m.write.add(r.write);
            m.sync.add(r.sync);
            m.latency.add(r.latency);
            m.runtimeNanos = Math.max(m.runtimeNanos, r.runtimeNanos);
            m.userCpuNanos += r.userCpuNanos;
            m.systemCpuNanos += r.systemCpuNanos;
            if (m.error == 0 && r.error != 0) {
                m.error = r.error;
                m.errorMessage = r.errorMessage;
            }
            m.verified |= r.verified;
            m.verifiedBlocks += r.verifiedBlocks;
            m.verifyErrors += r.verifyErrors;
            if (m.firstVerifyError == null) {
                m.firstVerifyError = r.firstVerifyError;
            }
        }
        return m;
    }

    /** fio's job error: the I/O errno, or EILSEQ (84) for a failed verify, as fio reports it. */
    int fioError() {
        return error != 0 ? error : verifyErrors > 0 ? EILSEQ : 0;
    }

    static final int EILSEQ = 84;
}
