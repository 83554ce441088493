package io.jiomap.cli.crashtest;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.cli.command.ExitCode;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.text.Progress;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.crash.CrashReport;
import io.jiomap.crash.CrashTest;
import io.jiomap.crash.FsxOp;
import io.jiomap.crash.FsxOps;
import io.jiomap.crash.Workloads;
import io.jiomap.device.toolkit.crash.Mode;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jiomap crashtest}: the crash-consistency check (docs/crash-consistency.md, "The harness") on a chosen budget.
 * Workloads (fsx-like random streams and Ace-style bounded sequences) run on a recorded fresh device; crash states are
 * built from the recording and each is mounted (recovery), checked against the oracle, fscked, remounted and checked
 * again. Prints states checked and every violation with what reproduces it; exit status 0 only when there is none.
 */
@Command(name = "crashtest", mixinStandardHelpOptions = true,
        description = "Crash-consistency check of a filesystem type: workloads, crash states, recovery, fsck, oracle.")
public final class CrashtestCommand implements Callable<Integer> {
    private static final Pattern WORKLOAD_DONE = Pattern.compile("workload (\\d+)/(\\d+) ");

    @Spec
    private CommandSpec spec;

    @Option(names = "--fs", required = true, paramLabel = "TYPE", description = "filesystem type to check")
    private String fs;

    @Option(names = "--device", paramLabel = "TYPE[:key=value,...]", defaultValue = "nvme-like:size=64m,vwc=on",
            description = "a fresh device of this spec per workload; it needs a volatile write cache for crashes to"
                    + " lose anything (default ${DEFAULT-VALUE})")
    private String device;

    @Option(names = "--workloads", paramLabel = "KIND", split = ",", defaultValue = "fsx,bounded",
            description = "fsx (seeded random op streams), bounded (every sequence of up to --max-ops ops) or both"
                    + " (default ${DEFAULT-VALUE})")
    private List<String> workloadKinds;

    @Option(names = "--fsx-count", defaultValue = "20", description = "fsx streams (default ${DEFAULT-VALUE})")
    private int fsxCount;

    @Option(names = "--fsx-ops", defaultValue = "60", description = "ops per fsx stream (default ${DEFAULT-VALUE})")
    private int fsxOps;

    @Option(names = "--max-ops", defaultValue = "2",
            description = "longest bounded sequence, 1..3 (default ${DEFAULT-VALUE}; 3 is about 5000 workloads)")
    private int maxOps;

    @Option(names = "--posix", description = "also hard links, symbolic links, chmod, chown, utimens and rename with"
            + " RENAME_NOREPLACE and RENAME_EXCHANGE, for a filesystem that keeps POSIX metadata")
    private boolean posix;

    @Option(names = "--without", paramLabel = "OP", split = ",",
            description = "op kinds to leave out, e.g. clone,rename (FsxOp names, any case)")
    private List<String> without = new ArrayList<>();

    @Option(names = "--modes", split = ",", defaultValue = "prefix,lose-cache,random",
            description = "crash-state modes: prefix (every barrier), lose-cache (power cut), every-write, random"
                    + " (seeded subsets with torn sectors) (default ${DEFAULT-VALUE})")
    private List<String> modes;

    @Option(names = "--files", defaultValue = "2",
            description = "files each generated workload starts with, 1..16 (default ${DEFAULT-VALUE}; raw needs 1)")
    private int files;

    @Option(names = "--budget", defaultValue = "1000", description = "crash states to check in all (default ${DEFAULT-VALUE})")
    private int budget;

    @Option(names = "--recovery-crashes", defaultValue = "0",
            description = "also crash each state's recovery: check this many crash states of the first mount's own"
                    + " writes (default ${DEFAULT-VALUE})")
    private int recoveryCrashes;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the workloads and state choices (default ${DEFAULT-VALUE})")
    private long seed;

    private final Plugins plugins;

    public CrashtestCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    public Integer call() throws JiomapException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Arguments first, so a typo is a usage error before any device is touched.
        DeviceSpec deviceSpec = parse(device);
        FsxOps ops = posix ? FsxOp.posix() : FsxOp.all();
        for (String name : without) {
            ops = ops.without(op(name));
        }
        Mode[] crashModes = modes.stream().map(CrashtestCommand::mode).toArray(Mode[]::new);
        FileSystemType type = plugins.fileSystemType(fs);
        BlockDeviceProvider provider = plugins.deviceProvider(deviceSpec.type());
        if (ops.contains(FsxOp.CLONE) && !clones(type, provider, deviceSpec)) {
            // A filesystem without reflink answers EOPNOTSUPP, as ext4 does; that is its contract, not a crash bug.
            ops = ops.without(FsxOp.CLONE);
            err.println("crashtest: " + fs + " answers EOPNOTSUPP to clone range; CLONE left out of the workloads");
        }
        Workloads workloads = null;
        for (String kind : workloadKinds) {
            Workloads w = switch (kind.trim().toLowerCase(Locale.ROOT)) {
                case "fsx" -> Workloads.fsx(seed, fsxCount, fsxOps, ops);
                case "bounded" -> Workloads.bounded(maxOps, ops);
                default -> throw new IllegalArgumentException("--workloads: '" + kind + "' is not fsx or bounded");
            };
            workloads = workloads == null ? w : workloads.and(w);
        }
        if (workloads == null) {
            throw new IllegalArgumentException("--workloads: name fsx, bounded or both");
        }
        workloads = workloads.files(files);
        err.printf(Locale.ROOT, "crashtest: %s on %s, budget %d states, seed %d, ops %s%n", fs, deviceSpec, budget,
                seed, ops);
        err.flush();
        long started = System.nanoTime();
        Progress progress = Progress.on(err);
        CrashReport report;
        try {
            report = CrashTest.of(type)
                    .device(() -> open(provider, deviceSpec))
                    .workloads(workloads)
                    .modes(crashModes)
                    .budget(budget)
                    .recoveryCrashes(recoveryCrashes)
                    .seed(seed)
                    .progress(line -> {
                        // "workload I/N ...": the share of workloads done gives the time left.
                        Matcher m = WORKLOAD_DONE.matcher(line);
                        progress.line(line, m.lookingAt() ? Double.parseDouble(m.group(1)) : 0,
                                m.lookingAt() ? Double.parseDouble(m.group(2)) : 0);
                    })
                    .run();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof JiomapException j) {
                throw j;
            }
            throw e;
        }
        out.println(report);
        out.printf(Locale.ROOT, "%d states checked in %.1f s%n", report.statesChecked(),
                (System.nanoTime() - started) / 1e9);
        out.flush();
        return report.clean() ? 0 : ExitCode.FAILURE;
    }

    private static BlockDevice open(BlockDeviceProvider provider, DeviceSpec spec) {
        try {
            return provider.open(spec);
        } catch (JiomapException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the type shares extents: a scratch filesystem is asked to clone one block. */
    private static boolean clones(FileSystemType type, BlockDeviceProvider provider, DeviceSpec spec)
            throws JiomapException {
        try (BlockDevice dev = provider.open(spec)) {
            Mount.mkfs(type, dev, Map.of());
            try (Mount mount = Mount.mount(type, dev, Mount.Options.defaults()); Arena arena = Arena.ofShared()) {
                int bs = mount.fileSystem().blockSize();
                OpenFile a = mount.open("/crashtest-probe-a", OpenFile.CREATE);
                OpenFile b = mount.open("/crashtest-probe-b", OpenFile.CREATE);
                MemorySegment block = arena.allocate(bs, 4096);
                a.pwrite(block, 0, bs, 0);
                b.pwrite(block, 0, bs, 0);
                try {
                    b.cloneFrom(a, 0, 0, bs);
                    return true;
                } catch (JiomapException e) {
                    if (e.errno() == Errno.EOPNOTSUPP) {
                        return false;
                    }
                    throw e;
                }
            }
        }
    }

    private static DeviceSpec parse(String text) {
        try {
            return DeviceSpec.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device=" + text + ": " + e.getMessage(), e);
        }
    }

    private static FsxOp op(String name) {
        try {
            return FsxOp.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--without: '" + name + "' is not an op kind; known: "
                    + java.util.Arrays.toString(FsxOp.values()).toLowerCase(Locale.ROOT));
        }
    }

    private static Mode mode(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "prefix" -> Mode.PREFIX_AT_BARRIER;
            case "lose-cache" -> Mode.LOSE_CACHE;
            case "every-write" -> Mode.PREFIX_EVERY_WRITE;
            case "random" -> Mode.RANDOM_SUBSET;
            default -> throw new IllegalArgumentException("--modes: '" + name
                    + "' is not prefix, lose-cache, every-write or random");
        };
    }
}
