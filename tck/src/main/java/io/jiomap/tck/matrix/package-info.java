/**
 * The expected matrix of the contract tests: which tests each fixture runs and skips, and why, pinned per module
 * ({@link io.jiomap.tck.matrix.ExpectedMatrix}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jiomap.tck.matrix;
