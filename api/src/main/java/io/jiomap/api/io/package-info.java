/** The kiocb and its completion, including caller (deferred) completion. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jiomap.api.io;
