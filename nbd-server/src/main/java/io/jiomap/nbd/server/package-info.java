/**
 * The NBD export ({@link io.jiomap.nbd.server.NbdExport}) and the server that offers it
 * ({@link io.jiomap.nbd.server.NbdServer}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.jiomap.nbd.server;
