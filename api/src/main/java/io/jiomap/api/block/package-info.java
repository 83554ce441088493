/** Block devices and the bios submitted to them. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.jiomap.api.block;
