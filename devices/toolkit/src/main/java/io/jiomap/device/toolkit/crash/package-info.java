/**
 * Crash states: {@link io.jiomap.device.toolkit.crash.CrashStateGenerator} turns a recording and the image it started
 * from into the device images a power cut could leave ({@link io.jiomap.device.toolkit.crash.CrashState}), each
 * opened as a copy-on-write block device a filesystem can mount and recover.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jiomap.device.toolkit.crash;
