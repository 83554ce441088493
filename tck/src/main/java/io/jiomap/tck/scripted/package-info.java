/**
 * A filesystem whose mappings are scripted by the test ({@link io.jiomap.tck.scripted.ScriptedFileSystemType}) and a
 * block device whose completions are ({@link io.jiomap.tck.scripted.ScriptedDevice}): together they reach the test
 * vectors no real plugin produces on demand.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.jiomap.tck.scripted;
