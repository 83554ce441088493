/**
 * A mounted filesystem as the core sees it, and the requests on its files: {@link io.jiomap.api.vfs.FileSystem},
 * {@link io.jiomap.api.vfs.Inode} with what describes them (stat, extents, directory entries), the kiocb
 * ({@link io.jiomap.api.vfs.Iocb}) with its completion, and the per-inode direct-I/O state ({@link
 * io.jiomap.api.vfs.InodeDio}) that drains and deferred completions use. Like the kernel's {@code linux/fs.h}, it
 * holds the inode and the kiocb together because each names the other. It may depend on {@code io.jiomap.api} and
 * {@code io.jiomap.api.block} only.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.jiomap.api.vfs;
