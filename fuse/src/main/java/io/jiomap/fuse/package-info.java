/** The FUSE bridge: {@link io.jiomap.fuse.FuseMount} mounts, serves and unmounts. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jiomap.fuse;
