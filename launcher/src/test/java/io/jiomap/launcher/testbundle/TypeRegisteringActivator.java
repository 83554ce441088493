package io.jiomap.launcher.testbundle;

import java.util.Hashtable;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;

/**
 * Packed into a test bundle by {@code TestBundles}: registers what its bundle's {@value #HEADER} header says, to play a
 * jiomap device plugin without the jiomap api on the class path: {@code none}, {@code device} (a
 * {@code BlockDeviceProvider} service with its type property) or {@code device-unnamed} (without it). The service is
 * a {@link ServiceFactory}, which the framework registers under a class name its bundle cannot load.
 */
public final class TypeRegisteringActivator implements BundleActivator {
    public static final String HEADER = "Test-Registers";
    private static final String DEVICE_TYPE = "io.jiomap.api.block.BlockDeviceProvider";

    @Override
    public void start(BundleContext context) {
        String what = context.getBundle().getHeaders().get(HEADER);
        Hashtable<String, Object> props = new Hashtable<>();
        switch (what == null ? "none" : what) {
            case "device" -> {
                props.put("jiomap.device.type", "test");
                context.registerService(DEVICE_TYPE, new NothingFactory(), props);
            }
            case "device-unnamed" -> context.registerService(DEVICE_TYPE, new NothingFactory(), props);
            default -> {
                // Registers nothing: the mistake under test.
            }
        }
    }

    @Override
    public void stop(BundleContext context) {
        // The framework unregisters the service when the bundle stops.
    }

    private static final class NothingFactory implements ServiceFactory<Object> {
        @Override
        public Object getService(Bundle bundle, ServiceRegistration<Object> registration) {
            return null;
        }

        @Override
        public void ungetService(Bundle bundle, ServiceRegistration<Object> registration, Object service) {
        }
    }
}
