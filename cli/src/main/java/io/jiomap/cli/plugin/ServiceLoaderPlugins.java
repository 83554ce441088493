package io.jiomap.cli.plugin;

import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.fs.FileSystemType;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** Plugins found with {@link ServiceLoader} on the module path or class path: the plain-Java setting. */
public final class ServiceLoaderPlugins implements Plugins {
    private final List<BlockDeviceProvider> devices;
    private final List<FileSystemType> fileSystems;

    public ServiceLoaderPlugins() {
        devices = ServiceLoader.load(BlockDeviceProvider.class).stream().map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparing(BlockDeviceProvider::type)).toList();
        fileSystems = ServiceLoader.load(FileSystemType.class).stream().map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparing(FileSystemType::name)).toList();
    }

    @Override
    public List<BlockDeviceProvider> deviceProviders() {
        return devices;
    }

    @Override
    public List<FileSystemType> fileSystemTypes() {
        return fileSystems;
    }
}
