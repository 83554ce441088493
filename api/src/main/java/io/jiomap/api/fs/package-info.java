/**
 * What a filesystem plugin registers and how the core mounts it: the {@link io.jiomap.api.fs.FileSystemType} service
 * (mkfs, probe, fsck, mount), the {@link io.jiomap.api.fs.MountContext} the core hands it at mount, and the
 * signature and fsck reports it answers with. It is the top of the API and may depend on every other package of it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.jiomap.api.fs;
