package io.jiomap.device.file;

import io.jiomap.api.block.BlockDeviceProvider;
import java.util.Map;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers the {@code file} device type as an OSGi {@link BlockDeviceProvider} service with the service property
 * {@value BlockDeviceProvider#TYPE_PROPERTY}{@code =file}. On stop it withdraws the service first, then closes every
 * device the provider opened, so no ring thread of this bundle outlives it and no I/O hangs.
 */
public final class FileDeviceActivator implements BundleActivator {
    private FileDeviceProvider provider;
    private ServiceRegistration<BlockDeviceProvider> registration;

    @Override
    public void start(BundleContext context) {
        provider = new FileDeviceProvider();
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

    FileDeviceProvider provider() {
        return provider;
    }
}
