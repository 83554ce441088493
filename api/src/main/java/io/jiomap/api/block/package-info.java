/** Block devices and the bios submitted to them. It may depend on {@code io.jiomap.api} only. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package io.jiomap.api.block;
