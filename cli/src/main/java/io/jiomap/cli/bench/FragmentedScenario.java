package io.jiomap.cli.bench;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.format.FormatPolicy;
import io.jiomap.cli.plugin.Storage;
import io.jiomap.cli.text.Units;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code jiomap bench --scenario=fragmented}: what a file of N extents costs per overwrite. On one mount it builds a
 * file of exactly N one-block written extents and a file of the same size in as few extents as the filesystem allows
 * ({@link FragmentedFiles}), remounts so both extent maps are as loaded from disk, and then measures random
 * block-sized overwrites on each with the seed's {@link WriteLoop}, alternating the files inside every point and
 * reversing their order every other round (ABBA), so drift on a shared machine favours neither.
 *
 * <p>The extent map's memory is measured, not estimated: the heap in use after a full GC with the filesystem
 * unmounted, against the same after mounting it again and opening both files (which loads their extent maps), divided
 * by N. It counts everything the mounted filesystem holds on the heap, so it is an upper bound for the map itself;
 * the file data is on the device, off the heap.
 */
final class FragmentedScenario {
    /** Which file a point measured. */
    enum Layout {
        FRAGMENTED, CONTIGUOUS
    }

    /** One measured point on one file. */
    record Point(Layout layout, PointResult result) {
    }

    /**
     * One filesystem's run.
     *
     * @param fs                 the filesystem spec
     * @param extents            extents of the fragmented file (fiemap, after the remount)
     * @param contiguousExtents  extents of the contiguous file (fiemap, after the remount)
     * @param fileBytes          size of each file
     * @param buildNanos         time to build the fragmented file
     * @param heapBytes          heap growth of mounting and opening both files, after full GCs
     * @param points             every measured point in the order measured
     */
    record Run(String fs, long extents, long contiguousExtents, long fileBytes, long buildNanos, long heapBytes,
               List<Point> points) {
    }

    private final Plugins plugins;
    private final BenchConfig config;
    private final long extents;
    private final PrintWriter progress;

    FragmentedScenario(Plugins plugins, BenchConfig config, long extents, PrintWriter progress) {
        if (extents < 2) {
            throw new IllegalArgumentException("--extents must be at least 2, got " + extents);
        }
        this.plugins = plugins;
        this.config = config;
        this.extents = extents;
        this.progress = progress;
    }

    /** Device capacity the scenario needs: both files and room for the filesystem's metadata. */
    static long deviceBytes(long extents, int blockSize) {
        long data = 2 * extents * blockSize;
        return data + data / 8 + (256L << 20);
    }

    Run run(String fsSpec) throws JiomapException {
        long fileBytes = extents * config.blockSize();
        try (Storage built = Storage.open(plugins, config.device(), fsSpec, config.wqWorkers(),
                FormatPolicy.IF_BLANK, line -> say("%s", line))) {
            Mount mount = built.mount();
            long t0 = System.nanoTime();
            FragmentedFiles.buildFragmented(mount, extents, config.blockSize());
            long buildNanos = System.nanoTime() - t0;
            say("%s: built %s with %d extents (%s) in %.1f s", fsSpec, FragmentedFiles.FRAGMENTED, extents,
                    Units.size(fileBytes), buildNanos / 1e9);
            FragmentedFiles.buildContiguous(mount, extents, config.blockSize());
            mount.close();

            long heap0 = heapAfterGc();
            FileSystemType type = plugins.fileSystemType(built.fsSpec().type());
            BlockDevice device = built.device();
            try (Mount again = Mount.mount(type, device,
                    new Mount.Options(config.wqWorkers(), built.fsSpec().options()))) {
                OpenFile fragmented = again.open(FragmentedFiles.FRAGMENTED, 0);
                OpenFile contiguous = again.open(FragmentedFiles.CONTIGUOUS, 0);
                long counted = FragmentedFiles.requireExtents(fragmented, extents, extents);
                long contiguousCount = FragmentedFiles.requireExtents(contiguous, 1, extents);
                long heapBytes = heapAfterGc() - heap0;
                say("%s: remounted; fiemap: %d and %d extents; heap +%s (%.1f bytes per extent)", fsSpec,
                        counted, contiguousCount, Units.binaryBytes(heapBytes), (double) heapBytes / extents);
                List<Point> points = measure(fragmented, contiguous);
                return new Run(fsSpec, counted, contiguousCount, fileBytes, buildNanos, heapBytes, points);
            }
        }
    }

    private List<Point> measure(OpenFile fragmented, OpenFile contiguous) throws JiomapException {
        long region = fragmented.size();
        WriteLoop onFragmented = new WriteLoop(fragmented, config.blockSize(), region, config.seed(), 0);
        WriteLoop onContiguous = new WriteLoop(contiguous, config.blockSize(), region, config.seed(), 0);
        List<Point> points = new ArrayList<>();
        int total = config.rounds() * config.queueDepths().size() * config.modes().size() * 2;
        for (int round = 0; round < config.rounds(); round++) {
            for (int qd : config.queueDepths()) {
                for (CompletionMode mode : config.modes()) {
                    List<Layout> order = round % 2 == 0 ? List.of(Layout.FRAGMENTED, Layout.CONTIGUOUS)
                            : List.of(Layout.CONTIGUOUS, Layout.FRAGMENTED);
                    for (Layout layout : order) {
                        WriteLoop loop = layout == Layout.FRAGMENTED ? onFragmented : onContiguous;
                        PointResult p = loop.measure(qd, mode, round, config.warmupNanos(), config.runtimeNanos());
                        points.add(new Point(layout, p));
                        say("[%2d/%d] round %d  QD %-3d %-9s %-10s %8s IOPS  cpu/io %6.2f us (bench thread %5.2f)",
                                points.size(), total, round + 1, qd, mode.cliName(),
                                layout.name().toLowerCase(Locale.ROOT), Units.count(p.iops()),
                                p.processCpuNanos() / 1e3 / p.ios(), p.threadCpuNanos() / 1e3 / p.ios());
                    }
                }
            }
        }
        return points;
    }

    /** Heap in use after full collections, repeated until it stops falling. */
    static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            if (used >= best) {
                break;
            }
            best = used;
        }
        return best;
    }

    private void say(String format, Object... args) {
        progress.printf(Locale.ROOT, format + "%n", args);
        progress.flush();
    }
}
