package io.jiomap.cli.shell;

import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.Jiomap;
import io.jiomap.cli.fio.FioRunner;
import io.jiomap.cli.fio.VerifyHook;
import io.jiomap.cli.format.FormatPolicy;
import io.jiomap.cli.mount.FuseServer;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.serve.NbdSession;
import io.jiomap.cli.serve.ServeNbdCommand;
import io.jiomap.cli.text.TextTable;
import io.jiomap.fuse.FuseOptions;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The jiomap commands of the Gogo shell, scope {@value #SCOPE}. Registered as a plain service with the properties
 * {@code osgi.command.scope} and {@code osgi.command.function} ({@link #FUNCTIONS}); Gogo calls these public methods
 * reflectively, so the cli needs no Gogo type. Every method takes {@code String...} and parses it here, so a mistake
 * gets jiomap's message rather than Gogo's "cannot coerce".
 *
 * <p>The listing commands and {@code fio} run the picocli commands of {@code ./jiomap} ({@link Jiomap#run}), so they
 * behave exactly as on the command line. Results go to {@code System.out}, which Gogo points at the session for the
 * duration of a command. A failure throws {@link CommandFailed}, which Gogo prints as one line.
 */
public final class ShellCommands {
    /** The command scope: {@code jiomap:mount}. */
    public static final String SCOPE = "jiomap";
    /** The command names, for {@code osgi.command.function}. */
    public static final String[] FUNCTIONS = {"help", "devices", "filesystems", "mkfs", "mount", "mounts", "umount",
            "remount", "counters", "fio", "serve", "unserve", "install", "exit"};

    static final String HELP = """
            jiomap commands (scope jiomap: jiomap:NAME, or just NAME where Gogo and Felix have no command of that name):
              jiomap:devices                   the installed device types and their options
              jiomap:filesystems               the installed filesystem types
              jiomap:mkfs --fs=TYPE [--size=SIZE] IMAGE
                                               make a filesystem in an image file, as ./jiomap mkfs
              jiomap:mount [--mkfs[=auto|1|0]] [--wq-workers=N] NAME DEVICE FS
                                               open DEVICE (TYPE[:key=value,...]) and mount FS (TYPE[:option=value,...])
                                               on it as NAME; a blank device (a new memory device or image) gets a
                                               fresh filesystem, one holding FS is mounted as it is, any other is
                                               refused; --mkfs (=1) wipes what is there and formats, --mkfs=0 mounts
                                               what is there; e.g. jiomap:mount m0 memory:size=256m xfs-like
              jiomap:mount --fuse [-o OPTIONS] [--fs=TYPE] [--device=SPEC] [--wq-workers=N] IMAGE MOUNTPOINT
                                               serve the filesystem in IMAGE on the directory MOUNTPOINT through FUSE
                                               in the background, as ./jiomap mount (OPTIONS as its -o); it ends with
                                               jiomap:umount MOUNTPOINT, umount(8) or the session
              jiomap:mounts                    the live mounts: device, filesystem, workqueue workers, state
              jiomap:umount NAME|MOUNTPOINT... unmount (drain in-flight I/O, persist) and close the device
              jiomap:remount NAME...           mount again a mount that went down when its device or filesystem
                                               bundle went away, on the services registered now
              jiomap:counters [NAME...]        where each mount's direct-I/O completions ran (caller, workqueue,
                                               inline, submitter, waiter) and the bios it cost
              jiomap:fio OPTIONS               a fio run, exactly as ./jiomap fio (on its own --device and --fs)
              jiomap:fio --mount=NAME OPTIONS  the fio jobs on the live mount NAME (jiomap:counters NAME then shows them)
              jiomap:serve nbd --device=SPEC [--fs=TYPE --file=PATH [--size=BYTES]] [--listen=HOST:PORT]
                    [--socket=PATH] [--export=NAME] [--read-only]
                                               serve a device, or a file of a filesystem on it, over NBD in the
                                               background, as ./jiomap serve nbd does until Ctrl-C
              jiomap:serve                     the exports served: name, addresses, clients
              jiomap:unserve NAME...           stop serving (in-flight requests answered, clients disconnected,
                                               the filesystem unmounted); stopping the cli or nbd-server bundle does too
              jiomap:install [--start] URL...  install bundles (a file: URL or a path; relative ones from where the
                                               container started) and print each one's id, alone, so that a script
                                               can take it: id = (install file:my.jar); start $id. A location
                                               installed already gives its bundle's id, saying so (update ID reloads it)
              jiomap:help                      this text
              jiomap:exit                      stop the container (also: stop 0, or the end of input)
            Bundles: lb, install URL (jiomap:install), update ID [URL], stop ID, start ID, uninstall ID, headers ID, ...;
            help lists every command. A mount whose device or filesystem bundle stops is unmounted cleanly and shown
            as down in jiomap:mounts. exit (or stop 0, or the end of input) stops the container.
            """;

    private final Plugins plugins;
    private final LiveMounts mounts;
    private final LiveServes serves;
    private final LiveFuseMounts fuseMounts;
    private final BundleInstaller installer;
    private final Runnable stopContainer;

    /**
     * @param installer     installs bundles for {@link #install}
     * @param stopContainer stops the framework (the system bundle); Gogo's shell ends with it
     */
    public ShellCommands(Plugins plugins, LiveMounts mounts, BundleInstaller installer, Runnable stopContainer) {
        this(plugins, mounts, new LiveServes(plugins), installer, stopContainer);
    }

    /** @param serves the session's NBD exports, which the owner closes with the session */
    public ShellCommands(Plugins plugins, LiveMounts mounts, LiveServes serves, BundleInstaller installer,
                         Runnable stopContainer) {
        this(plugins, mounts, serves, new LiveFuseMounts(plugins), installer, stopContainer);
    }

    /** @param fuseMounts the session's FUSE mounts, which the owner closes with the session */
    public ShellCommands(Plugins plugins, LiveMounts mounts, LiveServes serves, LiveFuseMounts fuseMounts,
                         BundleInstaller installer, Runnable stopContainer) {
        this.plugins = plugins;
        this.mounts = mounts;
        this.serves = serves;
        this.fuseMounts = fuseMounts;
        this.installer = installer;
        this.stopContainer = stopContainer;
    }

    /** A command that failed; the message names the command and says why. */
    public static final class CommandFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CommandFailed(String message) {
            super(message);
        }
    }

    public void help(String... args) {
        noOperands("help", args);
        PrintWriter out = out();
        out.print(HELP);
        out.flush();
    }

    /**
     * {@code exit} or {@code exit N}: stops the container as {@code stop 0} does. Gogo's own {@code exit} insists on
     * a status, and a person leaving a shell types the bare word; a status is accepted for that habit, but the
     * container's process exits with 0 either way (the launcher's code, not the shell's).
     */
    public void exit(String... args) {
        if (args.length > 1 || (args.length == 1 && !args[0].matches("-?\\d+"))) {
            throw new CommandFailed("jiomap:exit: usage: exit [STATUS], got " + String.join(" ", args));
        }
        stopContainer.run();
    }

    /**
     * {@code install [--start|-s] URL...}: installs each bundle and returns its id ({@code Long}; a {@code List} of
     * them for several URLs), which Gogo prints alone and a script captures: {@code id = (install file:my.jar)}.
     * A location that is installed already gives the id of the bundle installed from it, and says so on the error
     * stream: the framework keeps that bundle and does not read the jar again.
     */
    public Object install(String... args) {
        boolean start = false;
        List<String> urls = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--start") || a.equals("-s")) {
                start = true;
            } else if (a.startsWith("-")) {
                throw new CommandFailed("jiomap:install: unknown option " + a + "; usage: install [--start] URL...");
            } else {
                urls.add(a);
            }
        }
        if (urls.isEmpty()) {
            throw new CommandFailed("jiomap:install: expected the URL of a bundle jar, e.g. install"
                    + " file:examples/ramdisk/target/ramdisk-device-1.0.0.jar");
        }
        List<Long> ids = new ArrayList<>();
        for (String url : urls) {
            BundleInstaller.Installed installed;
            try {
                installed = installer.install(url);
                if (start) {
                    installer.start(installed.id());
                }
            } catch (IllegalArgumentException e) {
                throw new CommandFailed("jiomap:install: " + e.getMessage());
            }
            if (installed.already()) {
                PrintWriter err = new PrintWriter(System.err, true);
                err.println("jiomap:install: " + installed.location() + " is already installed as bundle "
                        + installed.id() + " (" + installed.state() + "); nothing was read from it. update "
                        + installed.id() + " loads the jar again");
            }
            ids.add(installed.id());
        }
        return ids.size() == 1 ? ids.getFirst() : ids;
    }

    public void devices(String... args) {
        picocli("devices", args);
    }

    public void filesystems(String... args) {
        picocli("filesystems", args);
    }

    public void mkfs(String... args) {
        picocli("mkfs", args);
    }

    /** {@code fio --mount=NAME ...} runs the jobs on a live mount (its counters then show them); else as ./jiomap fio. */
    public void fio(String... args) {
        String mount = null;
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--mount=")) {
                mount = a.substring("--mount=".length());
            } else {
                rest.add(a);
            }
        }
        if (mount == null) {
            picocli("fio", args);
            return;
        }
        PrintWriter out = out();
        PrintWriter err = new PrintWriter(System.err, true);
        int code;
        try {
            code = new FioRunner(plugins, out, err, VerifyHook.NONE).runOn(rest, mounts.storage(mount));
        } catch (JiomapException | IllegalArgumentException e) {
            throw new CommandFailed("jiomap:fio --mount=" + mount + ": " + e.getMessage());
        }
        if (code != 0) {
            throw new CommandFailed("jiomap:fio failed with exit status " + code + " (the reason is printed above)");
        }
    }

    public void mount(String... args) {
        if (Arrays.asList(args).contains("--fuse")) {
            mountFuse(args);
            return;
        }
        FormatPolicy mkfs = FormatPolicy.IF_BLANK;
        int workers = 1;
        List<String> operands = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--mkfs")) {
                mkfs = FormatPolicy.ALWAYS;
            } else if (a.startsWith("--mkfs=")) {
                try {
                    mkfs = FormatPolicy.parse("--mkfs", a.substring("--mkfs=".length()));
                } catch (IllegalArgumentException e) {
                    throw new CommandFailed("jiomap:mount: " + e.getMessage());
                }
            } else if (a.startsWith("--wq-workers=")) {
                workers = wholeNumber("mount", a);
            } else if (a.startsWith("-")) {
                throw new CommandFailed("jiomap:mount: unknown option " + a + "; usage: jiomap:mount"
                        + " [--mkfs[=auto|1|0]] [--wq-workers=N] NAME DEVICE FS");
            } else {
                operands.add(a);
            }
        }
        if (operands.size() != 3) {
            throw new CommandFailed("jiomap:mount: expected NAME DEVICE FS, got " + operands.size() + " operand(s) "
                    + operands + "; e.g. jiomap:mount m0 memory:size=256m raw");
        }
        String name = operands.get(0);
        PrintWriter err = new PrintWriter(System.err, true);
        try {
            mounts.mount(name, operands.get(1), operands.get(2), workers, mkfs,
                    line -> err.println("jiomap:mount " + name + ": " + line));
        } catch (JiomapException | IllegalArgumentException e) {
            throw new CommandFailed("jiomap:mount " + name + ": " + e.getMessage());
        }
        PrintWriter out = out();
        out.println(name + ": " + operands.get(2) + " mounted on " + operands.get(1));
        out.flush();
    }

    /** {@code mount --fuse [-o OPTIONS] [--fs=TYPE] [--device=SPEC] [--wq-workers=N] IMAGE MOUNTPOINT}. */
    private void mountFuse(String[] args) {
        String usage = "usage: jiomap:mount --fuse [-o OPTIONS] [--fs=TYPE] [--device=SPEC] [--wq-workers=N] IMAGE "
                + "MOUNTPOINT";
        List<String> options = new ArrayList<>();
        String fs = null;
        String device = null;
        int workers = 1;
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--fuse")) {
                continue;
            }
            if (a.equals("-o")) {
                if (i + 1 == args.length) {
                    throw new CommandFailed("jiomap:mount --fuse: -o needs OPTIONS after it; " + usage);
                }
                options.add(args[++i]);
            } else if (a.startsWith("-o") && a.length() > 2) {
                options.add(a.substring(2));
            } else if (a.startsWith("--fs=")) {
                fs = a.substring("--fs=".length());
            } else if (a.startsWith("--device=")) {
                device = a.substring("--device=".length());
            } else if (a.startsWith("--wq-workers=")) {
                workers = wholeNumber("mount", a);
            } else if (a.startsWith("-")) {
                throw new CommandFailed("jiomap:mount --fuse: unknown option " + a + "; " + usage);
            } else {
                operands.add(a);
            }
        }
        if (operands.size() != 2) {
            throw new CommandFailed("jiomap:mount --fuse: expected IMAGE MOUNTPOINT, got " + operands.size()
                    + " operand(s) " + operands + "; " + usage);
        }
        FuseOptions fuseOptions;
        try {
            fuseOptions = FuseOptions.parse(options);
        } catch (IllegalArgumentException e) {
            throw new CommandFailed("jiomap:mount --fuse: " + e.getMessage());
        }
        Path image = Path.of(operands.get(0));
        FuseServer server;
        try {
            server = fuseMounts.mount(image, Path.of(operands.get(1)), device, fs, fuseOptions, workers,
                    new PrintStream(System.err, true));
        } catch (JiomapException | IllegalArgumentException e) {
            throw new CommandFailed("jiomap:mount --fuse " + image + ": " + e.getMessage());
        }
        PrintWriter out = out();
        out.println(server.image() + " (" + server.typeName() + ") mounted on " + server.mountpoint()
                + " through FUSE; jiomap:umount " + server.mountpoint() + " unmounts");
        out.flush();
    }

    public void mounts(String... args) {
        noOperands("mounts", args);
        PrintWriter out = out();
        List<LiveMounts.Row> rows = mounts.list();
        List<LiveFuseMounts.Row> fuseRows = fuseMounts.list();
        if (!fuseRows.isEmpty()) {
            TextTable fuse = new TextTable("MOUNTPOINT", "IMAGE", "FS");
            for (LiveFuseMounts.Row r : fuseRows) {
                fuse.row(r.mountpoint().toString(), r.image().toString(), r.type());
            }
            out.print(fuse.render(""));
            if (rows.isEmpty()) {
                out.flush();
                return;
            }
        }
        if (rows.isEmpty()) {
            out.println("no mounts (jiomap:mount NAME DEVICE FS makes one)");
            out.flush();
            return;
        }
        TextTable table = new TextTable("NAME", "STATE", "DEVICE", "DEVICE NAME", "FS", "WQ WORKERS");
        for (LiveMounts.Row r : rows) {
            table.row(r.name(), r.mounted() ? "mounted" : "down", r.deviceSpec(), r.deviceName(), r.fsSpec(),
                    Integer.toString(r.workqueueWorkers()));
        }
        out.print(table.render(""));
        for (LiveMounts.Row r : rows) {
            if (!r.mounted()) {
                out.println(r.name() + " is down: " + r.downReason());
            }
        }
        out.flush();
    }

    public void umount(String... names) {
        needNames("umount", names);
        for (String name : names) {
            if (name.startsWith("/") && fuseMounts.serves(Path.of(name))) {
                try {
                    fuseMounts.umount(Path.of(name));
                } catch (JiomapException e) {
                    throw new CommandFailed("jiomap:umount " + name + ": " + e.getMessage());
                }
                PrintWriter out = out();
                out.println(name + ": unmounted, everything written is on the image");
                out.flush();
                continue;
            }
            try {
                mounts.umount(name);
            } catch (JiomapException e) {
                throw new CommandFailed("jiomap:umount " + name + ": " + e.getMessage());
            }
            PrintWriter out = out();
            out.println(name + ": unmounted");
            out.flush();
        }
    }

    public void remount(String... names) {
        needNames("remount", names);
        for (String name : names) {
            try {
                mounts.remount(name);
            } catch (JiomapException | IllegalArgumentException e) {
                throw new CommandFailed("jiomap:remount " + name + ": " + e.getMessage());
            }
            PrintWriter out = out();
            out.println(name + ": mounted again");
            out.flush();
        }
    }

    /** {@code serve nbd OPTIONS} starts an export in the background; {@code serve} alone lists them. */
    public void serve(String... args) {
        PrintWriter out = out();
        if (args.length == 0) {
            List<LiveServes.Row> rows = serves.list();
            if (rows.isEmpty()) {
                out.println("nothing served (jiomap:serve nbd --device=SPEC ... starts an export)");
            }
            for (LiveServes.Row r : rows) {
                out.println("'" + r.export() + "': " + r.description() + ", " + r.clients() + " client(s), at "
                        + String.join(" ", r.uris()));
            }
            out.flush();
            return;
        }
        if (!args[0].equals("nbd")) {
            throw new CommandFailed("jiomap:serve: unknown protocol '" + args[0] + "'; use jiomap:serve nbd OPTIONS");
        }
        PrintWriter err = new PrintWriter(System.err, true);
        try {
            NbdSession.Request request = ServeNbdCommand.parse(plugins, Arrays.copyOfRange(args, 1, args.length));
            NbdSession s = serves.serve(request, line -> err.println("jiomap:serve: " + line));
            out.println("serving '" + request.export() + "' at " + String.join(" ", s.uris()));
        } catch (JiomapException | IllegalArgumentException e) {
            throw new CommandFailed("jiomap:serve nbd: " + e.getMessage());
        }
        out.flush();
    }

    public void unserve(String... names) {
        if (names.length == 0) {
            throw new CommandFailed("jiomap:unserve: name the export(s); jiomap:serve lists them");
        }
        PrintWriter out = out();
        for (String name : names) {
            try {
                serves.stop(name);
            } catch (JiomapException e) {
                throw new CommandFailed("jiomap:unserve " + name + ": " + e.getMessage());
            }
            out.println("'" + name + "': no longer served");
        }
        out.flush();
    }

    public void counters(String... names) {
        List<String> which = new ArrayList<>(Arrays.asList(names));
        if (which.isEmpty()) {
            mounts.list().stream().filter(LiveMounts.Row::mounted).forEach(r -> which.add(r.name()));
            if (which.isEmpty()) {
                throw new CommandFailed("jiomap:counters: nothing is mounted (jiomap:mounts lists the mounts)");
            }
        }
        PrintWriter out = out();
        for (String name : which) {
            DioCounters c;
            try {
                c = mounts.counters(name);
            } catch (JiomapException e) {
                throw new CommandFailed("jiomap:counters " + name + ": " + e.getMessage());
            }
            out.print(render(name, c));
        }
        out.flush();
    }

    /** The counters of one mount, completions first (where they ran), then what they cost in bios. */
    static String render(String name, DioCounters c) {
        TextTable t = new TextTable(name, "count");
        t.row("completions", Long.toString(c.completions()));
        t.row("  caller (deferred, run by the issuer)", Long.toString(c.caller()));
        t.row("  workqueue", Long.toString(c.workqueue()));
        t.row("  inline (device completion context)", Long.toString(c.irq()));
        t.row("  submitter", Long.toString(c.submitter()));
        t.row("  waiter", Long.toString(c.waiter()));
        t.row("data bios", Long.toString(c.dataBios()));
        t.row("FUA writes", Long.toString(c.fuaWrites()));
        t.row("flushes", Long.toString(c.flushes()));
        t.row("zeroing bios", Long.toString(c.zeroingBios()));
        return t.render("");
    }

    private void picocli(String command, String[] args) {
        String[] line = new String[args.length + 1];
        line[0] = command;
        System.arraycopy(args, 0, line, 1, args.length);
        PrintWriter out = out();
        PrintWriter err = new PrintWriter(System.err, true);
        int code = Jiomap.run(line, plugins, out, err);
        if (code != 0) {
            throw new CommandFailed("jiomap:" + command + " failed with exit status " + code
                    + " (the reason is printed above)");
        }
    }

    /** Gogo redirects System.out per command thread, so it is read at each call. */
    private static PrintWriter out() {
        return new PrintWriter(System.out, true);
    }

    private static int wholeNumber(String command, String option) {
        String value = option.substring(option.indexOf('=') + 1);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new CommandFailed("jiomap:" + command + ": " + option + ": '" + value + "' is not a whole number");
        }
    }

    private static void noOperands(String command, String[] args) {
        if (args.length > 0) {
            throw new CommandFailed("jiomap:" + command + " takes no operands, got " + String.join(" ", args));
        }
    }

    private static void needNames(String command, String[] names) {
        if (names.length == 0) {
            throw new CommandFailed("jiomap:" + command + ": name the mount(s), e.g. jiomap:" + command
                    + " m0 (jiomap:mounts lists them)");
        }
    }
}
