package io.jiomap.cli.fio;

import io.jiomap.cli.measure.MachineInfo;
import io.jiomap.cli.report.ReportPoint;
import io.jiomap.cli.report.ReportWriter;
import io.jiomap.cli.report.RunReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code jiomap fio --report=DIR}: a finished fio run as a report (results.json, charts, index.html). Each reported
 * job is a point at its depth, named after the job and its completion mode; its latency is the completion latency
 * (clat) of the direction with more I/Os, and its CPU the job thread's user + system time.
 */
final class FioReport {
    static final String OPTION = "--report=";

    private FioReport() {
    }

    /** Removes {@code --report=DIR} from fio's arguments (it is jiomap's, not a fio option); null when absent. */
    static Path takeReportOption(List<String> args) {
        Path dir = null;
        for (Iterator<String> it = args.iterator(); it.hasNext(); ) {
            String a = it.next();
            if (a.startsWith(OPTION)) {
                if (a.length() == OPTION.length()) {
                    throw new IllegalArgumentException("--report= needs a directory, e.g. --report=out");
                }
                dir = Path.of(a.substring(OPTION.length()));
                it.remove();
            }
        }
        return dir;
    }

    static void write(FioRun run, String command, Path dir, PrintWriter err) {
        try {
            Path index = ReportWriter.writeRun(dir, toReport(run, command, MachineInfo.current()));
            err.println("report: " + index.toAbsolutePath().normalize());
            err.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir, e);
        }
    }

    static RunReport toReport(FioRun run, String command, MachineInfo machine) {
        List<ReportPoint> points = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        long blockSize = 0;
        for (JobResult job : run.jobs()) {
            JobSpec spec = job.spec;
            blockSize = Math.max(blockSize, spec.blockSize());
            String mode = spec.name() + " (" + (spec.engine() == JobSpec.Engine.IO_URING
                    ? spec.completion().cliName() : spec.engine().name().toLowerCase(java.util.Locale.ROOT)) + ")";
            int n = seen.merge(mode + "@" + spec.depth(), 1, Integer::sum);
            if (n > 1) {
                mode += " #" + n;
            }
            DirectionStats main = job.write.ios >= job.read.ios ? job.write : job.read;
            long ios = job.read.ios + job.write.ios;
            double seconds = job.runtimeNanos / 1e9;
            double iops = seconds > 0 ? ios / seconds : 0;
            double bandwidth = seconds > 0 ? (job.read.bytes + job.write.bytes) / seconds : 0;
            double cpu = ios > 0 ? (job.userCpuNanos + job.systemCpuNanos) / 1e3 / ios : Double.NaN;
            LatencyStat clat = main.clat;
            boolean hasLatency = clat.n() > 0;
            points.add(new ReportPoint(mode, spec.depth(), ios, seconds, iops, bandwidth, Double.NaN, cpu,
                    hasLatency ? clat.percentile(50) / 1e3 : Double.NaN,
                    hasLatency ? clat.percentile(90) / 1e3 : Double.NaN,
                    hasLatency ? clat.percentile(99) / 1e3 : Double.NaN,
                    hasLatency ? clat.percentile(99.9) / 1e3 : Double.NaN,
                    run.jobs().size() == 1 ? run.counters() : null));
        }
        return new RunReport("jiomap fio", command, run.device(), run.fs(), blockSize, machine,
                Instant.ofEpochMilli(run.startedMillis()).truncatedTo(ChronoUnit.SECONDS).toString(), points);
    }
}
