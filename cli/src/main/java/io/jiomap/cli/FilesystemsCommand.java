package io.jiomap.cli;

import io.jiomap.api.fs.FileSystemType;
import io.jiomap.cli.plugin.Plugins;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jiomap filesystems}: the installed filesystem types, for {@code --fs=TYPE}. */
@Command(name = "filesystems", mixinStandardHelpOptions = true,
        description = "Lists the installed filesystem types.")
public final class FilesystemsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    private final Plugins plugins;

    public FilesystemsCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        var types = plugins.fileSystemTypes();
        if (types.isEmpty()) {
            out.println("no filesystem types installed");
        }
        for (FileSystemType t : types) {
            out.println(t.name() + " - " + t.description());
        }
        out.flush();
        return 0;
    }
}
