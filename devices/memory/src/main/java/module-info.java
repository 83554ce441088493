/**
 * The in-memory block device. Exports nothing: it is reached only as a
 * {@link io.jiomap.api.block.BlockDeviceProvider} service, through {@link java.util.ServiceLoader} or OSGi.
 */
module io.jiomap.device.memory {
    requires io.jiomap.api;
    requires static osgi.core;
    requires static osgi.annotation;

    provides io.jiomap.api.block.BlockDeviceProvider with io.jiomap.device.memory.MemoryDeviceProvider;
}
