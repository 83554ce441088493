/** Running tests over the filesystem and device plugins on the test class path: {@link io.jiomap.testkit.JiomapTest}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jiomap.testkit;
