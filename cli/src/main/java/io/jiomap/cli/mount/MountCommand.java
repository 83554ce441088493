package io.jiomap.cli.mount;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.fuse.FuseOptions;
import io.jiomap.fuse.MountTable;
import io.jiomap.fuse.Termination;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jiomap mount IMAGE MOUNTPOINT}: the filesystem in the image, its type read from the superblock, served to the
 * kernel through FUSE until it is unmounted ({@code jiomap umount}, umount(8), fusermount3 -u, or Ctrl-C/SIGTERM in
 * the foreground). On the way out everything acknowledged is made durable, so the image fscks clean.
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = "Mounts the filesystem in an image on a directory through FUSE (/dev/fuse; mount(2) as root, "
                + "fusermount3 otherwise).")
public final class MountCommand implements Callable<Integer> {
    /** How long --background waits for the mount to appear. */
    private static final long READY_TIMEOUT_MILLIS = 60_000;

    @Spec
    private CommandSpec spec;

    @Option(names = "--fs", paramLabel = "TYPE",
            description = "mount as this type instead of the one the superblock names")
    private String fs;

    @Option(names = "--device", paramLabel = "TYPE[:key=value,...]",
            description = "open the image behind a device model (default: the file device)")
    private String device;

    @Option(names = {"-o", "--options"}, paramLabel = "OPTIONS",
            description = "comma-separated mount options: ro, allow_other, default_permissions, writeback_cache, "
                    + "uid=N, gid=N, umask=OCTAL, quiet (report this owner and mode instead of the stored ones), "
                    + "completion=workqueue|caller|inline|caller+poll, workers=N, depth=N")
    private List<String> options = new ArrayList<>();

    @Option(names = "--wq-workers", paramLabel = "N", description = "threads of the completion workqueue (default 1)")
    private int wqWorkers = 1;

    @Option(names = "--background",
            description = "return once the mount is ready; the server runs on, logging to --log")
    private boolean background;

    @Option(names = "--log", paramLabel = "FILE",
            description = "with --background: where the server writes its messages (default: IMAGE.mount.log)")
    private Path log;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "the image file")
    private Path image;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "an empty directory")
    private Path mountpoint;

    private final Plugins plugins;

    public MountCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    @SuppressWarnings("try") // the signal handlers are held by their try block, not used in it
    public Integer call() throws Exception {
        FuseOptions fuseOptions = FuseOptions.parse(options);
        PrintWriter out = spec.commandLine().getOut();
        if (background) {
            return background(out);
        }
        FuseServer server = FuseServer.start(plugins, image, mountpoint, device, fs, fuseOptions, wqWorkers,
                System.err);
        Path img = server.image();
        DioCounters c;
        try (Termination t = Termination.onSignal(server::unmount)) {
            out.println("jiomap mount: " + img + " (" + server.typeName() + ") mounted on " + server.mountpoint()
                    + "; jiomap umount " + server.mountpoint() + " or Ctrl-C unmounts");
            out.flush();
            c = server.awaitEnd();
        }
        out.println("jiomap mount: " + img + " unmounted, everything written is on the image");
        out.println("jiomap mount: completions: caller " + c.caller() + ", workqueue " + c.workqueue()
                + ", inline " + c.irq() + ", waiter " + c.waiter() + ", submitter " + c.submitter()
                + "; data bios " + c.dataBios() + ", FUA writes " + c.fuaWrites() + ", flushes " + c.flushes());
        return 0;
    }

    /** Starts this command again without --background, in its own session, and waits until its mount is ready. */
    private int background(PrintWriter out) throws IOException, InterruptedException, JiomapException {
        ProcessHandle.Info info = ProcessHandle.current().info();
        if (info.command().isEmpty() || info.arguments().isEmpty()) {
            throw new JiomapException(Errno.ENOSYS, "--background cannot find this process's command line; run "
                    + "jiomap mount in the foreground (with & in a shell)");
        }
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(info.command().get());
        for (String a : info.arguments().get()) {
            if (!a.equals("--background")) {
                command.add(a);
            }
        }
        Path logFile = log != null ? log : Path.of(image.toAbsolutePath().normalize() + ".mount.log");
        Path mp = mountpoint.toAbsolutePath().normalize();
        Process server = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null")
                .toFile())).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectErrorStream(true).start();
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (!MountTable.isServedJiomap(mp)) {
            if (!server.isAlive()) {
                String tail = Files.exists(logFile) ? String.join("\n", lastLines(logFile, 5)) : "";
                throw new JiomapException(Errno.EIO, "the mount server exited with status " + server.exitValue()
                        + " before the mount was ready" + (tail.isEmpty() ? "" : ":\n" + tail));
            }
            if (System.currentTimeMillis() > deadline) {
                server.destroy();
                throw new JiomapException(Errno.EIO, "the mount was not ready after " + READY_TIMEOUT_MILLIS
                        + " ms; see " + logFile);
            }
            Thread.sleep(20);
        }
        out.println("jiomap mount: " + image + " mounted on " + mp + " by process " + server.pid() + " (log: "
                + logFile + "); jiomap umount " + mp + " unmounts");
        return 0;
    }

    private static List<String> lastLines(Path file, int n) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
