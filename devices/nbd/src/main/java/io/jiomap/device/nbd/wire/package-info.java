/** The numbers of the NBD protocol, shared by jiomap's NBD client device and its NBD server. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.jiomap.device.nbd.wire;
