/** Extent mappings (iomap) and the filesystem callbacks of the direct-I/O path. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.jiomap.api.iomap;
