package io.jiomap.cli;

import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.cli.plugin.Plugins;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jiomap devices}: the installed device types and the options of each, for {@code --device=TYPE:k=v,...}. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Lists the installed device types with their options.")
public final class DevicesCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    private final Plugins plugins;

    public DevicesCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        var providers = plugins.deviceProviders();
        if (providers.isEmpty()) {
            out.println("no device types installed");
        }
        for (BlockDeviceProvider p : providers) {
            out.println(p.type() + " - " + p.description());
            int width = p.options().keySet().stream().mapToInt(String::length).max().orElse(0);
            for (Map.Entry<String, String> e : p.options().entrySet()) {
                out.println("    " + e.getKey() + " ".repeat(width - e.getKey().length() + 2) + e.getValue());
            }
        }
        out.flush();
        return 0;
    }
}
