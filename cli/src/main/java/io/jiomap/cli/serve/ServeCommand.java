package io.jiomap.cli.serve;

import io.jiomap.cli.plugin.Plugins;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jiomap serve PROTOCOL}: the protocols a device or file can be served over (NBD). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serves a device, or a file of a filesystem on it, to other programs until stopped.")
public final class ServeCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing protocol: use nbd (jiomap serve nbd --help)");
    }

    /** The command with its protocols, for the top-level command line. */
    public static CommandLine commandLine(Plugins plugins) {
        CommandLine cl = new CommandLine(new ServeCommand());
        cl.addSubcommand("nbd", new ServeNbdCommand(plugins));
        return cl;
    }
}
