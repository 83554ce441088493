package io.jiomap.device.toolkit.crash;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.device.toolkit.record.Event;
import io.jiomap.device.toolkit.record.PayloadCapture;
import io.jiomap.device.toolkit.record.Recording;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Builds crash states from a {@link Recording} and the base image it started from (docs/crash-consistency.md,
 * "The harness"). Deterministic: the same recording, base, mode and seed give the same states in the same order.
 *
 * <p>At a crash point t (right after event t):
 * <ul>
 *   <li>the durable set D(t) is every successful write that is FUA-completed at or before t (on a device honouring
 *       FUA), or completed at or before t on a device without a volatile cache, or completed before a successful flush
 *       that was submitted after it and completed at or before t (a PREFLUSH write counts as such a flush, submitted
 *       with the write and completed with it);</li>
 *   <li>the optional set O(t) is every other write submitted at or before t, including unfinished and failed ones
 *       (a failed write may have reached the media in part).</li>
 * </ul>
 * Writes are applied in completion order, unfinished ones last in submit order; where two applied writes overlap, the
 * later one's data wins. Writes whose data was not recorded or that the device refused (misaligned, out of range)
 * are never applied.
 *
 * <pre>{@code
 * CrashStateGenerator generator = CrashStateGenerator.of(recorder.recording(), base).seed(42);
 * for (CrashState s : generator.states(Mode.LOSE_CACHE)) {
 *     try (BlockDevice d = s.open()) { ... mount, fsck, compare with the oracle at s.markLabel() ... }
 * }
 * }</pre>
 */
public final class CrashStateGenerator {
    private final WriteHistory history;
    private final BaseImage base;
    private long seed;
    private int randomChoices = 8;
    private boolean tornWrites;

    private CrashStateGenerator(Recording recording, BaseImage base) {
        Objects.requireNonNull(recording, "recording");
        if (recording.capture() != PayloadCapture.COPY) {
            throw new IllegalArgumentException("the recording of " + recording.deviceName() + " kept only CRC32C"
                    + " hashes (PayloadCapture." + recording.capture() + "); crash states need the data: record with"
                    + " PayloadCapture.COPY");
        }
        long capacity = recording.capabilities().capacityBytes();
        int blockSize = recording.capabilities().logicalBlockSize();
        if (base.capacity() != capacity || base.logicalBlockSize() != blockSize) {
            throw new IllegalArgumentException("the base image (" + base.capacity() + " bytes, logical block "
                    + base.logicalBlockSize() + ") does not match the recorded device " + recording.deviceName() + " ("
                    + capacity + " bytes, logical block " + blockSize + ")");
        }
        this.history = new WriteHistory(recording);
        this.base = base;
    }

    /** A generator over a snapshot of the device taken before the recording started. */
    public static CrashStateGenerator of(Recording recording, Snapshot base) {
        return new CrashStateGenerator(recording, Objects.requireNonNull(base, "base"));
    }

    /**
     * A generator reading the base image from a live device, which it only ever reads: the device must hold what the
     * recorded device held when the recording started, and must not change while states are in use.
     */
    public static CrashStateGenerator of(Recording recording, BlockDevice base) {
        return new CrashStateGenerator(recording, new DeviceBase(Objects.requireNonNull(base, "base")));
    }

    /** The seed of {@link Mode#RANDOM_SUBSET} (default 0). */
    public CrashStateGenerator seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** How many random states {@link Mode#RANDOM_SUBSET} builds per crash point (default 8). */
    public CrashStateGenerator randomChoices(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("randomChoices must be >= 1, got " + k);
        }
        this.randomChoices = k;
        return this;
    }

    /**
     * Whether {@link Mode#RANDOM_SUBSET} may tear optional writes: a torn write applies a random subset of its logical
     * blocks, the atomic unit (default off).
     */
    public CrashStateGenerator tornWrites(boolean tornWrites) {
        this.tornWrites = tornWrites;
        return this;
    }

    /** Every crash state of {@code mode}, by crash point (ascending), then choice. */
    public List<CrashState> states(Mode mode) {
        TreeMap<Long, Point> points = points(mode);
        List<CrashState> states = new ArrayList<>();
        for (Point p : points.values()) {
            switch (mode) {
                case PREFIX_AT_BARRIER, PREFIX_EVERY_WRITE ->
                        states.add(state(mode, p, 0, history.completedAt(p.seq), Map.of()));
                case LOSE_CACHE -> states.add(state(mode, p, 0, history.durableAt(p.seq), Map.of()));
                case RANDOM_SUBSET -> {
                    for (int choice = 0; choice < randomChoices; choice++) {
                        states.add(randomState(p, choice));
                    }
                }
            }
        }
        return Collections.unmodifiableList(states);
    }

    /**
     * The state at the end of the recording in a deterministic mode: for {@link Mode#LOSE_CACHE} what a device's
     * {@code powerCut()} right after the recording must leave.
     */
    public CrashState atEnd(Mode mode) {
        if (mode == Mode.RANDOM_SUBSET) {
            throw new IllegalArgumentException("RANDOM_SUBSET has several states at the end; use states(mode)");
        }
        List<CrashState> states = states(mode);
        return states.get(states.size() - 1);
    }

    private CrashState state(Mode mode, Point p, int choice, BitSet applied, Map<Integer, BitSet> torn) {
        return new CrashState(history, base, mode, p.seq, p.kind, p.label, choice, applied, torn);
    }

    private CrashState randomState(Point p, int choice) {
        // One generator per (seed, point, choice): a state does not depend on which other states were generated.
        SplittableRandom random = new SplittableRandom(mix(mix(seed ^ p.seq) + choice));
        BitSet applied = history.durableAt(p.seq);
        BitSet optional = history.optionalAt(p.seq);
        Map<Integer, BitSet> torn = new HashMap<>();
        for (int w = optional.nextSetBit(0); w >= 0; w = optional.nextSetBit(w + 1)) {
            if (!random.nextBoolean()) {
                continue;
            }
            int blocks = history.writes[w].length() / history.blockSize;
            if (tornWrites && blocks > 1 && random.nextBoolean()) {
                BitSet sectors = new BitSet(blocks);
                for (int i = 0; i < blocks; i++) {
                    if (random.nextBoolean()) {
                        sectors.set(i);
                    }
                }
                int kept = sectors.cardinality();
                if (kept == 0) {
                    continue;
                }
                if (kept < blocks) {
                    torn.put(w, sectors);
                }
            }
            applied.set(w);
        }
        return state(Mode.RANDOM_SUBSET, p, choice, applied, torn.isEmpty() ? Map.of() : Map.copyOf(torn));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private record Point(long seq, PointKind kind, String label) {
    }

    private TreeMap<Long, Point> points(Mode mode) {
        TreeMap<Long, Point> points = new TreeMap<>();
        // Marks first: where a mark and another kind of point coincide, the state keeps the mark's label.
        if (mode == Mode.LOSE_CACHE || mode == Mode.RANDOM_SUBSET) {
            for (Event.Mark mark : history.marks) {
                points.putIfAbsent(mark.seq(), new Point(mark.seq(), PointKind.MARK, mark.label()));
            }
        }
        switch (mode) {
            case PREFIX_AT_BARRIER, LOSE_CACHE -> {
                for (long barrier : history.barriers) {
                    points.putIfAbsent(barrier, new Point(barrier, PointKind.BARRIER, null));
                }
            }
            case RANDOM_SUBSET -> {
                for (long barrier : history.barriers) {
                    points.putIfAbsent(barrier - 1, new Point(barrier - 1, PointKind.BEFORE_BARRIER, null));
                }
            }
            case PREFIX_EVERY_WRITE -> {
                for (int w = 0; w < history.writeCount(); w++) {
                    long done = history.completeSeq[w];
                    if (history.status[w] == 0) {
                        points.putIfAbsent(done, new Point(done, PointKind.WRITE_COMPLETION, null));
                    }
                }
            }
        }
        points.putIfAbsent(history.endSeq, new Point(history.endSeq, PointKind.END, null));
        return points;
    }
}
