package io.jiomap.testkit;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Opens fresh devices of one type: memory-backed where the type can be, over a new file in a temporary directory
 * where it needs a {@code path} (it refuses a spec without one with EINVAL). The directory is deleted on
 * {@link #close()}; it is under {@code java.io.tmpdir}, or the directory the system property
 * {@value #DIR_PROPERTY} names (a file device needs a filesystem with O_DIRECT).
 */
public final class FreshDevices implements AutoCloseable {
    /** System property naming where device images are created. */
    public static final String DIR_PROPERTY = "jiomap.testkit.dir";
    private static final String PATH = "path";

    private final BlockDeviceProvider provider;
    private final Map<String, String> options;
    private Path directory;
    private int opened;

    /**
     * @param options the spec options every device gets, e.g. {@code size=64m}; {@code path} is added when needed
     */
    public FreshDevices(BlockDeviceProvider provider, Map<String, String> options) {
        this.provider = provider;
        this.options = Map.copyOf(options);
    }

    public BlockDeviceProvider provider() {
        return provider;
    }

    /** A fresh, empty device with the options given at construction. */
    public BlockDevice open() throws JiomapException {
        return open(options);
    }

    /** A fresh, empty device with these options (plus a new image file if the type needs a path). */
    public BlockDevice open(Map<String, String> withOptions) throws JiomapException {
        try {
            return provider.open(new DeviceSpec(provider.type(), withOptions));
        } catch (JiomapException e) {
            if (e.errno() != Errno.EINVAL || withOptions.containsKey(PATH) || !provider.options().containsKey(PATH)) {
                throw e;
            }
        }
        Map<String, String> withPath = new LinkedHashMap<>(withOptions);
        withPath.put(PATH, newImage().toString());
        return provider.open(new DeviceSpec(provider.type(), withPath));
    }

    private synchronized Path newImage() {
        try {
            if (directory == null) {
                String dir = System.getProperty(DIR_PROPERTY);
                Path parent = Path.of(dir != null ? dir : System.getProperty("java.io.tmpdir"));
                Files.createDirectories(parent);
                directory = Files.createTempDirectory(parent, "jiomap-testkit-");
            }
            return directory.resolve(provider.type() + "-" + (opened++) + ".img");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for " + provider.type() + " images", e);
        }
    }

    /** Deletes the images made (close their devices first). */
    @Override
    public synchronized void close() {
        if (directory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
        directory = null;
    }
}
