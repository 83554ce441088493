/**
 * The namespace of a mounted filesystem, seen by inode number: the rules every filesystem shares (valid names, kinds,
 * rename, set-group-ID directories, the xattr namespace) are checked here once, under one lock per mount, and only
 * then does the filesystem's primitive run. Depends on {@code io.jiomap.api} only.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jiomap.core.vfs;
