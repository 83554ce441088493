/**
 * jiomap's NBD server: exports a file opened through the engine (a device through the raw filesystem, or one file of
 * any filesystem) to NBD clients. Speaks fixed newstyle negotiation and the transmission phase of the NBD protocol
 * with the numbers of {@code io.jiomap.device.nbd.wire}.
 */
module io.jiomap.nbd.server {
    requires transitive io.jiomap.api;
    requires transitive io.jiomap.core;
    requires io.jiomap.device.nbd;
    requires static osgi.core;
    requires static osgi.annotation;

    exports io.jiomap.nbd.server;
}
