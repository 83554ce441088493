package io.jiomap.cli.shell;

import io.jiomap.cli.Jiomap;
import io.jiomap.cli.plugin.OsgiPlugins;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.function.ToIntFunction;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * Offers the {@code jiomap} command inside Felix as a service of the JDK type {@link ToIntFunction}
 * ({@code String[]} arguments to an exit code) with the property {@value #COMMAND_PROPERTY}={@value #MAIN}, so the
 * launcher can find and call it without seeing any jiomap class. Device and filesystem types are looked up as OSGi
 * services at the moment a command needs them.
 *
 * <p>It also offers the same commands, and the named live mounts of {@code jiomap shell}, to a Gogo shell as the
 * command scope {@value ShellCommands#SCOPE} (a plain service with the {@code osgi.command.*} properties, which Gogo
 * calls reflectively). The live mounts follow the plugin services: when a device or filesystem type unregisters, the
 * mounts using it are unmounted before its bundle goes on stopping ({@link PluginDepartures}).
 */
public final class CliActivator implements BundleActivator {
    /** The service property that names the command. */
    public static final String COMMAND_PROPERTY = "jiomap.command";
    /** Its value for the top-level {@code jiomap} command. */
    public static final String MAIN = "main";

    /** Gogo's service property for a command object's scope (CommandProcessor.COMMAND_SCOPE). */
    static final String COMMAND_SCOPE = "osgi.command.scope";
    /** Gogo's service property for a command object's command names (CommandProcessor.COMMAND_FUNCTION). */
    static final String COMMAND_FUNCTION = "osgi.command.function";

    private OsgiPlugins plugins;
    private ServiceRegistration<?> registration;
    private LiveMounts mounts;
    private LiveServes serves;
    private LiveFuseMounts fuseMounts;
    private PluginDepartures departures;
    private ServiceRegistration<?> shellRegistration;

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

        mounts = new LiveMounts(p);
        departures = PluginDepartures.watch(context, mounts);
        Hashtable<String, Object> shellProps = new Hashtable<>();
        shellProps.put(COMMAND_SCOPE, ShellCommands.SCOPE);
        shellProps.put(COMMAND_FUNCTION, ShellCommands.FUNCTIONS);
        BundleInstaller installer = new BundleInstaller(context, Path.of("").toAbsolutePath());
        serves = new LiveServes(p);
        fuseMounts = new LiveFuseMounts(p);
        ShellCommands commands = new ShellCommands(p, mounts, serves, fuseMounts, installer,
                () -> stopFramework(context));
        shellRegistration = context.registerService(ShellCommands.class.getName(), commands, shellProps);
    }

    private static void stopFramework(BundleContext context) {
        try {
            // The framework stops on a thread of its own; this returns at once.
            context.getBundle(Constants.SYSTEM_BUNDLE_ID).stop();
        } catch (BundleException e) {
            throw new IllegalStateException("cannot stop the framework: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop(BundleContext context) {
        if (shellRegistration != null) {
            shellRegistration.unregister();
            shellRegistration = null;
        }
        if (serves != null) {
            // The session's NBD exports end with it: clients answered and disconnected, filesystems unmounted.
            serves.close();
            serves = null;
        }
        if (fuseMounts != null) {
            // The session's FUSE mounts end with it: unmounted, their images durable and released.
            fuseMounts.close();
            fuseMounts = null;
        }
        if (departures != null) {
            departures.close();
            departures = null;
        }
        if (mounts != null) {
            // The session's mounts end with the bundle that kept them: drained, persisted, devices closed.
            mounts.close();
            mounts = null;
        }
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
