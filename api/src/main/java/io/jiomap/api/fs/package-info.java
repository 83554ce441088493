/** Filesystem types, mounted filesystems and inodes. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package io.jiomap.api.fs;
