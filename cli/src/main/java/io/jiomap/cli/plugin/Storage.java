package io.jiomap.cli.plugin;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import java.util.Map;

/**
 * A device opened from a {@code TYPE[:key=value,...]} spec with a filesystem mounted on it: what both {@code bench}
 * and {@code fio} run on. Closing unmounts (draining direct I/O and flushing) and then closes the device.
 *
 * @param deviceSpec the device as opened, e.g. {@code memory:size=1g}
 * @param fsSpec     the filesystem as mounted, e.g. {@code raw}
 */
public record Storage(DeviceSpec deviceSpec, DeviceSpec fsSpec, BlockDevice device, Mount mount)
        implements AutoCloseable {

    /**
     * Opens the device, writes a fresh filesystem on it when {@code mkfs} is set (a memory device starts empty), and
     * mounts it.
     *
     * @param fsSpecText {@code TYPE[:mount-option=value,...]}
     * @throws IllegalArgumentException when a spec cannot be parsed
     * @throws JiomapException          an unknown type (ENODEV), options the plugin refuses (EINVAL), a failed mount
     */
    public static Storage open(Plugins plugins, String deviceSpecText, String fsSpecText, int workqueueWorkers,
                               boolean mkfs) throws JiomapException {
        DeviceSpec deviceSpec = parse("--device", deviceSpecText);
        DeviceSpec fsSpec = parse("--fs", fsSpecText);
        FileSystemType fsType = plugins.fileSystemType(fsSpec.type());
        BlockDevice device = plugins.deviceProvider(deviceSpec.type()).open(deviceSpec);
        try {
            if (mkfs) {
                Mount.mkfs(fsType, device, fsType.mkfsOptionsFor(fsSpec.options()));
            }
            Mount mount = Mount.mount(fsType, device,
                    new Mount.Options(workqueueWorkers, fsSpec.options()));
            return new Storage(deviceSpec, fsSpec, device, mount);
        } catch (JiomapException | RuntimeException e) {
            device.close();
            throw e;
        }
    }

    private static DeviceSpec parse(String option, String text) {
        try {
            return DeviceSpec.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + "=" + text + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws JiomapException {
        try {
            mount.close();
        } finally {
            device.close();
        }
    }
}
