package io.jiomap.crash;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import io.jiomap.device.toolkit.crash.CrashState;
import io.jiomap.device.toolkit.crash.CrashStateGenerator;
import io.jiomap.device.toolkit.crash.Mode;
import io.jiomap.device.toolkit.crash.PointKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The crash-consistency harness (docs/crash-consistency.md, "The harness"): runs workloads against a filesystem type on
 * recorded fresh devices, builds crash states from each recording and checks them.
 *
 * <pre>{@code
 * CrashReport report = CrashTest.of(fsType)
 *         .device(() -> new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=64m,vwc=on")))
 *         .workloads(Workloads.fsx(seed, 200, FsxOp.all()))
 *         .modes(Mode.PREFIX_AT_BARRIER, Mode.LOSE_CACHE, Mode.RANDOM_SUBSET)
 *         .budget(2_000)
 *         .seed(42)
 *         .run();
 * }</pre>
 *
 * <p>Each workload runs on its own fresh device: mkfs, a flush, mount, the ops, a clean unmount, all recorded. The
 * crash states of the chosen modes (crash points from the end of mkfs on) are then checked, at most {@link #budget}
 * in all. The budget is spread over the workloads in order, what one workload does not use passing to the next; when
 * it is smaller than the number of workloads, a seeded choice of that many workloads runs. Within a workload the
 * states are taken from the modes in turn, states at a mark (right after an fsync-family call returned, where
 * CrashMonkey found every bug) and at the end first, each group in seeded order. Everything is deterministic for a
 * given configuration and seed, and runs on the calling thread.
 */
public final class CrashTest {
    private final FileSystemType type;
    private Map<String, String> mkfsOptions = Map.of();
    private Map<String, String> mountOptions = Map.of();
    private Map<String, String> fsckOptions = Map.of();
    private Supplier<? extends BlockDevice> device;
    private UnaryOperator<BlockDevice> filter = UnaryOperator.identity();
    private Workloads workloads;
    private List<Mode> modes = List.of(Mode.PREFIX_AT_BARRIER, Mode.LOSE_CACHE);
    private int budget = 1_000;
    private long seed;
    private int randomChoices = 4;
    private boolean tornWrites = true;
    private Consumer<String> progress = line -> { };
    private int recoveryCrashes;

    private CrashTest(FileSystemType type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    public static CrashTest of(FileSystemType type) {
        return new CrashTest(type);
    }

    /** Options for mkfs (default none). */
    public CrashTest mkfsOptions(Map<String, String> options) {
        this.mkfsOptions = Map.copyOf(options);
        return this;
    }

    /** Filesystem mount options, for the workload's mount and every check's (default none). */
    public CrashTest mountOptions(Map<String, String> options) {
        this.mountOptions = Map.copyOf(options);
        return this;
    }

    /** Options for fsck (default none). */
    public CrashTest fsckOptions(Map<String, String> options) {
        this.fsckOptions = Map.copyOf(options);
        return this;
    }

    /**
     * A fresh, empty device per workload, e.g. a memory, nvme-like or sata-like device with {@code vwc=on} (without a
     * volatile cache every completed write is durable, and few crash states differ). The harness closes it.
     */
    public CrashTest device(Supplier<? extends BlockDevice> device) {
        this.device = Objects.requireNonNull(device, "device");
        return this;
    }

    /**
     * A decorator between the filesystem and the recorder while the workload runs (not during checks): what the
     * recorder sees is what reached the device. Meant for proving the harness itself, e.g. with a device that drops
     * flushes or strips FUA, whose lost writes the checker must then report. Default: none.
     */
    public CrashTest deviceFilter(UnaryOperator<BlockDevice> filter) {
        this.filter = Objects.requireNonNull(filter, "filter");
        return this;
    }

    public CrashTest workloads(Workloads workloads) {
        this.workloads = Objects.requireNonNull(workloads, "workloads");
        return this;
    }

    /** The crash-state modes to check (default PREFIX_AT_BARRIER and LOSE_CACHE). */
    public CrashTest modes(Mode... modes) {
        if (modes.length == 0) {
            throw new IllegalArgumentException("at least one mode");
        }
        this.modes = List.of(modes);
        return this;
    }

    /** The most crash states checked in all (default 1000). */
    public CrashTest budget(int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("the budget must be at least one state, got " + budget);
        }
        this.budget = budget;
        return this;
    }

    /** The seed of the crash states (RANDOM_SUBSET) and of the choice of states within the budget (default 0). */
    public CrashTest seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** How many random states RANDOM_SUBSET builds per crash point (default 4). */
    public CrashTest randomChoices(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("randomChoices must be >= 1, got " + k);
        }
        this.randomChoices = k;
        return this;
    }

    /** Whether RANDOM_SUBSET may tear writes at the logical block size (default true). */
    public CrashTest tornWrites(boolean torn) {
        this.tornWrites = torn;
        return this;
    }

    /**
     * Also crash the recovery (docs/crash-consistency.md, "Crash during recovery"): the first mount of each checked
     * state is recorded, and up to {@code k} crash states of that recording (in the chosen modes, spread evenly) must
     * each mount, match the oracle and fsck clean. Costs a snapshot of the device and up to k mounts per state, and
     * does not count against the budget. Default 0: off.
     */
    public CrashTest recoveryCrashes(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("recoveryCrashes must be >= 0, got " + k);
        }
        this.recoveryCrashes = k;
        return this;
    }

    /**
     * Receives one line per workload as the run goes (which workload, states checked, violations so far), for a
     * command that runs for minutes. Default: nothing.
     */
    public CrashTest progress(Consumer<String> progress) {
        this.progress = Objects.requireNonNull(progress, "progress");
        return this;
    }

    /**
     * Runs every workload and checks its crash states.
     *
     * @throws IllegalStateException when no device or workloads were given, or a fresh device cannot be read
     */
    public CrashReport run() {
        if (device == null || workloads == null) {
            throw new IllegalStateException("CrashTest needs device(...) and workloads(...) before run()");
        }
        List<Workload> all = workloads.list();
        List<Workload> chosen = choose(all);
        Map<Mode, Integer> byMode = new EnumMap<>(Mode.class);
        for (Mode mode : modes) {
            byMode.put(mode, 0);
        }
        List<Violation> violations = new ArrayList<>();
        int remaining = budget;
        for (int i = 0; i < chosen.size(); i++) {
            Workload workload = chosen.get(i);
            int quota = Math.max(1, remaining / (chosen.size() - i));
            WorkloadRun.Result run = WorkloadRun.run(this, workload);
            violations.addAll(run.violations());
            int checked = 0;
            if (run.completed() && remaining > 0) {
                // Seeded by the workload's own seed, not its place in the set: a replay of it sees the same states.
                List<CrashState> states = pick(run, Math.min(quota, remaining), seed ^ mix(workload.seed()));
                try (StateChecker checker = new StateChecker(this, workload, run)) {
                    for (CrashState state : states) {
                        Violation v = checker.check(state);
                        if (v != null) {
                            violations.add(v);
                        }
                        byMode.merge(state.mode(), 1, Integer::sum);
                        remaining--;
                        checked++;
                    }
                }
            }
            progress.accept("workload " + (i + 1) + "/" + chosen.size() + " " + workload.name() + ": " + checked
                    + " states checked, " + violations.size() + " violations so far");
        }
        return new CrashReport(type.name(), workloads.toString(), all.size(), chosen.size(), budget, seed, byMode,
                violations);
    }

    /** All workloads, or a seeded choice of {@code budget} of them (in their order) when the budget is smaller. */
    private List<Workload> choose(List<Workload> all) {
        if (all.size() <= budget) {
            return all;
        }
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            indexes.add(i);
        }
        shuffle(indexes, new SplittableRandom(seed));
        List<Integer> picked = new ArrayList<>(indexes.subList(0, budget));
        picked.sort(null);
        List<Workload> chosen = new ArrayList<>();
        for (int i : picked) {
            chosen.add(all.get(i));
        }
        return chosen;
    }

    /** Up to {@code quota} states of the run, the modes in turn, marks and the end first. */
    private List<CrashState> pick(WorkloadRun.Result run, int quota, long pickSeed) {
        CrashStateGenerator generator = CrashStateGenerator.of(run.recording(), run.base()).seed(pickSeed)
                .randomChoices(randomChoices).tornWrites(tornWrites);
        List<List<CrashState>> queues = new ArrayList<>();
        for (Mode mode : modes) {
            List<CrashState> marks = new ArrayList<>();
            List<CrashState> others = new ArrayList<>();
            for (CrashState s : generator.states(mode)) {
                if (s.point() < run.firstPoint()) {
                    continue;
                }
                (s.pointKind() == PointKind.MARK || s.pointKind() == PointKind.END ? marks : others).add(s);
            }
            SplittableRandom random = new SplittableRandom(pickSeed ^ mix(mode.ordinal() + 1));
            shuffle(marks, random);
            shuffle(others, random);
            marks.addAll(others);
            queues.add(marks);
        }
        List<CrashState> picked = new ArrayList<>();
        int[] next = new int[queues.size()];
        int start = (int) Math.floorMod(pickSeed, (long) queues.size());
        boolean more = true;
        while (picked.size() < quota && more) {
            more = false;
            for (int k = 0; k < queues.size() && picked.size() < quota; k++) {
                int q = (start + k) % queues.size();
                if (next[q] < queues.get(q).size()) {
                    picked.add(queues.get(q).get(next[q]++));
                    more = true;
                }
            }
        }
        picked.sort(Comparator.<CrashState>comparingInt(s -> modes.indexOf(s.mode()))
                .thenComparingLong(CrashState::point).thenComparingInt(CrashState::choice));
        return picked;
    }

    private static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, random.nextInt(i + 1));
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    FileSystemType type() {
        return type;
    }

    Map<String, String> mkfsOptions() {
        return mkfsOptions;
    }

    Mount.Options mountOptions() {
        return Mount.Options.defaults().withFsOptions(mountOptions);
    }

    Map<String, String> fsckOptions() {
        return fsckOptions;
    }

    int recoveryCrashes() {
        return recoveryCrashes;
    }

    List<Mode> modes() {
        return modes;
    }

    long seed() {
        return seed;
    }

    BlockDevice newDevice() {
        BlockDevice d = device.get();
        if (d == null) {
            throw new IllegalStateException("the device supplier returned null");
        }
        return d;
    }

    BlockDevice filter(BlockDevice recorder) {
        return filter.apply(recorder);
    }
}
