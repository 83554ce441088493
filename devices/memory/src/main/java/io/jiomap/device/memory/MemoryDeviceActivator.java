package io.jiomap.device.memory;

import io.jiomap.api.block.BlockDeviceProvider;
import java.util.Map;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers the {@code memory} device type as an OSGi {@link BlockDeviceProvider} service with the service property
 * {@value BlockDeviceProvider#TYPE_PROPERTY}{@code =memory}.
 *
 * <p>On stop it withdraws the service first, so nobody new finds it, and then closes every device the provider
 * opened: their interrupt threads belong to this bundle and must end with it, and I/O still in flight fails with
 * ENODEV instead of hanging.
 */
public final class MemoryDeviceActivator implements BundleActivator {
    private MemoryDeviceProvider provider;
    private ServiceRegistration<BlockDeviceProvider> registration;

    @Override
    public void start(BundleContext context) {
        provider = new MemoryDeviceProvider();
        registration = context.registerService(BlockDeviceProvider.class, provider,
                FrameworkUtil.asDictionary(Map.of(BlockDeviceProvider.TYPE_PROPERTY, provider.type())));
    }

    @Override
    public void stop(BundleContext context) {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyUnregistered) {
            // The framework may have withdrawn it already; the devices must be closed all the same.
        } finally {
            registration = null;
            provider.closeAll();
            provider = null;
        }
    }

    /** The provider registered by {@link #start}, while started. */
    MemoryDeviceProvider provider() {
        return provider;
    }
}
