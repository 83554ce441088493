package io.jiomap.tck;

/**
 * What a plugin's contract test supplies: the filesystem under test and where its devices come from. A filesystem
 * plugin pairs itself with {@link io.jiomap.tck.scripted.ScriptedDevices}, a device plugin pairs itself with
 * {@link io.jiomap.tck.scripted.ScriptedFs} (which reaches the most test vectors) or a real filesystem. The
 * fixture has a feature when the filesystem declares it or the devices arrange it ({@link DeviceFactory#arranges});
 * {@link FsFeature#END_IO_FAILURE} also whenever the filesystem has a write end_io, whose answer the TCK replaces
 * between the engine and the filesystem ({@link io.jiomap.tck.observe.ObservedFileSystemType#failEndIo}).
 */
public record TckFixture(FileSystemUnderTest fileSystem, DeviceFactory devices) {
    public String name() {
        return fileSystem.name() + " on " + devices.name();
    }

    public boolean has(FsFeature feature) {
        return fileSystem.features().contains(feature) || devices.arranges().contains(feature)
                || (feature == FsFeature.END_IO_FAILURE && fileSystem.features().contains(FsFeature.WRITE_END_IO));
    }
}
