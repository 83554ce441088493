/**
 * The NBD device: a block device served by an NBD server. Exports only the wire numbers
 * ({@code io.jiomap.device.nbd.wire}), which jiomap's NBD server shares.
 */
module io.jiomap.device.nbd {
    requires io.jiomap.api;
    requires static io.jiomap.device.model;
    requires static osgi.core;
    requires static osgi.annotation;

    exports io.jiomap.device.nbd.wire;
}
