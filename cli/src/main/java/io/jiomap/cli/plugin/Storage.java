package io.jiomap.cli.plugin;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.cli.format.FormatPolicy;
import io.jiomap.cli.format.Formatter;
import io.jiomap.core.Mount;
import java.util.function.Consumer;

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
     * Opens the device, makes it ready as {@code policy} says ({@link FormatPolicy}: by default a blank device is
     * formatted and a device holding the filesystem is mounted as it is), and mounts it.
     *
     * @param fsSpecText {@code TYPE[:mount-option=value,...]}
     * @param notes      told, in one line each, what the user must know about the device: an existing filesystem
     *                   mounted as it is, signatures wiped
     * @throws IllegalArgumentException when a spec cannot be parsed
     * @throws JiomapException          an unknown type (ENODEV), options the plugin refuses (EINVAL), a device holding
     *                                  something the policy does not format over (EEXIST), a failed mount
     */
    public static Storage open(Plugins plugins, String deviceSpecText, String fsSpecText, int workqueueWorkers,
                               FormatPolicy policy, Consumer<String> notes) throws JiomapException {
        DeviceSpec deviceSpec = parse("--device", deviceSpecText);
        DeviceSpec fsSpec = parse("--fs", fsSpecText);
        FileSystemType fsType = plugins.fileSystemType(fsSpec.type());
        BlockDevice device = plugins.deviceProvider(deviceSpec.type()).open(deviceSpec);
        try {
            Formatter.prepare(policy, fsType, fsSpec.options(), device, deviceSpec.toString(),
                    plugins.fileSystemTypes(), notes);
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
