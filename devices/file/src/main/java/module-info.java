/**
 * The file device: a real file or block device opened with O_DIRECT and driven through io_uring (via the FFM API),
 * or through a FileChannel thread pool where io_uring is unavailable. Exports nothing: it is reached only as a
 * {@link io.jiomap.api.block.BlockDeviceProvider} service, through {@link java.util.ServiceLoader} or OSGi. The device
 * model's option parsing is compiled against as a module but embedded in the bundle privately (bnd
 * {@code -conditionalpackage}), hence {@code requires static}.
 */
module io.jiomap.device.file {
    requires io.jiomap.api;
    requires static io.jiomap.device.model;
    requires static osgi.core;
    requires static osgi.annotation;

    provides io.jiomap.api.block.BlockDeviceProvider with io.jiomap.device.file.FileDeviceProvider;
}
