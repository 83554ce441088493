package io.jiomap.cli.bench;

import io.jiomap.cli.measure.MachineInfo;
import io.jiomap.cli.text.Units;
import io.jiomap.core.CompletionMode;
import java.util.List;
import java.util.Locale;

/**
 * The text report of {@code jiomap bench --scenario=fragmented}: per filesystem, the extent counts, the extent map's
 * memory per extent, and per QD and mode the IOPS and CPU per I/O on each file summed over all rounds, with the
 * fragmented file's cost as a multiple of the contiguous file's (and the spread of the bench thread's multiple across
 * rounds).
 */
final class FragmentedReport {
    private final BenchConfig config;
    private final List<FragmentedScenario.Run> runs;
    private final String command;
    private final MachineInfo machine;

    FragmentedReport(BenchConfig config, List<FragmentedScenario.Run> runs, String command, MachineInfo machine) {
        this.config = config;
        this.runs = runs;
        this.command = command;
        this.machine = machine;
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        line(sb, "Random %s overwrites: a file of N one-block extents against one of the same size in the fewest"
                + " extents", Units.size(config.blockSize()));
        for (FragmentedScenario.Run run : runs) {
            line(sb, "");
            line(sb, "== %s: fragmented %d extents, contiguous %d extent%s (fiemap), each file %s", run.fs(),
                    run.extents(), run.contiguousExtents(), run.contiguousExtents() == 1 ? "" : "s",
                    Units.size(run.fileBytes()));
            line(sb, "  extent map memory: %.1f bytes per extent (heap after full GC, mounted with both files open"
                    + " minus unmounted: +%s)", (double) run.heapBytes() / run.extents(),
                    Units.binaryBytes(run.heapBytes()));
            line(sb, "  built the fragmented file in %.1f s", run.buildNanos() / 1e9);
            line(sb, "  %-4s %-9s %11s %11s %9s %9s %9s %9s %8s %8s %15s %8s", "QD", "mode", "IOPS frag",
                    "IOPS contig", "cpu frag", "cpu contig", "thr frag", "thr contig", "cpu x", "thr x",
                    "thr x by round", "IOPS x");
            for (int qd : config.queueDepths()) {
                for (CompletionMode mode : config.modes()) {
                    PointSum frag = PointSum.of(select(run, qd, mode, FragmentedScenario.Layout.FRAGMENTED));
                    PointSum contig = PointSum.of(select(run, qd, mode, FragmentedScenario.Layout.CONTIGUOUS));
                    line(sb, "  %-4d %-9s %11s %11s %9.2f %9.2f %9.2f %9.2f %8.3f %8.3f %15s %8.3f", qd,
                            mode.cliName(), Units.count(frag.iops()), Units.count(contig.iops()), frag.processCpuMicrosPerIo(),
                            contig.processCpuMicrosPerIo(), frag.threadCpuMicrosPerIo(), contig.threadCpuMicrosPerIo(),
                            frag.processCpuMicrosPerIo() / contig.processCpuMicrosPerIo(), frag.threadCpuMicrosPerIo() / contig.threadCpuMicrosPerIo(),
                            roundSpread(run, qd, mode), contig.iops() / frag.iops());
                }
            }
        }
        line(sb, "");
        line(sb, "cpu: CPU per I/O of the whole process, us; thr: of the bench thread (which maps, submits and,"
                + " in caller mode, completes every write), us. cpu x, thr x: fragmented / contiguous over all rounds"
                + " (min-max of the per-round thr x next to it); IOPS x: contiguous / fragmented IOPS. Files"
                + " alternate within each point, in reverse order every other round.");
        line(sb, "command:  %s", command);
        line(sb, "jvm:      %s  %s", machine.jvm(), machine.jvmArgs());
        line(sb, "nproc:    %d", machine.nproc());
        line(sb, "machine:  %s, %s", machine.cpuModel(), machine.os());
        return sb.toString();
    }

    private String roundSpread(FragmentedScenario.Run run, int qd, CompletionMode mode) {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int round = 0; round < config.rounds(); round++) {
            int r = round;
            PointSum frag = PointSum.of(select(run, qd, mode, FragmentedScenario.Layout.FRAGMENTED).stream()
                    .filter(p -> p.round() == r).toList());
            PointSum contig = PointSum.of(select(run, qd, mode, FragmentedScenario.Layout.CONTIGUOUS).stream()
                    .filter(p -> p.round() == r).toList());
            double x = frag.threadCpuMicrosPerIo() / contig.threadCpuMicrosPerIo();
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return String.format(Locale.ROOT, "%.2f-%.2f", min, max);
    }

    private static List<PointResult> select(FragmentedScenario.Run run, int qd, CompletionMode mode,
                                            FragmentedScenario.Layout layout) {
        return run.points().stream()
                .filter(p -> p.layout() == layout && p.result().qd() == qd && p.result().mode() == mode)
                .map(FragmentedScenario.Point::result)
                .toList();
    }

    private static void line(StringBuilder sb, String format, Object... args) {
        sb.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
