package io.jiomap.cli.fio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The logs one job thread keeps, named as fio names them: {@code write_lat_log=NAME} gives {@code NAME_lat.N.log},
 * {@code NAME_clat.N.log} and {@code NAME_slat.N.log}, {@code write_iops_log=NAME} {@code NAME_iops.N.log},
 * {@code write_bw_log=NAME} {@code NAME_bw.N.log}, where N is the thread's number among all the run's job threads,
 * from 1. Values: latencies in ns; IOPS; bandwidth in KiB/s. Without {@code log_avg_msec} the IOPS log has a 1 and
 * the bandwidth log the I/O's size over its completion latency for every I/O (fio's per-I/O form); with it both hold
 * the periodic rate samples.
 */
final class JobLogs {
    private final JobSpec spec;
    final FioLog lat;
    final FioLog clat;
    final FioLog slat;
    final FioLog iops;
    final FioLog bw;

    private JobLogs(JobSpec spec) {
        this.spec = spec;
        long avg = spec.logAvgMsec();
        boolean offset = spec.logOffset();
        boolean latency = spec.latLog() != null;
        this.lat = latency ? new FioLog(avg, offset, false) : null;
        this.clat = latency ? new FioLog(avg, offset, false) : null;
        this.slat = latency ? new FioLog(avg, offset, false) : null;
        this.iops = spec.iopsLog() != null ? new FioLog(avg, offset, avg > 0) : null;
        this.bw = spec.bwLog() != null ? new FioLog(avg, offset, avg > 0) : null;
    }

    /** The logs a job asks for, or null when it asks for none (then nothing is logged or allocated). */
    static JobLogs of(JobSpec spec) {
        return spec.latLog() == null && spec.iopsLog() == null && spec.bwLog() == null ? null : new JobLogs(spec);
    }

    /** Whether IOPS and bandwidth are logged per I/O (no log_avg_msec) rather than as periodic samples. */
    boolean ratesPerIo() {
        return spec.logAvgMsec() == 0;
    }

    /**
     * One read or write completed.
     *
     * @param slatNanos submission latency, or -1 when the engine has none (blocking engines)
     */
    void completed(long elapsedMs, long submittedMs, int direction, long bytes, long offset, long slatNanos,
                   long clatNanos, long latNanos) {
        if (lat != null) {
            lat.add(elapsedMs, latNanos, direction, bytes, offset);
            clat.add(elapsedMs, clatNanos, direction, bytes, offset);
            if (slatNanos >= 0) {
                slat.add(submittedMs, slatNanos, direction, bytes, offset);
            }
        }
        if (ratesPerIo()) {
            if (iops != null) {
                iops.add(elapsedMs, 1, direction, bytes, offset);
            }
            if (bw != null) {
                bw.add(elapsedMs, clatNanos > 0 ? bytes * 1_000_000 / clatNanos : 0, direction, bytes, offset);
            }
        }
    }

    /** The job ended: averaging windows still open become entries. */
    void finish(long elapsedMs) {
        for (FioLog log : new FioLog[] {lat, clat, slat, iops, bw}) {
            if (log != null) {
                log.finish(elapsedMs);
            }
        }
    }

    /**
     * Writes the files of job thread {@code number} (from 1) into the working directory.
     *
     * @return the files written
     * @throws UncheckedIOException naming the file that could not be written
     */
    List<Path> write(int number) {
        List<Path> written = new ArrayList<>();
        write(spec.latLog(), "lat", lat, number, written);
        write(spec.latLog(), "clat", clat, number, written);
        write(spec.latLog(), "slat", slat, number, written);
        write(spec.iopsLog(), "iops", iops, number, written);
        write(spec.bwLog(), "bw", bw, number, written);
        return written;
    }

    private static void write(String name, String kind, FioLog log, int number, List<Path> written) {
        if (log == null) {
            return;
        }
        Path file = Path.of(name + "_" + kind + "." + number + ".log");
        try {
            log.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the " + kind + " log " + file.toAbsolutePath() + ": " + e, e);
        }
        written.add(file);
    }
}
