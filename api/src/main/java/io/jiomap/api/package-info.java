/**
 * What every layer shares: errno codes, the exception that carries them, and how an idle thread waits. It depends on
 * no other package of the API.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jiomap.api;
