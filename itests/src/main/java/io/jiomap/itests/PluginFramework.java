package io.jiomap.itests;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.launcher.EmbeddedFramework;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A Felix in this JVM where the host and the plugin bundles share the api types: the host's {@code io.jiomap.api}
 * packages (jiomap-api on the class path) are exported by the system bundle, only the plugin bundles are installed,
 * and the host drives them with its own core ({@code io.jiomap.core.Mount}, {@code IoRing}).
 *
 * <p>api.jar must not be installed as a bundle as well: the plugins would wire to it, and its types would be other
 * classes than the host's, so the host could not use the services.
 */
public final class PluginFramework implements AutoCloseable {
    /**
     * The api packages as the api bundle exports them (its manifest's Export-Package, versions from each
     * package-info), so the system bundle offers exactly the versions the plugins were built against.
     */
    public static final String API_PACKAGES = apiExports();

    private static String apiExports() {
        try {
            Path where = Path.of(Errno.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Manifest manifest;
            if (Files.isDirectory(where)) {
                try (InputStream in = Files.newInputStream(where.resolve("META-INF/MANIFEST.MF"))) {
                    manifest = new Manifest(in);
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    manifest = jar.getManifest();
                }
            }
            String exports = manifest.getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
            if (exports == null) {
                throw new IllegalStateException(where + " has no Export-Package: is it the bnd-built api bundle?");
            }
            return exports;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read the api bundle's manifest", e);
        }
    }
    /** The memory device bundle's file in the bundle directory. */
    public static final String MEMORY_JAR = "jiomap-device-memory.jar";
    /** The raw filesystem bundle's file in the bundle directory. */
    public static final String RAW_JAR = "jiomap-fs-raw.jar";
    /** The xfs-like filesystem bundle's file in the bundle directory. */
    public static final String XFS_LIKE_JAR = "jiomap-fs-xfs-like.jar";
    /** The ext4-like filesystem bundle's file in the bundle directory. */
    public static final String EXT4_LIKE_JAR = "jiomap-fs-ext4-like.jar";
    /** The nvme-like device bundle's file in the bundle directory. */
    public static final String NVME_LIKE_JAR = "jiomap-device-nvme-like.jar";
    /** The sata-like device bundle's file in the bundle directory. */
    public static final String SATA_LIKE_JAR = "jiomap-device-sata-like.jar";
    /** The file device bundle's file in the bundle directory. */
    public static final String FILE_JAR = "jiomap-device-file.jar";

    private final EmbeddedFramework framework;
    private final Path bundleDirectory;
    private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();

    private PluginFramework(EmbeddedFramework framework, Path bundleDirectory) {
        this.framework = framework;
        this.bundleDirectory = bundleDirectory;
    }

    /**
     * Boots a framework and installs and starts the memory device and raw filesystem bundles.
     *
     * @param bundleDirectory where the build copied the bundles (the {@code bundles.dir} system property)
     */
    public static PluginFramework start(Path bundleDirectory, PrintStream err) throws BundleException {
        return start(bundleDirectory, err, List.of(MEMORY_JAR, RAW_JAR));
    }

    /**
     * Boots a framework and installs and starts the plugin bundles {@code jarNames} of the bundle directory, e.g.
     * {@link #RAW_JAR} and every device bundle.
     */
    public static PluginFramework start(Path bundleDirectory, PrintStream err, List<String> jarNames)
            throws BundleException {
        EmbeddedFramework fw = EmbeddedFramework.start(
                Map.of(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, API_PACKAGES), err);
        PluginFramework pf = new PluginFramework(fw, bundleDirectory);
        try {
            List<Bundle> plugins = fw.install(jarNames.stream().map(bundleDirectory::resolve).toList());
            List<EmbeddedFramework.StartFailure> failures = fw.startAll(plugins);
            if (!failures.isEmpty()) {
                throw new BundleException("plugin bundles failed to start: " + failures);
            }
        } catch (BundleException | RuntimeException e) {
            pf.close();
            throw e;
        }
        return pf;
    }

    /** The bundle directory given to {@link #start}, from the {@code bundles.dir} system property of the build. */
    public static Path bundleDirectoryFromBuild() {
        String dir = System.getProperty("bundles.dir");
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            throw new IllegalStateException("system property bundles.dir must name the directory the build copied "
                    + "the bundles to (the itests pom sets it to target/bundles), got " + dir);
        }
        return Path.of(dir);
    }

    public EmbeddedFramework framework() {
        return framework;
    }

    public Path bundleDirectory() {
        return bundleDirectory;
    }

    /** The installed bundle that came from {@code jarName} in the bundle directory, e.g. {@link #RAW_JAR}. */
    public Bundle bundleAt(String jarName) {
        String location = bundleDirectory.resolve(jarName).toUri().toString();
        Bundle b = framework.framework().getBundleContext().getBundle(location);
        if (b == null) {
            throw new IllegalStateException("no bundle installed from " + location + "; have:\n"
                    + framework.bundleStates());
        }
        return b;
    }

    /** Installs {@code jarName} from the bundle directory again (after an uninstall) and starts it. */
    public Bundle installAndStart(String jarName) throws BundleException {
        Bundle b = framework.install(List.of(bundleDirectory.resolve(jarName))).getFirst();
        b.start();
        return b;
    }

    /** An open tracker of the device providers, closed with the framework. */
    public ServiceTracker<BlockDeviceProvider, BlockDeviceProvider> deviceProviders() {
        return track(BlockDeviceProvider.class);
    }

    /**
     * An open tracker of the device providers of one type (service property
     * {@value BlockDeviceProvider#TYPE_PROPERTY}), closed with the framework: with several device bundles installed,
     * {@link #deviceProviders()} would hand out any of them.
     */
    public ServiceTracker<BlockDeviceProvider, BlockDeviceProvider> deviceProviders(String type) {
        BundleContext context = framework.framework().getBundleContext();
        String filter = "(&(" + Constants.OBJECTCLASS + "=" + BlockDeviceProvider.class.getName() + ")("
                + BlockDeviceProvider.TYPE_PROPERTY + "=" + type + "))";
        ServiceTracker<BlockDeviceProvider, BlockDeviceProvider> tracker;
        try {
            tracker = new ServiceTracker<>(context, context.createFilter(filter), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("device type '" + type + "' does not fit in a service filter: "
                    + e.getMessage(), e);
        }
        tracker.open();
        trackers.add(tracker);
        return tracker;
    }

    /** An open tracker of the filesystem types, closed with the framework. */
    public ServiceTracker<FileSystemType, FileSystemType> fileSystemTypes() {
        return track(FileSystemType.class);
    }

    /** An open tracker of the filesystem type named {@code name} (service property jiomap.fs.type). */
    public ServiceTracker<FileSystemType, FileSystemType> fileSystemType(String name) {
        BundleContext context = framework.framework().getBundleContext();
        String filter = "(&(" + Constants.OBJECTCLASS + "=" + FileSystemType.class.getName() + ")("
                + FileSystemType.TYPE_PROPERTY + "=" + name + "))";
        ServiceTracker<FileSystemType, FileSystemType> tracker;
        try {
            tracker = new ServiceTracker<>(context, context.createFilter(filter), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("filesystem type '" + name + "' does not fit in a service filter: "
                    + e.getMessage(), e);
        }
        tracker.open();
        trackers.add(tracker);
        return tracker;
    }

    private <S> ServiceTracker<S, S> track(Class<S> type) {
        ServiceTracker<S, S> tracker = new ServiceTracker<>(framework.framework().getBundleContext(), type, null);
        tracker.open();
        trackers.add(tracker);
        return tracker;
    }

    @Override
    public void close() {
        trackers.forEach(ServiceTracker::close);
        framework.close();
    }
}
