/**
 * The jiomap SPI: what a filesystem or device plugin codes against, and nothing else.
 *
 * <p>Its packages form layers, each depending only on the ones before it (no package cycle; checked with jdeps):
 * <ol>
 *   <li>{@code io.jiomap.api}: errno codes, the exception and the idle strategy; depends on nothing.</li>
 *   <li>{@code io.jiomap.api.block}: block devices and bios; depends on the root package.</li>
 *   <li>{@code io.jiomap.api.vfs}: a mounted filesystem, its inodes and the kiocb with its completion (they name each
 *       other, as {@code struct inode} and {@code struct kiocb} do); depends on the root and block.</li>
 *   <li>{@code io.jiomap.api.iomap}: mappings, the iteration object, the filesystem callbacks and the generic
 *       direct-I/O path; depends on the root, block and vfs.</li>
 *   <li>{@code io.jiomap.api.fs}: the filesystem type a plugin registers and the mount context the core hands it;
 *       may depend on all of the above.</li>
 * </ol>
 */
module io.jiomap.api {
    requires static osgi.annotation;

    exports io.jiomap.api;
    exports io.jiomap.api.block;
    exports io.jiomap.api.vfs;
    exports io.jiomap.api.iomap;
    exports io.jiomap.api.fs;
}
