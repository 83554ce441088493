package io.jiomap.cli.shell;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;

/**
 * One named mount of the shell session and the plugin services it came from. Guarded by its {@link LiveMounts}: every
 * field is read and written under that registry's lock.
 *
 * <p>It is either mounted ({@link #mount} set, {@link #downReason} null) or down: unmounted because its device or
 * filesystem plugin went away, with {@link #downReason} saying so. A down mount keeps its device open when only the
 * filesystem plugin left, so a remount on the filesystem's successor sees the same data even on a memory device.
 */
final class LiveMount {
    final String name;
    final DeviceSpec deviceSpec;
    final DeviceSpec fsSpec;
    final int workqueueWorkers;

    BlockDeviceProvider provider;
    FileSystemType type;
    BlockDevice device;
    Mount mount;
    String downReason;

    LiveMount(String name, DeviceSpec deviceSpec, DeviceSpec fsSpec, int workqueueWorkers) {
        this.name = name;
        this.deviceSpec = deviceSpec;
        this.fsSpec = fsSpec;
        this.workqueueWorkers = workqueueWorkers;
    }

    boolean mounted() {
        return mount != null;
    }
}
