package io.jiomap.cli.fio;

import io.jiomap.api.vfs.DioCounters;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A finished run, as the reports see it.
 *
 * @param global        the global options as given
 * @param jobs          one entry per reported job (per clone, or per job with group_reporting)
 * @param counters      the mount's completion counters over the run
 * @param device        the device spec used
 * @param fs            the filesystem spec used
 * @param startedMillis wall-clock start, for fio's timestamp
 */
record FioRun(Map<String, String> global, List<JobResult> jobs, DioCounters counters, String device, String fs,
              long startedMillis) {
    /** The completion modes the io_uring jobs ran with (the blocking and null engines do not use one). */
    String completion() {
        String modes = jobs.stream().filter(j -> j.spec.engine() == JobSpec.Engine.IO_URING)
                .map(j -> j.spec.completion().cliName()).distinct().collect(Collectors.joining(","));
        return modes.isEmpty() ? "none (no io_uring job)" : modes;
    }

    /**
     * fio's aggregate bandwidth of one direction over the reported jobs, in bytes/s: all their bytes over the longest
     * runtime among the jobs that did I/O in that direction.
     */
    double aggregateBytesPerSecond(boolean read) {
        long bytes = 0;
        long maxMs = 0;
        for (JobResult r : jobs) {
            DirectionStats d = read ? r.read : r.write;
            if (d.ios > 0) {
                bytes += d.bytes;
                maxMs = Math.max(maxMs, Math.max(1, Math.round(r.runtimeNanos / 1e6)));
            }
        }
        return maxMs == 0 ? 0 : bytes * 1000.0 / maxMs;
    }
}
