/**
 * The block device contract every device runs: extend {@link io.jiomap.tck.device.BlockDeviceContractTest} with a
 * {@link io.jiomap.tck.device.ContractDevices} saying how to open the device under test.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jiomap.tck.device;
