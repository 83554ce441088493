/**
 * The jiomap SPI: what a filesystem or device plugin codes against, and nothing else.
 */
module io.jiomap.api {
    requires static osgi.annotation;

    exports io.jiomap.api;
    exports io.jiomap.api.block;
    exports io.jiomap.api.fs;
    exports io.jiomap.api.io;
    exports io.jiomap.api.iomap;
}
