package io.jiomap.cli.plugin;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.fs.FileSystemType;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The device and filesystem types the command can use: found with ServiceLoader on plain Java
 * ({@link ServiceLoaderPlugins}) or as OSGi services inside Felix ({@link OsgiPlugins}).
 */
public interface Plugins {
    /** Every installed device type, sorted by type name. */
    List<BlockDeviceProvider> deviceProviders();

    /** Every installed filesystem type, sorted by name. */
    List<FileSystemType> fileSystemTypes();

    /**
     * The device type named {@code type}.
     *
     * @throws JiomapException ENODEV naming the type and listing the installed ones
     */
    default BlockDeviceProvider deviceProvider(String type) throws JiomapException {
        List<BlockDeviceProvider> all = deviceProviders();
        for (BlockDeviceProvider p : all) {
            if (p.type().equals(type)) {
                return p;
            }
        }
        throw new JiomapException(Errno.ENODEV, "unknown device type '" + type + "'; available: "
                + available(all.stream().map(BlockDeviceProvider::type).collect(Collectors.toList())));
    }

    /**
     * The filesystem type named {@code name}.
     *
     * @throws JiomapException ENODEV naming the type and listing the installed ones (what mount(8) says)
     */
    default FileSystemType fileSystemType(String name) throws JiomapException {
        List<FileSystemType> all = fileSystemTypes();
        for (FileSystemType t : all) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new JiomapException(Errno.ENODEV, "unknown filesystem type '" + name + "'; available: "
                + available(all.stream().map(FileSystemType::name).collect(Collectors.toList())));
    }

    private static String available(List<String> names) {
        return names.isEmpty() ? "none installed" : String.join(", ", names);
    }
}
