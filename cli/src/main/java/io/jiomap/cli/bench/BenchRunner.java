package io.jiomap.cli.bench;

import io.jiomap.api.JiomapException;
import io.jiomap.cli.plugin.Storage;
import io.jiomap.cli.text.Progress;
import io.jiomap.cli.text.Units;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.OpenFile;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the grid of a {@link BenchConfig} on one mount: prefill once, then every round, every QD, every mode in the
 * round's order, one line of progress per point, with the time left (see {@link Progress}).
 */
final class BenchRunner {
    /** The file the benchmark writes; on the raw filesystem every path is the device. */
    static final String FILE = "/bench";
    private static final int PREFILL_CHUNK = 1 << 20;

    private final BenchConfig config;
    private final PrintWriter err;
    private final Progress progress;

    BenchRunner(BenchConfig config, PrintWriter err, Progress progress) {
        this.config = config;
        this.err = err;
        this.progress = progress;
    }

    List<PointResult> run(Storage storage) throws JiomapException {
        OpenFile file = storage.mount().open(FILE, OpenFile.CREATE);
        prefill(file);
        WriteLoop loop = new WriteLoop(file, config.blockSize(), config.regionBytes(), config.seed(), config.jfrSample());
        int total = config.rounds() * config.queueDepths().size() * config.modes().size();
        List<PointResult> points = new ArrayList<>(total);
        for (int round = 0; round < config.rounds(); round++) {
            for (int qd : config.queueDepths()) {
                for (CompletionMode mode : config.modeOrder(round)) {
                    progress.status(String.format(Locale.ROOT, "[%d/%d] measuring round %d, QD %d, %s ...",
                            points.size() + 1, total, round + 1, qd, mode.cliName()), points.size(), total);
                    PointResult p = loop.measure(qd, mode, round, config.warmupNanos(), config.runtimeNanos());
                    points.add(p);
                    progress.line(String.format(Locale.ROOT, "[%2d/%d] round %d  QD %-3d %-9s %8s IOPS  cpu/io %6.2f"
                                    + " us (bench thread %5.2f)  p50 %7.1f us  p99 %7.1f us",
                            points.size(), total, round + 1, qd, mode.cliName(), Units.count(p.iops()),
                            p.processCpuNanos() / 1e3 / p.ios(), p.threadCpuNanos() / 1e3 / p.ios(),
                            p.latency().getValueAtPercentile(50) / 1e3, p.latency().getValueAtPercentile(99) / 1e3),
                            points.size(), total);
                }
            }
        }
        progress.finish();
        return points;
    }

    /**
     * Writes the whole region once with large sequential writes, so a sparse device has allocated all of it and a
     * filesystem has mapped all of it: every measured write is then a pure overwrite, the seed's case.
     */
    private void prefill(OpenFile file) throws JiomapException {
        long region = config.regionBytes();
        long fileSize = file.size();
        // A file that already has a size (the raw device) cannot grow; a new filesystem file grows as it is written.
        if (fileSize > 0 && region > fileSize) {
            throw new IllegalArgumentException("--size " + Units.size(region) + " is larger than the file ("
                    + Units.size(fileSize) + " on " + file.mount().device().name() + "); make the device larger");
        }
        long started = System.nanoTime();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment chunk = arena.allocate(PREFILL_CHUNK, 4096);
            chunk.fill((byte) 0xa5);
            for (long pos = 0; pos < region; pos += PREFILL_CHUNK) {
                long n = Math.min(PREFILL_CHUNK, region - pos);
                file.pwrite(chunk, 0, n, pos);
            }
        }
        err.printf(Locale.ROOT, "prefilled %s of %s in %.2f s%n", Units.size(region), file.path(),
                (System.nanoTime() - started) / 1e9);
        err.flush();
    }
}
