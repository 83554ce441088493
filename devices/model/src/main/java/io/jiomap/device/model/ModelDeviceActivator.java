package io.jiomap.device.model;

import io.jiomap.api.block.BlockDeviceProvider;
import java.util.Map;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers a device bundle's provider (a {@link ModelDeviceProvider}, or any other {@link StoppableProvider}) as a
 * {@link BlockDeviceProvider} service with the property {@value BlockDeviceProvider#TYPE_PROPERTY}. On stop it
 * withdraws the service first, so nobody new finds it, then closes every device the provider opened: their queue
 * threads belong to the bundle and must end with it, and I/O in flight ends with ENODEV instead of hanging
 * (docs/design-rules.md, "Rule 3").
 */
public abstract class ModelDeviceActivator implements BundleActivator {
    private StoppableProvider provider;
    private ServiceRegistration<BlockDeviceProvider> registration;

    /** A fresh provider of the bundle's device type. */
    protected abstract StoppableProvider newProvider();

    @Override
    public final void start(BundleContext context) {
        provider = newProvider();
        registration = context.registerService(BlockDeviceProvider.class, provider,
                FrameworkUtil.asDictionary(Map.of(BlockDeviceProvider.TYPE_PROPERTY, provider.type())));
    }

    @Override
    public final void stop(BundleContext context) {
        StoppableProvider stopping = provider;
        provider = null;
        try {
            registration.unregister();
        } catch (IllegalStateException withdrawnByTheFramework) {
            // Already gone from the registry: nothing new can find it, which is all unregistering was for.
        }
        registration = null;
        stopping.closeAll();
    }

    /** The provider registered by {@link #start}, while started. */
    public final StoppableProvider provider() {
        return provider;
    }
}
