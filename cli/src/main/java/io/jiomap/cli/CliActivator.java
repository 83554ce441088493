package io.jiomap.cli;

import io.jiomap.cli.plugin.OsgiPlugins;
import java.io.PrintWriter;
import java.util.Hashtable;
import java.util.function.ToIntFunction;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Offers the {@code jiomap} command inside Felix as a service of the JDK type {@link ToIntFunction}
 * ({@code String[]} arguments to an exit code) with the property {@value #COMMAND_PROPERTY}={@value #MAIN}, so the
 * launcher can find and call it without seeing any jiomap class. Device and filesystem types are looked up as OSGi
 * services at the moment a command needs them.
 */
public final class CliActivator implements BundleActivator {
    /** The service property that names the command. */
    public static final String COMMAND_PROPERTY = "jiomap.command";
    /** Its value for the top-level {@code jiomap} command. */
    public static final String MAIN = "main";

    private OsgiPlugins plugins;
    private ServiceRegistration<?> registration;

    @Override
    public void start(BundleContext context) {
        plugins = new OsgiPlugins(context);
        OsgiPlugins p = plugins;
        ToIntFunction<String[]> command = args -> {
            // System.out/err are read per call: a launcher may redirect them between commands.
            PrintWriter out = new PrintWriter(System.out, true);
            PrintWriter err = new PrintWriter(System.err, true);
            return Jiomap.run(args, p, out, err);
        };
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(COMMAND_PROPERTY, MAIN);
        registration = context.registerService(ToIntFunction.class.getName(), command, props);
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        if (plugins != null) {
            plugins.close();
            plugins = null;
        }
    }
}
