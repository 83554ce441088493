/** The TCK and the device contract as one-class suites for a plugin: extend one, name the plugin. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jiomap.testkit.contract;
