package io.jiomap.device.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** The activator against a recording stand-in for the framework's {@link BundleContext}. */
class FileDeviceActivatorTest {
    private final Io io = new Io();
    private final AtomicReference<Object> registeredService = new AtomicReference<>();
    private final AtomicReference<Dictionary<?, ?>> registeredProperties = new AtomicReference<>();
    private final AtomicBoolean unregistered = new AtomicBoolean();

    @AfterEach
    void cleanUp() {
        io.close();
    }

    private BundleContext recordingContext() {
        ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
                    if (method.getName().equals("unregister")) {
                        unregistered.set(true);
                    }
                    return null;
                });
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("registerService") && args[0] == BlockDeviceProvider.class) {
                        registeredService.set(args[1]);
                        registeredProperties.set((Dictionary<?, ?>) args[2]);
                        return registration;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void startRegistersTheProviderUnderItsTypeAndStopClosesItsDevices() throws Exception {
        FileDeviceActivator activator = new FileDeviceActivator();
        BundleContext context = recordingContext();

        activator.start(context);
        BlockDeviceProvider provider = (BlockDeviceProvider) registeredService.get();
        FileDevice device = (FileDevice) provider.open(DeviceSpec.parse("file:path=" + io.file("a.img") + ",size=1m"));
        activator.stop(context);

        assertThat(provider).isInstanceOf(FileDeviceProvider.class);
        assertThat(registeredProperties.get().get(BlockDeviceProvider.TYPE_PROPERTY)).isEqualTo("file");
        assertThat(unregistered).isTrue();
        assertThat(device.isClosed()).isTrue();
        assertThat(device.threads()).allMatch(t -> !t.isAlive());
        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, io.buffer(4096), 0, 4096)).isEqualTo(Errno.ENODEV);
    }
}
