/**
 * What the direct-I/O engine decided for each request, for tests and tools: the trace points, the dio flags they
 * report, and where a completion ran. Depends on nothing else in the core, so every core package may report to it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jiomap.core.trace;
