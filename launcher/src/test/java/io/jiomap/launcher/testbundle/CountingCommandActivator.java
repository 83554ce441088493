package io.jiomap.launcher.testbundle;

import java.util.Hashtable;
import java.util.function.ToIntFunction;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Packed into a test bundle by {@code TestBundles}: registers a command service, as the cli bundle does, that prints
 * its arguments and returns 40 plus their count, so a test sees both the arguments and the exit code come through.
 */
public final class CountingCommandActivator implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("jiomap.command", "main");
        ToIntFunction<String[]> command = args -> {
            System.out.println("args: " + String.join(" ", args));
            return 40 + args.length;
        };
        context.registerService(ToIntFunction.class, command, props);
    }

    @Override
    public void stop(BundleContext context) {
        // The framework unregisters the service when the bundle stops.
    }
}
