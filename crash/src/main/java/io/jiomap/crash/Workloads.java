package io.jiomap.crash;

import io.jiomap.crash.oracle.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An ordered, immutable set of {@link Workload}s for {@link CrashTest#workloads}: fsx-like random streams, Ace-style
 * bounded enumerations, replays of a violation's ops, or any concatenation ({@link #and}).
 *
 * <pre>{@code
 * Workloads.fsx(42, 200, FsxOp.all())                         // one random stream of 200 ops (after setup)
 * Workloads.fsx(42, 8, 100, FsxOp.all().without(FsxOp.CLONE))  // 8 streams, seeds 42..49
 * Workloads.bounded(2, FsxOp.all())                            // every sequence of <= 2 core ops
 * Workloads.fsx(7, 100, FsxOp.dataOnly()).files(1)             // raw: one file, data ops only
 * }</pre>
 *
 * <p>{@link #files} (default 2) and {@link #maxFileSize} (default 256 KiB for fsx, 64 KiB for bounded) apply to every
 * generated workload of the set.
 */
public final class Workloads {
    private static final long FSX_MAX_FILE_SIZE = 256 << 10;
    private static final long BOUNDED_MAX_FILE_SIZE = 64 << 10;

    /** The settings of a family; a {@code maxFileSize} of 0 means the family's default. */
    private record Settings(int files, long maxFileSize) {
        static final Settings DEFAULT = new Settings(2, 0);

        long maxFileSize(long byDefault) {
            return maxFileSize > 0 ? maxFileSize : byDefault;
        }
    }

    /** One kind of generation with its settings, expanded into workloads when the set is listed. */
    private sealed interface Family {
        List<Workload> expand();

        Family with(Settings settings);

        Settings settings();
    }

    private record Fsx(long firstSeed, int count, int ops, FsxOps kinds, Settings settings) implements Family {
        @Override
        public List<Workload> expand() {
            int files = settings.files();
            long max = settings.maxFileSize(FSX_MAX_FILE_SIZE);
            List<Workload> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long seed = firstSeed + i;
                String name = "fsx(seed=" + seed + ", ops=" + ops + ", files=" + files + ", maxFileSize=" + max + ", "
                        + kinds + ")";
                list.add(new Workload(name, seed, files, max, () -> new FsxProgram(seed, ops, kinds)));
            }
            return list;
        }

        @Override
        public Family with(Settings s) {
            return new Fsx(firstSeed, count, ops, kinds, s);
        }
    }

    private record Bounded(int maxOps, FsxOps kinds, Settings settings) implements Family {
        @Override
        public List<Workload> expand() {
            long max = settings.maxFileSize(BOUNDED_MAX_FILE_SIZE);
            List<FsxOp> persistence = new ArrayList<>();
            for (FsxOp p : List.of(FsxOp.FSYNC, FsxOp.FDATASYNC, FsxOp.SYNC)) {
                if (kinds.contains(p)) {
                    persistence.add(p);
                }
            }
            // Ace's bound: one or two files.
            int used = Math.min(settings.files(), 2);
            List<BoundedProgram.Step> steps = BoundedProgram.steps(kinds, used);
            List<BoundedProgram> programs = BoundedProgram.enumerate(steps, maxOps, persistence);
            List<Workload> list = new ArrayList<>(programs.size());
            for (int i = 0; i < programs.size(); i++) {
                BoundedProgram template = programs.get(i);
                String name = "bounded(maxOps=" + maxOps + ", files=" + used + ", maxFileSize=" + max + ", " + kinds
                        + ") #" + i + ": " + template.describe();
                list.add(new Workload(name, i, used, max, template::copy));
            }
            return list;
        }

        @Override
        public Family with(Settings s) {
            return new Bounded(maxOps, kinds, s);
        }
    }

    /** Concrete ops: the settings change nothing. */
    private record Replay(String name, long seed, List<Op> ops, Settings settings) implements Family {
        @Override
        public List<Workload> expand() {
            return List.of(new Workload("replay of " + name, seed, 1, Long.MAX_VALUE, () -> new ReplayProgram(ops)));
        }

        @Override
        public Family with(Settings s) {
            return this;
        }
    }

    private final List<Family> families;

    private Workloads(List<Family> families) {
        this.families = List.copyOf(families);
    }

    /**
     * An fsx-like random stream: creates {@code files} files and syncs, then {@code ops} ops drawn with {@code seed}
     * from {@code kinds}.
     */
    public static Workloads fsx(long seed, int ops, FsxOps kinds) {
        return fsx(seed, 1, ops, kinds);
    }

    /** {@code count} fsx streams, with seeds {@code firstSeed, firstSeed+1, ...}. */
    public static Workloads fsx(long firstSeed, int count, int ops, FsxOps kinds) {
        if (count < 1 || ops < 1) {
            throw new IllegalArgumentException("fsx needs at least one workload of at least one op, got " + count
                    + " workloads of " + ops + " ops");
        }
        requireKinds(kinds);
        return new Workloads(List.of(new Fsx(firstSeed, count, ops, kinds, Settings.DEFAULT)));
    }

    /**
     * Ace-style exhaustive enumeration: every sequence of 1..{@code maxOps} core ops from a small fixed argument space
     * over one or two small, written and synced files, each ending in a persistence point (fsync, fdatasync or sync,
     * whichever of them {@code kinds} has, taken in turn). With all kinds and two files there are 18 core steps:
     * {@code maxOps} 1 gives 18 workloads, 2 about 320, 3 about 5800.
     *
     * @throws IllegalArgumentException when {@code kinds} has no persistence kind
     */
    public static Workloads bounded(int maxOps, FsxOps kinds) {
        if (maxOps < 1) {
            throw new IllegalArgumentException("maxOps must be >= 1, got " + maxOps);
        }
        requireKinds(kinds);
        if (!kinds.contains(FsxOp.FSYNC) && !kinds.contains(FsxOp.FDATASYNC) && !kinds.contains(FsxOp.SYNC)) {
            throw new IllegalArgumentException("bounded workloads end in a persistence point: the op set " + kinds
                    + " needs FSYNC, FDATASYNC or SYNC");
        }
        return new Workloads(List.of(new Bounded(maxOps, kinds, Settings.DEFAULT)));
    }

    /**
     * Exactly these ops, as a {@link Violation} lists them, on a fresh filesystem: to reproduce a violation. The
     * settings of the workload that produced them do not matter; the ops are concrete.
     */
    public static Workloads replay(String name, List<Op> ops) {
        return replay(name, 0, ops);
    }

    /**
     * The ops of a violation's workload, with its name and seed: checked with the same {@link CrashTest#seed} and a
     * budget covering all its states, the replay sees the same crash states, random subsets included.
     */
    public static Workloads replay(Violation violation) {
        return replay(violation.workload(), violation.seed(), violation.ops());
    }

    private static Workloads replay(String name, long seed, List<Op> ops) {
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("a replay needs at least one op");
        }
        return new Workloads(List.of(new Replay(name, seed, List.copyOf(ops), Settings.DEFAULT)));
    }

    /**
     * This set followed by {@code other}'s workloads. Each part keeps the settings it has; {@link #files} and
     * {@link #maxFileSize} called on the result apply to all of them.
     */
    public Workloads and(Workloads other) {
        List<Family> all = new ArrayList<>(families);
        all.addAll(other.families);
        return new Workloads(all);
    }

    /**
     * How many files generated workloads start with (default 2; raw needs 1: every path names the device). Bounded
     * workloads use at most 2.
     */
    public Workloads files(int files) {
        if (files < 1 || files > 16) {
            throw new IllegalArgumentException("files must be 1..16, got " + files);
        }
        List<Family> changed = new ArrayList<>();
        for (Family f : families) {
            changed.add(f.with(new Settings(files, f.settings().maxFileSize())));
        }
        return new Workloads(changed);
    }

    /** The size generated ops keep every file within (rounded down to the filesystem block size). */
    public Workloads maxFileSize(long bytes) {
        if (bytes < 64 << 10) {
            throw new IllegalArgumentException("maxFileSize must be at least 64 KiB, got " + bytes);
        }
        List<Family> changed = new ArrayList<>();
        for (Family f : families) {
            changed.add(f.with(new Settings(f.settings().files(), bytes)));
        }
        return new Workloads(changed);
    }

    /** The workloads, in order. */
    public List<Workload> list() {
        List<Workload> all = new ArrayList<>();
        for (Family family : families) {
            all.addAll(family.expand());
        }
        return List.copyOf(all);
    }

    public int size() {
        return list().size();
    }

    @Override
    public String toString() {
        List<Workload> all = list();
        return all.size() == 1 ? all.get(0).name() : all.size() + " workloads, first " + all.get(0).name();
    }

    private static void requireKinds(FsxOps kinds) {
        Objects.requireNonNull(kinds, "kinds");
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("the op set is empty");
        }
    }

    /** Plays back a fixed op list. */
    private static final class ReplayProgram implements Program {
        private final List<Op> ops;
        private int next;

        ReplayProgram(List<Op> ops) {
            this.ops = ops;
        }

        @Override
        public Op next(Model model, Geometry geometry) {
            return next < ops.size() ? ops.get(next++) : null;
        }
    }
}
