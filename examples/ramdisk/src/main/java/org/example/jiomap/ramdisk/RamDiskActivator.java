package org.example.jiomap.ramdisk;

import io.jiomap.api.block.BlockDeviceProvider;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers the {@code ramdisk} type as an OSGi {@link BlockDeviceProvider} service, the way every jiomap device
 * bundle does, and closes the devices it opened when the bundle stops: their memory belongs to this bundle.
 */
public final class RamDiskActivator implements BundleActivator {
    private RamDiskProvider provider;
    private ServiceRegistration<BlockDeviceProvider> registration;

    // tag::ramdisk-register[]
    @Override
    public void start(BundleContext context) {
        provider = new RamDiskProvider();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(BlockDeviceProvider.TYPE_PROPERTY, RamDiskProvider.TYPE);
        registration = context.registerService(BlockDeviceProvider.class, provider, props);
    }

    @Override
    public void stop(BundleContext context) {
        // Withdrawn first, so nobody opens a device that the next line would not close.
        registration.unregister();
        provider.closeAll();
    }
    // end::ramdisk-register[]
}
