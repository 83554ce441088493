package io.jiomap.cli.shell;

import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.fs.FileSystemType;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * Tells the {@link LiveMounts} when a device or filesystem type service unregisters. The framework delivers
 * UNREGISTERING synchronously, before the departing bundle's activator goes on to close its devices, so the mounts are
 * unmounted while their devices still work.
 */
public final class PluginDepartures implements ServiceListener, AutoCloseable {
    private static final String FILTER = "(|(" + Constants.OBJECTCLASS + "=" + BlockDeviceProvider.class.getName()
            + ")(" + Constants.OBJECTCLASS + "=" + FileSystemType.class.getName() + "))";

    private final BundleContext context;
    private final LiveMounts mounts;

    private PluginDepartures(BundleContext context, LiveMounts mounts) {
        this.context = context;
        this.mounts = mounts;
    }

    /** Starts listening; {@link #close()} stops. */
    public static PluginDepartures watch(BundleContext context, LiveMounts mounts) {
        PluginDepartures d = new PluginDepartures(context, mounts);
        try {
            context.addServiceListener(d, FILTER);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("the constant filter " + FILTER + " does not parse", e);
        }
        return d;
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        if (event.getType() != ServiceEvent.UNREGISTERING) {
            return;
        }
        ServiceReference<?> ref = event.getServiceReference();
        Object service = context.getService(ref);
        if (service == null) {
            return;
        }
        try {
            String why = describe(ref.getBundle());
            if (service instanceof BlockDeviceProvider) {
                mounts.deviceProviderWithdrawn(service, why);
            }
            if (service instanceof FileSystemType) {
                mounts.fileSystemTypeWithdrawn(service, why);
            }
        } finally {
            context.ungetService(ref);
        }
    }

    private static String describe(Bundle b) {
        return b == null ? "its bundle is gone"
                : "bundle " + b.getSymbolicName() + " " + b.getVersion() + ", id " + b.getBundleId() + ", went away";
    }

    @Override
    public void close() {
        context.removeServiceListener(this);
    }
}
