/**
 * The SATA-like block device. Exports nothing: it is reached only as a
 * {@link io.jiomap.api.block.BlockDeviceProvider} service, through {@link java.util.ServiceLoader} or OSGi. The device
 * model is compiled against as a module but embedded in the bundle privately, hence {@code requires static}.
 */
module io.jiomap.device.sata {
    requires io.jiomap.api;
    requires static io.jiomap.device.model;
    requires static osgi.core;
    requires static osgi.annotation;

    provides io.jiomap.api.block.BlockDeviceProvider with io.jiomap.device.sata.SataLikeProvider;
}
