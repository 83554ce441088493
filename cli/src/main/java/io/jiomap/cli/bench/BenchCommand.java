package io.jiomap.cli.bench;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.cli.command.Converters;
import io.jiomap.cli.format.FormatPolicy;
import io.jiomap.cli.jfr.BenchPointEvent;
import io.jiomap.cli.jfr.IoSampleEvent;
import io.jiomap.cli.measure.MachineInfo;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.plugin.Storage;
import io.jiomap.cli.report.Comparison;
import io.jiomap.cli.report.ReportWriter;
import io.jiomap.cli.report.ResultsJson;
import io.jiomap.cli.report.RunReport;
import io.jiomap.cli.text.Progress;
import io.jiomap.core.CompletionMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jiomap bench}: the seed's measurement (4 KiB random O_DIRECT writes through io_uring at QD 1..16, workqueue
 * completion against caller completion) reproduced on jiomap's raw filesystem over the memory device.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Reproduces the seed table: random direct writes on an IoRing at each queue depth, with each"
                + " completion mode, on one mount; prints IOPS, the gain over the workqueue mode, CPU per I/O,"
                + " latency percentiles and where the completions ran. The defaults finish in under a minute on"
                + " 2 cores.")
public final class BenchCommand implements Callable<Integer> {
    /** Where {@code --compare} writes its report without {@code --report}. */
    public static final String COMPARE_DIR = "jiomap-compare";

    @Spec
    private CommandSpec spec;

    @Option(names = "--device", paramLabel = "TYPE[:k=v,...]", description = "device (default: ${DEFAULT-VALUE})",
            defaultValue = "memory:size=1g")
    private String device;

    @Option(names = "--fs", paramLabel = "TYPE", description = "filesystem (default: ${DEFAULT-VALUE})",
            defaultValue = "raw")
    private String fs;

    @Option(names = "--size", paramLabel = "SIZE", converter = Converters.Size.class, defaultValue = "1g",
            description = "region the writes land in, prefilled once (default: ${DEFAULT-VALUE})")
    private long size;

    @Option(names = "--bs", paramLabel = "SIZE", converter = Converters.Size.class, defaultValue = "4k",
            description = "bytes per write (default: ${DEFAULT-VALUE})")
    private long bs;

    @Option(names = "--qd", split = ",", paramLabel = "QD", defaultValue = "1,2,4,8,16",
            description = "queue depths (default: ${DEFAULT-VALUE})")
    private List<Integer> qd;

    @Option(names = "--modes", split = ",", paramLabel = "MODE", converter = Converters.Mode.class,
            defaultValue = "workqueue,caller,inline",
            description = "completion modes: workqueue, caller, inline, caller+poll (an IOPOLL ring that keeps caller"
                    + " completion: needs a device that polls, e.g. nvme-like:poll-queues=1)"
                    + " (default: ${DEFAULT-VALUE})")
    private List<CompletionMode> modes;

    @Option(names = "--runtime", paramLabel = "TIME", converter = Converters.Duration.class, defaultValue = "1.2",
            description = "measured time per point, seconds or with a unit (default: ${DEFAULT-VALUE})")
    private long runtime;

    @Option(names = "--warmup", paramLabel = "TIME", converter = Converters.Duration.class, defaultValue = "0.3",
            description = "unmeasured time per point before it (default: ${DEFAULT-VALUE})")
    private long warmup;

    @Option(names = "--wq-workers", paramLabel = "N", defaultValue = "1",
            description = "completion workqueue threads (default: ${DEFAULT-VALUE})")
    private int wqWorkers;

    @Option(names = "--mkfs", paramLabel = "auto|1|0", arity = "0..1", fallbackValue = "1", defaultValue = "auto",
            description = "auto formats only a blank device and mounts one holding the --fs filesystem as it is,"
                    + " refusing any other; 1 (or bare --mkfs) wipes what is there and formats; 0 mounts what is"
                    + " there (default: ${DEFAULT-VALUE})")
    private String mkfs;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "2",
            description = "times the QD x mode grid is measured; the mode order reverses every other round (ABBA)"
                    + " (default: ${DEFAULT-VALUE})")
    private int rounds;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "seed of the random offsets (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, markdown or json (default: ${DEFAULT-VALUE})")
    private String format;

    @Option(names = "--json", description = "same as --format=json")
    private boolean json;

    @Option(names = "--report", paramLabel = "DIR",
            description = "also write DIR/results.json (every point, the device, filesystem, machine, JVM and command"
                    + " line), charts as PNG and SVG (IOPS, gain over workqueue, p50 and p99 latency, CPU per I/O"
                    + " against QD) and DIR/index.html; with --compare the default is ./" + COMPARE_DIR)
    private Path report;

    @Option(names = "--compare", arity = "2", paramLabel = "JSON",
            description = "measure nothing: compare two results.json files, BEFORE AFTER ('" + ResultsJson.SEED
                    + "' is the seed's published kernel table); prints after / before per mode and QD and writes both"
                    + " runs' charts and the ratios to --report")
    private List<String> compare;

    @Option(names = "--jfr-sample", paramLabel = "N", defaultValue = "0",
            description = "record one measured write in N as a flight-recorder event io.jiomap.IoSample (0: none;"
                    + " every point is an io.jiomap.BenchPoint event regardless) (default: ${DEFAULT-VALUE})")
    private int jfrSample;

    @Option(names = "--jfr", paramLabel = "FILE",
            description = "record the run with the flight recorder (the JDK's default settings plus the jiomap"
                    + " events) into FILE, for jfr print --events io.jiomap.BenchPoint,io.jiomap.IoSample FILE")
    private Path jfr;

    @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "seed",
            description = "seed (the table above) or fragmented: overwrites on a file of --extents one-block extents"
                    + " against a contiguous file of the same size, on xfs-like and ext4-like unless --fs is given;"
                    + " --qd defaults to 1,16, --modes to caller, --device to a memory device large enough"
                    + " (default: ${DEFAULT-VALUE})")
    private String scenario;

    @Option(names = "--extents", paramLabel = "N", defaultValue = "1000000",
            description = "extents of the fragmented scenario's file (default: ${DEFAULT-VALUE})")
    private long extents;

    private final Plugins plugins;

    public BenchCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    public Integer call() throws JiomapException {
        if (compare != null) {
            return compare();
        }
        String fmt = json ? "json" : format;
        if (!List.of("text", "markdown", "json").contains(fmt)) {
            throw new IllegalArgumentException("--format=" + format + " is not one of text, markdown, json");
        }
        if (bs > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--bs=" + bs + " is too large");
        }
        if (scenario.equals("fragmented")) {
            return fragmented();
        }
        if (!scenario.equals("seed")) {
            throw new IllegalArgumentException("--scenario=" + scenario + " is not one of seed, fragmented");
        }
        BenchConfig config = new BenchConfig(device, fs, size, (int) bs, qd, modes, runtime, warmup, wqWorkers,
                rounds, seed, jfrSample);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<PointResult> points;
        FormatPolicy policy = FormatPolicy.parse("--mkfs", mkfs);
        try (Recording recording = startRecording();
             Storage storage = Storage.open(plugins, device, fs, wqWorkers, policy,
                     line -> err.println("jiomap bench: " + line))) {
            err.flush();
            points = new BenchRunner(config, err, Progress.on(err)).run(storage);
            if (recording != null) {
                recording.stop();
                err.println("flight recording: " + jfr.toAbsolutePath().normalize());
            }
        }
        BenchReport result = new BenchReport(config, points, commandLine(), MachineInfo.current());
        out.print(switch (fmt) {
            case "markdown" -> result.markdown();
            case "json" -> result.json();
            default -> result.text();
        });
        out.flush();
        if (report != null) {
            written(writeReport(report, () -> ReportWriter.writeRun(report, result.runReport(started))));
        }
        return 0;
    }

    /** The --jfr recording, started; null without the option. It is written to the file when it stops. */
    private Recording startRecording() throws JiomapException {
        if (jfr == null) {
            return null;
        }
        try {
            Recording r = new Recording(Configuration.getConfiguration("default"));
            r.enable(BenchPointEvent.NAME);
            r.enable(IoSampleEvent.NAME);
            r.setDestination(jfr);
            r.start();
            return r;
        } catch (IOException | ParseException e) {
            throw new JiomapException(Errno.EIO, "--jfr=" + jfr + ": cannot start the flight recording: " + e);
        }
    }

    private int compare() throws JiomapException {
        RunReport before = ResultsJson.read(compare.get(0));
        RunReport after = ResultsJson.read(compare.get(1));
        Comparison c = Comparison.of(before, after);
        PrintWriter out = spec.commandLine().getOut();
        out.print(c.text());
        out.flush();
        Path dir = report != null ? report : Path.of(COMPARE_DIR);
        written(writeReport(dir, () -> ReportWriter.writeComparison(dir, c)));
        return 0;
    }

    private interface ReportJob {
        Path write() throws IOException;
    }

    private static Path writeReport(Path dir, ReportJob job) throws JiomapException {
        try {
            return job.write();
        } catch (IOException e) {
            throw new JiomapException(Errno.EIO, "cannot write the report to " + dir + ": " + e);
        }
    }

    private void written(Path index) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("report: " + index.toAbsolutePath().normalize());
        err.flush();
    }

    /** The fragmented scenario, with its own defaults for what was not given on the command line. */
    private int fragmented() throws JiomapException {
        if (!format.equals("text") || json) {
            throw new IllegalArgumentException("--scenario=fragmented prints text only, not --format=" + format);
        }
        if (given("--size")) {
            throw new IllegalArgumentException("--size does not apply to --scenario=fragmented: each file is"
                    + " --extents blocks of --bs");
        }
        String dev = given("--device") ? device
                : "memory:size=" + FragmentedScenario.deviceBytes(extents, (int) bs);
        List<String> filesystems = given("--fs") ? List.of(fs) : List.of("xfs-like", "ext4-like");
        List<Integer> depths = given("--qd") ? qd : List.of(1, 16);
        List<CompletionMode> ms = given("--modes") ? modes : List.of(CompletionMode.CALLER);
        BenchConfig config = new BenchConfig(dev, String.join(",", filesystems), extents * bs, (int) bs, depths, ms,
                runtime, warmup, wqWorkers, rounds, seed, 0);
        FragmentedScenario scenario = new FragmentedScenario(plugins, config, extents, spec.commandLine().getErr());
        List<FragmentedScenario.Run> runs = new ArrayList<>();
        for (String f : filesystems) {
            runs.add(scenario.run(f));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(new FragmentedReport(config, runs, commandLine(), MachineInfo.current()).text());
        out.flush();
        return 0;
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private String commandLine() {
        List<String> args = spec.root().commandLine().getParseResult().originalArgs();
        StringBuilder sb = new StringBuilder(spec.root().name());
        for (String a : args) {
            sb.append(' ').append(a.matches("[A-Za-z0-9_=:,./+%@-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }
}
