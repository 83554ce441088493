/**
 * Fault injection: {@link io.jiomap.device.toolkit.fault.FaultyDevice} wraps a block device and fails, shortens,
 * delays or drops (device gone) the bios chosen by an immutable {@link io.jiomap.device.toolkit.fault.FaultRules}
 * set, the user-space counterpart of dm-flakey and dm-dust; {@link io.jiomap.device.toolkit.fault.PowerCutDevice} is
 * the view of a device for one mount that a power cut ends, while the device stays open for the next mount.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.jiomap.device.toolkit.fault;
