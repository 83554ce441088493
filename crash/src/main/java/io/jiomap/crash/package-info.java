/**
 * The crash-consistency harness: {@link io.jiomap.crash.CrashTest} runs {@link io.jiomap.crash.Workloads} against a
 * filesystem type and returns a {@link io.jiomap.crash.CrashReport} of the crash states checked and every
 * {@link io.jiomap.crash.Violation} found.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jiomap.crash;
