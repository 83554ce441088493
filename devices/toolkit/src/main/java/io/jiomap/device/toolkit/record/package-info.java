/**
 * Write recording: {@link io.jiomap.device.toolkit.record.RecordingDevice} wraps a block device and logs every write
 * and flush submission and completion, plus the workload's marks, with one global sequence (dm-log-writes, but
 * keeping submit order as well as completion order).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.jiomap.device.toolkit.record;
