package io.jiomap.cli.bench;

import io.jiomap.core.CompletionMode;
import java.util.List;

/**
 * One {@code jiomap bench} run, validated.
 *
 * @param device        the device spec, e.g. {@code memory:size=1g}
 * @param fs            the filesystem spec, e.g. {@code raw}
 * @param regionBytes   the file region the random writes land in (prefilled first)
 * @param blockSize     bytes per write
 * @param queueDepths   the QDs measured, in order
 * @param modes         the completion modes measured, in the order of the first round
 * @param runtimeNanos  measured time per point
 * @param warmupNanos   unmeasured time per point before it, on the same ring
 * @param wqWorkers     completion workqueue threads
 * @param rounds        how often the whole QD x mode grid is measured; odd rounds reverse the mode order (ABBA)
 * @param seed          seed of the offset generator
 * @param jfrSample     record one measured write in this many as a flight-recorder event; 0 for none
 */
public record BenchConfig(String device, String fs, long regionBytes, int blockSize, List<Integer> queueDepths,
                          List<CompletionMode> modes, long runtimeNanos, long warmupNanos, int wqWorkers, int rounds,
                          long seed, int jfrSample) {
    public BenchConfig {
        queueDepths = List.copyOf(queueDepths);
        modes = List.copyOf(modes);
        if (blockSize <= 0) {
            throw new IllegalArgumentException("--bs must be positive");
        }
        if (regionBytes < blockSize) {
            throw new IllegalArgumentException("--size " + regionBytes + " is smaller than one block of --bs "
                    + blockSize);
        }
        if (queueDepths.isEmpty() || queueDepths.stream().anyMatch(q -> q < 1 || q > 32768)) {
            throw new IllegalArgumentException("--qd needs queue depths in 1..32768, got " + queueDepths);
        }
        if (modes.isEmpty() || modes.stream().distinct().count() != modes.size()) {
            throw new IllegalArgumentException("--modes needs distinct completion modes, got " + modes);
        }
        if (runtimeNanos <= 0) {
            throw new IllegalArgumentException("--runtime must be positive");
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1");
        }
        if (jfrSample < 0) {
            throw new IllegalArgumentException("--jfr-sample must be 0 (off) or a positive N (one write in N), got "
                    + jfrSample);
        }
        if (wqWorkers < 1) {
            throw new IllegalArgumentException("--wq-workers must be at least 1");
        }
    }

    /** The mode order of a round: as given in even rounds, reversed in odd ones, so drift favours no mode. */
    public List<CompletionMode> modeOrder(int round) {
        return round % 2 == 0 ? modes : modes.reversed();
    }

    /** Ring entries for a QD: the next power of two, as io_uring_setup rounds them. */
    public static int ringEntries(int qd) {
        return qd <= 1 ? 1 : Integer.highestOneBit(qd - 1) << 1;
    }
}
