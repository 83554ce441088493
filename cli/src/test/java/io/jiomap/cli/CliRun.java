package io.jiomap.cli;

import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.plugin.ServiceLoaderPlugins;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One {@code jiomap} command run in-process with the plugins on the test module path, its output captured.
 *
 * @param exitCode the command's exit code
 * @param out      what it wrote to stdout
 * @param err      what it wrote to stderr
 */
public record CliRun(int exitCode, String out, String err) {
    private static final Plugins PLUGINS = new ServiceLoaderPlugins();

    public static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Jiomap.run(args, PLUGINS, new PrintWriter(out), new PrintWriter(err));
        return new CliRun(code, out.toString(), err.toString());
    }

    public static Plugins plugins() {
        return PLUGINS;
    }

    public Object json() {
        return MiniJson.parse(out);
    }
}
