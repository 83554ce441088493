package io.jiomap.cli.fio;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.format.FormatPolicy;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.plugin.Storage;
import io.jiomap.cli.text.Progress;
import io.jiomap.cli.text.Units;
import io.jiomap.core.OpenFile;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.CountDownLatch;

/**
 * Runs fio jobs on one jiomap mount: parse, open the device and mount the filesystem, give every job clone its region
 * of the file, run the clones as threads at once, verify, write the logs, report in fio's normal, JSON or json+ form.
 *
 * <p>Regions: each clone (each of numjobs, of every job) gets its own consecutive region of {@code size} bytes in its
 * file, as fio does with {@code offset_increment=size}. fio's clones share one region by default; jiomap does not,
 * so that {@code verify} stays sound with several writers (a block has one writer) and the default memory device is
 * sized to hold every region.
 */
public final class FioRunner {
    /** The default device is at least this large, so small jobs still see a realistic device. */
    static final long MIN_DEFAULT_DEVICE = 64L << 20;
    private static final int LAYOUT_CHUNK = 1 << 20;

    private final Plugins plugins;
    private final PrintWriter out;
    private final PrintWriter err;
    private final VerifyHook hook;
    private Consumer<FioRun> finished = run -> { };
    private boolean terminal = Progress.errIsTerminal();

    public FioRunner(Plugins plugins, PrintWriter out, PrintWriter err, VerifyHook hook) {
        this.plugins = plugins;
        this.out = out;
        this.err = err;
        this.hook = hook;
    }

    /** Also hands each finished run to {@code consumer} (fio --report). */
    FioRunner whenFinished(Consumer<FioRun> consumer) {
        this.finished = consumer;
        return this;
    }

    /** Whether the error stream is a terminal, for {@code --eta=auto} (by default, what the process's stderr is). */
    FioRunner terminal(boolean isTerminal) {
        this.terminal = isTerminal;
        return this;
    }

    /** The run options that are not per job. */
    record RunOptions(Set<OutputFormat> formats, String device, String fs, int wqWorkers, FormatPolicy mkfs,
                      FioEta.Options eta) {
    }

    /** One clone of a job: which job, which clone, where in the file. */
    private record Instance(JobSpec spec, int cloneIndex, long regionStart, long regionBytes) {
    }

    /**
     * Runs the jobs of a fio command line.
     *
     * @return the exit code: 0 when every job ran without error and verified clean, 1 otherwise
     * @throws IllegalArgumentException for a usage error (unknown option, bad value)
     * @throws JiomapException          when the device cannot be opened or the filesystem mounted
     */
    public int run(List<String> args) throws JiomapException {
        FioArgs parsed = FioArgs.parse(args);
        List<JobSpec> specs = specs(parsed);
        RunOptions run = runOptions(parsed.run(), specs);
        try (Storage storage = Storage.open(plugins, run.device(), run.fs(), run.wqWorkers(), run.mkfs(),
                line -> err.println("jiomap fio: " + line))) {
            err.flush();
            return runJobs(parsed, specs, run, storage);
        }
    }

    /**
     * Runs the jobs of a fio command line on a mount the caller owns and keeps (the shell's live mounts): the run
     * options that choose or make storage ({@code --device --fs --mkfs --wq-workers}) are refused, and the storage is
     * not closed afterwards.
     *
     * @return the exit code, as {@link #run}
     */
    public int runOn(List<String> args, Storage storage) throws JiomapException {
        FioArgs parsed = FioArgs.parse(args);
        for (String own : List.of("device", "fs", "mkfs", "wq-workers")) {
            if (parsed.run().containsKey(own)) {
                throw new IllegalArgumentException("--" + own + " does not apply: the jobs run on the mounted "
                        + storage.fsSpec() + " on " + storage.deviceSpec());
            }
        }
        List<JobSpec> specs = specs(parsed);
        return runJobs(parsed, specs, runOptions(parsed.run(), specs), storage);
    }

    /** Every job of the command line with the global options merged in, read and checked. */
    private static List<JobSpec> specs(FioArgs parsed) {
        List<JobSpec> specs = new ArrayList<>();
        for (Map<String, String> job : parsed.jobs()) {
            specs.add(JobSpec.from(parsed.merged(job)));
        }
        return specs;
    }

    private static RunOptions runOptions(Map<String, String> run, List<JobSpec> specs) {
        Set<OutputFormat> formats = OutputFormat.parse(run.getOrDefault("output-format", "normal"));
        String device = run.get("device");
        if (device == null) {
            long total = 0;
            for (JobSpec s : specs) {
                if (s.size() > 0) {
                    total = Math.addExact(total, Math.multiplyExact(s.size(), s.numjobs()));
                }
            }
            long bytes = Math.max(total, MIN_DEFAULT_DEVICE);
            long mib = (bytes + (1 << 20) - 1) >>> 20;
            device = "memory:size=" + mib + "m";
        }
        int workers;
        try {
            workers = Integer.parseInt(run.getOrDefault("wq-workers", "1"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--wq-workers=" + run.get("wq-workers") + " is not a whole number", e);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("--wq-workers=" + workers + ": the workqueue needs at least 1 worker");
        }
        FormatPolicy mkfs = FormatPolicy.parse("--mkfs", run.getOrDefault("mkfs", "auto"));
        return new RunOptions(formats, device, run.getOrDefault("fs", "raw"), workers, mkfs,
                FioEta.Options.parse(run));
    }

    private int runJobs(FioArgs parsed, List<JobSpec> specs, RunOptions run, Storage storage)
            throws JiomapException {
        List<Instance> instances = new ArrayList<>();
        List<OpenFile> files = new ArrayList<>();
        layOut(specs, storage, instances, files);

        for (JobSpec s : specs) {
            checkLogDirectory(s, "write_lat_log", s.latLog());
            checkLogDirectory(s, "write_iops_log", s.iopsLog());
            checkLogDirectory(s, "write_bw_log", s.bwLog());
        }
        if (run.formats().contains(OutputFormat.NORMAL)) {
            FioTextReport.header(out, specs, instances.size());
        }
        JobWorker.Phases phases = new JobWorker.Phases(new CountDownLatch(instances.size()), new CountDownLatch(1));
        List<JobWorker> workers = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            Instance in = instances.get(i);
            workers.add(new JobWorker(in.spec(), in.cloneIndex(), storage.mount(), files.get(i), in.regionStart(),
                    in.regionBytes(), hook, phases));
        }
        long startedMillis = System.currentTimeMillis();
        DioCounters before = storage.mount().counters();
        FioStatus status = new FioStatus(workers.stream().map(w -> w.progress).toList(), System.nanoTime());
        DioCounters counters;
        // The status line ends before anything else is written: the job errors, then the report.
        try (FioEta eta = FioEta.start(run.eta(), terminal, err, status)) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < workers.size(); i++) {
                Instance in = instances.get(i);
                threads.add(Thread.ofPlatform().name("jiomap-fio-" + in.spec().name() + "." + in.cloneIndex())
                        .start(workers.get(i)));
            }
            // The counters cover the jobs' I/O only, not the verify reads that follow it.
            phases.loopsDone().await();
            counters = storage.mount().counters().minus(before);
            phases.verifyGate().countDown();
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            phases.verifyGate().countDown();
            Thread.currentThread().interrupt();
            throw new JiomapException(Errno.ECANCELED, "interrupted while waiting for the fio jobs");
        }

        List<JobResult> reported = new ArrayList<>();
        boolean ok = true;
        for (JobSpec spec : specs) {
            List<JobResult> clones = new ArrayList<>();
            for (JobWorker w : workers) {
                if (w.result.spec == spec) {
                    clones.add(w.result);
                }
            }
            for (JobResult r : clones) {
                if (r.errorMessage != null) {
                    err.println("jiomap fio: " + r.errorMessage);
                }
                if (r.crash != null) {
                    r.crash.printStackTrace(err);
                }
                if (r.firstVerifyError != null) {
                    err.println("jiomap fio: " + r.firstVerifyError);
                }
                ok &= r.fioError() == 0;
            }
            if (spec.groupReporting()) {
                reported.add(JobResult.merge(spec, clones));
            } else {
                reported.addAll(clones);
            }
        }
        ok &= writeLogs(workers);
        err.flush();
        FioRun report = new FioRun(parsed.global(), reported, counters, storage.deviceSpec().toString(),
                storage.fsSpec().toString(), startedMillis);
        // fio's order: the JSON document first, then the normal report.
        if (run.formats().contains(OutputFormat.JSON)) {
            out.print(FioJsonReport.render(report, run.formats().contains(OutputFormat.JSON_PLUS)));
        }
        if (run.formats().contains(OutputFormat.NORMAL)) {
            out.print(FioTextReport.render(report));
        }
        out.flush();
        finished.accept(report);
        return ok ? 0 : 1;
    }

    /** A log goes to NAME_kind.N.log: the directory NAME is in must exist before the jobs run, not after. */
    private static void checkLogDirectory(JobSpec s, String option, String name) {
        if (name == null) {
            return;
        }
        Path dir = Path.of(name).toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("job '" + s.name() + "': --" + option + "=" + name + ": the directory "
                    + dir + " does not exist");
        }
        if (dir != null && !Files.isWritable(dir)) {
            throw new IllegalArgumentException("job '" + s.name() + "': --" + option + "=" + name + ": the directory "
                    + dir + " is not writable");
        }
    }

    /** Writes every job thread's logs, numbered 1.. in job order as fio numbers its threads. @return false on error */
    private boolean writeLogs(List<JobWorker> workers) {
        boolean ok = true;
        for (int i = 0; i < workers.size(); i++) {
            JobLogs logs = workers.get(i).logs;
            if (logs == null) {
                continue;
            }
            try {
                logs.write(i + 1);
            } catch (UncheckedIOException e) {
                err.println("jiomap fio: " + e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    /**
     * Opens each clone's file and gives it its region: {@code size}, {@code N%} of the file, or without either an
     * equal share of what the sized jobs leave of the file. A file shorter than its regions is laid out as fio does it
     * (written for jobs that read or overwrite, else preallocated as {@code fallocate} says; with {@code file_append}
     * the regions start at its end and nothing is laid out); the raw filesystem cannot grow, so a device too small
     * fails there with ENOSPC.
     */
    private void layOut(List<JobSpec> specs, Storage storage, List<Instance> instances, List<OpenFile> files)
            throws JiomapException {
        Map<String, Long> fileSizes = new HashMap<>();
        Map<String, Long> sized = new HashMap<>();
        Map<String, Integer> unsized = new HashMap<>();
        for (JobSpec s : specs) {
            OpenFile f = storage.mount().open(s.filename(), (s.verifyOnly() ? 0 : OpenFile.CREATE) | s.openFlags());
            long fileSize = f.size();
            fileSizes.put(s.filename(), fileSize);
            long bytes = s.size() > 0 ? s.size() : s.sizePercent() > 0 ? percentOf(s, fileSize) : -1;
            if (bytes > 0) {
                sized.merge(s.filename(), bytes * s.numjobs(), Long::sum);
            } else {
                unsized.merge(s.filename(), s.numjobs(), Integer::sum);
            }
        }
        Map<String, Long> cursor = new HashMap<>();
        for (JobSpec s : specs) {
            long fileSize = fileSizes.get(s.filename());
            long bytes;
            if (s.size() > 0) {
                bytes = s.size();
            } else if (s.sizePercent() > 0) {
                bytes = percentOf(s, fileSize);
            } else {
                if (fileSize == 0) {
                    throw new IllegalArgumentException("job '" + s.name() + "': --size is needed: " + s.filename()
                            + " is empty, so there is no file size to share among the jobs");
                }
                long left = fileSize - sized.getOrDefault(s.filename(), 0L);
                bytes = left / unsized.get(s.filename()) / s.blockSize() * s.blockSize();
            }
            if (bytes < s.blockSize()) {
                throw new IllegalArgumentException("job '" + s.name() + "': its region of " + bytes
                        + " bytes holds no block of bs=" + s.blockSize() + " (file " + s.filename() + " is "
                        + Units.size(fileSize) + " on " + storage.device().name() + ")");
            }
            if (s.verify() && bytes / s.blockSize() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("job '" + s.name() + "': verify tracks at most 2^31 blocks");
            }
            for (int c = 0; c < s.numjobs(); c++) {
                // file_append: regions follow the file's end, and the writes themselves grow it.
                long start = cursor.getOrDefault(s.filename(), s.fileAppend() ? fileSize : 0L);
                cursor.put(s.filename(), start + bytes);
                OpenFile f = storage.mount().open(s.filename(), (s.verifyOnly() ? 0 : OpenFile.CREATE) | s.openFlags());
                if (s.verifyOnly() && start + bytes > fileSize) {
                    throw new IllegalArgumentException("job '" + s.name() + "': verify_only checks blocks up to "
                            + (start + bytes) + " of " + s.filename() + ", but it is only " + fileSize
                            + " bytes: is this the size and filename of the run that wrote it?");
                }
                if (!s.fileAppend() && !s.verifyOnly()) {
                    extend(f, start + bytes, storage, s.layout());
                }
                instances.add(new Instance(s, c, start, bytes));
                files.add(f);
            }
        }
    }

    private static long percentOf(JobSpec s, long fileSize) {
        if (fileSize == 0) {
            throw new IllegalArgumentException("job '" + s.name() + "': --size=" + s.options().get("size")
                    + " is a share of the file, but " + s.filename() + " is empty");
        }
        return (long) (fileSize * (s.sizePercent() / 100)) / s.blockSize() * s.blockSize();
    }

    /** Grows the file to {@code end} the way fio lays files out ({@link JobSpec.Layout}). */
    private static void extend(OpenFile f, long end, Storage storage, JobSpec.Layout layout) throws JiomapException {
        long size = f.size();
        if (size >= end) {
            return;
        }
        try {
            switch (layout) {
                case WRITE -> writeZeros(f, size, end);
                case NATIVE, POSIX, KEEP -> {
                    int mode = layout == JobSpec.Layout.KEEP ? Inode.FALLOC_KEEP_SIZE : 0;
                    try {
                        f.fallocate(mode, size, end - size);
                        if (f.size() < end) {
                            f.truncate(end);
                        }
                    } catch (JiomapException e) {
                        if (e.errno() != Errno.EOPNOTSUPP) {
                            throw e;
                        }
                        // fio's fallbacks: native gives up preallocating, posix_fallocate writes the blocks.
                        if (layout == JobSpec.Layout.POSIX) {
                            writeZeros(f, size, end);
                        } else {
                            growBySize(f, end);
                        }
                    }
                }
                case TRUNCATE -> growBySize(f, end);
            }
        } catch (JiomapException e) {
            throw new JiomapException(e.errno(), "laying out " + f.path() + " to " + end + " bytes on "
                    + storage.device().name() + " (it has " + size + "): " + e.getMessage(), e);
        }
    }

    /** A file that can neither be preallocated nor resized (raw: the device) has no room for the job: ENOSPC. */
    private static void growBySize(OpenFile f, long end) throws JiomapException {
        try {
            f.truncate(end);
        } catch (JiomapException e) {
            if (e.errno() == Errno.EINVAL) {
                throw new JiomapException(Errno.ENOSPC, "the file cannot grow (" + e.getMessage() + ")", e);
            }
            throw e;
        }
    }

    private static void writeZeros(OpenFile f, long from, long end) throws JiomapException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment zeroes = arena.allocate(LAYOUT_CHUNK, 4096);
            for (long pos = from; pos < end; pos += LAYOUT_CHUNK) {
                long n = Math.min(LAYOUT_CHUNK, end - pos);
                f.pwrite(zeroes, 0, n, pos);
            }
        }
    }
}
