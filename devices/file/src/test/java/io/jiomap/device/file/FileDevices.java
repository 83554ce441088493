package io.jiomap.device.file;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.DeviceCompletion;
import io.jiomap.tck.DeviceFactory;
import io.jiomap.tck.DeviceSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * File devices for the TCK, each on a fresh file in {@code target}: a file device has exactly one configuration per
 * file (the filesystem's alignment, a volatile cache with FUA, asynchronous completion), so a setup asking for
 * anything else that the test depends on is declined and its test skipped. The file is unlinked once open (the open
 * file keeps its blocks), so no test leaves one behind.
 */
final class FileDevices implements DeviceFactory {
    private final FileDeviceProvider provider = new FileDeviceProvider();
    private final Path dir;
    private int next;

    FileDevices() {
        try {
            Files.createDirectories(Path.of("target"));
            dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tck-");
            dir.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return FileDeviceProvider.TYPE;
    }

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException {
        boolean cacheDeclined = setup.writeCacheMatters() && !(setup.volatileWriteCache() && setup.fua());
        if (setup.completion() != DeviceCompletion.ASYNC || cacheDeclined) {
            return Optional.empty();
        }
        return openFresh("size=" + setup.capacityBytes() + ",max-transfer=" + setup.maxTransferBytes(),
                setup.logicalBlockSize());
    }

    /**
     * Opens a file device with these options on a fresh file, unlinked once open; empty (and closed) when its
     * logical block size, which the filesystem decides, is not {@code lbs} (0: any).
     */
    Optional<BlockDevice> openFresh(String options, int lbs) throws JiomapException {
        Path file = dir.resolve("dev" + next++ + ".img");
        FileDevice device = provider.open(DeviceSpec.parse("file:path=" + file + "," + options));
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            device.close();
            throw new UncheckedIOException(e);
        }
        if (lbs != 0 && device.capabilities().logicalBlockSize() != lbs) {
            device.close();
            return Optional.empty();
        }
        return Optional.of(device);
    }
}
