/**
 * The NBD device: a block device served by an NBD server (nbdkit, qemu-nbd, jiomap's own export), reached only as a
 * {@link io.jiomap.api.block.BlockDeviceProvider} service, through {@link java.util.ServiceLoader} or OSGi. Exports
 * only the wire numbers ({@code io.jiomap.device.nbd.wire}), which jiomap's NBD server shares. The device model's
 * option parsing is compiled against as a module but embedded in the bundle privately (bnd
 * {@code -conditionalpackage}), hence {@code requires static}.
 */
module io.jiomap.device.nbd {
    requires io.jiomap.api;
    requires static io.jiomap.device.model;
    requires static osgi.core;
    requires static osgi.annotation;

    exports io.jiomap.device.nbd.wire;

    provides io.jiomap.api.block.BlockDeviceProvider with io.jiomap.device.nbd.NbdDeviceProvider;
}
