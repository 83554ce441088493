package io.jiomap.cli;

import io.jiomap.api.JiomapException;
import io.jiomap.cli.bench.BenchCommand;
import io.jiomap.cli.command.ExitCode;
import io.jiomap.cli.command.JiomapVersion;
import io.jiomap.cli.crashtest.CrashtestCommand;
import io.jiomap.cli.fio.FioCommand;
import io.jiomap.cli.image.FsckCommand;
import io.jiomap.cli.image.MkfsCommand;
import io.jiomap.cli.mount.MountCommand;
import io.jiomap.cli.mount.UmountCommand;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.plugin.ServiceLoaderPlugins;
import io.jiomap.cli.serve.ServeCommand;
import io.jiomap.cli.xfsio.IoCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code jiomap} command. {@link #main} runs it as plain Java with plugins found by ServiceLoader; inside Felix
 * {@link io.jiomap.cli.shell.CliActivator} runs the same command with the plugins registered as OSGi services.
 *
 * <p>Exit codes: 0 success; 1 a failure while running (an I/O error, a failed verify, a plugin that refused its
 * options); 2 a usage error (unknown option, bad value, unknown device or filesystem type name in a spec that cannot
 * be parsed). Every error is one line on stderr that says what was wrong.
 */
@Command(name = "jiomap", mixinStandardHelpOptions = true, versionProvider = JiomapVersion.Provider.class,
        description = "The Linux iomap direct-I/O path with caller completion, in Java.")
public final class Jiomap implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "missing command: use bench, fio, mkfs, fsck, io, mount, umount, serve, crashtest, devices or filesystems"
                        + " (jiomap --help lists them)");
    }

    private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

    public static void main(String[] args) {
        // What the plugins log (a lost NBD connection, a reconnect) reaches stderr as one line, like the commands'
        // own messages, unless the user configured the JDK's logging format.
        if (System.getProperty(LOG_FORMAT) == null) {
            System.setProperty(LOG_FORMAT, "jiomap: %4$s: %5$s%6$s%n");
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, new ServiceLoaderPlugins(), out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs one command line and returns its exit code; results go to {@code out}, progress and errors to {@code err}.
     */
    public static int run(String[] args, Plugins plugins, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Jiomap());
        cl.addSubcommand("bench", new BenchCommand(plugins));
        cl.addSubcommand("fio", new FioCommand(plugins));
        cl.addSubcommand("devices", new DevicesCommand(plugins));
        cl.addSubcommand("filesystems", new FilesystemsCommand(plugins));
        cl.addSubcommand("mkfs", new MkfsCommand(plugins));
        cl.addSubcommand("fsck", new FsckCommand(plugins));
        cl.addSubcommand("io", new IoCommand(plugins));
        cl.addSubcommand("crashtest", new CrashtestCommand(plugins));
        cl.addSubcommand("serve", ServeCommand.commandLine(plugins));
        cl.addSubcommand("mount", new MountCommand(plugins));
        cl.addSubcommand("umount", new UmountCommand());
        // fio options are parsed by the fio command itself: their order matters (--name starts a job).
        CommandLine fio = cl.getSubcommands().get("fio");
        fio.setUnmatchedOptionsArePositionalParams(true);
        fio.getCommandSpec().usageMessage().footer(FioCommand.optionHelp());
        cl.setExpandAtFiles(false);
        // The last of a repeated option wins, as in fio and most Unix tools, so scripts can append overrides.
        cl.setOverwrittenOptionsAllowed(true);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String where = commandLine.getCommandSpec().qualifiedName();
            if (ex instanceof IllegalArgumentException) {
                err.println(where + ": " + ex.getMessage());
                err.flush();
                return ExitCode.USAGE;
            }
            if (ex instanceof JiomapException) {
                err.println(where + ": " + ex.getMessage());
                err.flush();
                return ExitCode.FAILURE;
            }
            err.println(where + ": internal error: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return ExitCode.FAILURE;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

}
