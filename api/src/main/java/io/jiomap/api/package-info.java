/** Errors shared by every layer: errno codes and the exception that carries them. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jiomap.api;
