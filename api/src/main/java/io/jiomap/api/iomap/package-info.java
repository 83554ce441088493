/**
 * Extent mappings (iomap), the iteration object and the filesystem callbacks of the direct-I/O path, and the
 * generic direct-I/O path itself ({@link io.jiomap.api.iomap.DirectIoEngine}, the kernel's {@code iomap_dio_rw}),
 * a library a filesystem calls from its read and write. It may depend on {@code io.jiomap.api},
 * {@code io.jiomap.api.block} and {@code io.jiomap.api.vfs}, never on {@code io.jiomap.api.fs}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("3.0.0")
package io.jiomap.api.iomap;
