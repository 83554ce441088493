package io.jiomap.device.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.device.DeviceIo;
import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** The activator against a recording stand-in for the framework's {@link BundleContext}. */
class NbdDeviceActivatorTest {
    @RegisterExtension
    final NbdPeers peers = new NbdPeers();
    private final DeviceIo io = new DeviceIo();
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
        NbdPeer server = peers.nbdkit("memory", "size=8m");
        NbdDeviceActivator activator = new NbdDeviceActivator();
        BundleContext context = recordingContext();

        activator.start(context);
        BlockDeviceProvider provider = (BlockDeviceProvider) registeredService.get();
        BlockDevice device = provider.open(DeviceSpec.parse("nbd:uri=" + server.uri()));
        assertThat(DeviceIo.write(device, 0, io.pattern(4096, 1))).isZero();
        activator.stop(context);

        assertThat(registeredProperties.get().get(BlockDeviceProvider.TYPE_PROPERTY)).isEqualTo("nbd");
        assertThat(unregistered).isTrue();
        assertThat(device.isClosed()).isTrue();
        assertThat(((NbdDeviceProvider) provider).openCount()).isZero();
        assertThat(DeviceIo.write(device, 0, io.pattern(4096, 2))).isEqualTo(Errno.ENODEV);
    }
}
