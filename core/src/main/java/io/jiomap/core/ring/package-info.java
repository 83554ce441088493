/** IoRing: an io_uring-like submission and completion ring owned by one issuing thread. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.jiomap.core.ring;
