/**
 * The contract tests (one interface per theme, all gathered in {@link io.jiomap.tck.DioContractTest}) and what a
 * plugin supplies to run them: a {@link io.jiomap.tck.TckFixture} made of a filesystem under test and a device
 * factory.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.jiomap.tck;
