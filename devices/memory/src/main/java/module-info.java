/**
 * The in-memory block device. Exports nothing: it is reached only as a
 * {@link io.jiomap.api.block.BlockDeviceProvider} service, through {@link java.util.ServiceLoader} or OSGi. The device
 * model is compiled against as a module but embedded in the bundle privately, hence {@code requires static}: on a
 * module path the bundle jar carries those classes itself.
 */
module io.jiomap.device.memory {
    requires io.jiomap.api;
    requires static io.jiomap.device.model;
    requires static osgi.core;
    requires static osgi.annotation;

    provides io.jiomap.api.block.BlockDeviceProvider with io.jiomap.device.memory.MemoryDeviceProvider;
}
