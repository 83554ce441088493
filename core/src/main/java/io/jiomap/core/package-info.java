/** Mounting filesystems on devices through the engine, opening files, choosing the completion mode. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package io.jiomap.core;
