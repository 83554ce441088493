package io.jiomap.cli.plugin;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.fs.FileSystemType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Plugins seen as OSGi services, through trackers: a type is looked up by its service property
 * ({@link BlockDeviceProvider#TYPE_PROPERTY}, {@link FileSystemType#TYPE_PROPERTY}) at the moment it is needed, so a
 * plugin bundle that was updated or stopped since the last command is never used from its old class loader
 * (docs/design-rules.md, "Rule 3").
 */
public final class OsgiPlugins implements Plugins, AutoCloseable {
    private final ServiceTracker<BlockDeviceProvider, BlockDeviceProvider> devices;
    private final ServiceTracker<FileSystemType, FileSystemType> fileSystems;

    public OsgiPlugins(BundleContext context) {
        devices = new ServiceTracker<>(context, BlockDeviceProvider.class, null);
        fileSystems = new ServiceTracker<>(context, FileSystemType.class, null);
        devices.open();
        fileSystems.open();
    }

    @Override
    public List<BlockDeviceProvider> deviceProviders() {
        return services(devices, BlockDeviceProvider.TYPE_PROPERTY).stream()
                .sorted(Comparator.comparing(BlockDeviceProvider::type)).toList();
    }

    @Override
    public List<FileSystemType> fileSystemTypes() {
        return services(fileSystems, FileSystemType.TYPE_PROPERTY).stream()
                .sorted(Comparator.comparing(FileSystemType::name)).toList();
    }

    @Override
    public BlockDeviceProvider deviceProvider(String type) throws JiomapException {
        BlockDeviceProvider p = byProperty(devices, BlockDeviceProvider.TYPE_PROPERTY, type);
        if (p == null) {
            throw new JiomapException(Errno.ENODEV, "unknown device type '" + type + "'; available: "
                    + typeNames(devices, BlockDeviceProvider.TYPE_PROPERTY));
        }
        return p;
    }

    @Override
    public FileSystemType fileSystemType(String name) throws JiomapException {
        FileSystemType t = byProperty(fileSystems, FileSystemType.TYPE_PROPERTY, name);
        if (t == null) {
            throw new JiomapException(Errno.ENODEV, "unknown filesystem type '" + name + "'; available: "
                    + typeNames(fileSystems, FileSystemType.TYPE_PROPERTY));
        }
        return t;
    }

    /** Stops tracking; the cli's bundle is stopping. */
    @Override
    public void close() {
        devices.close();
        fileSystems.close();
    }

    /** Services that carry the type property (a registration without it cannot be named on a command line). */
    private static <S> List<S> services(ServiceTracker<S, S> tracker, String property) {
        List<S> out = new ArrayList<>();
        for (ServiceReference<S> ref : references(tracker)) {
            if (ref.getProperty(property) != null) {
                S s = tracker.getService(ref);
                if (s != null) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static <S> S byProperty(ServiceTracker<S, S> tracker, String property, String value) {
        // Highest ranking first, as the framework orders getServiceReference, if two bundles offer one type.
        List<ServiceReference<S>> refs = new ArrayList<>(references(tracker));
        refs.sort(Comparator.reverseOrder());
        for (ServiceReference<S> ref : refs) {
            if (Objects.equals(String.valueOf(ref.getProperty(property)), value)) {
                S s = tracker.getService(ref);
                if (s != null) {
                    return s;
                }
            }
        }
        return null;
    }

    private static <S> String typeNames(ServiceTracker<S, S> tracker, String property) {
        TreeSet<String> names = new TreeSet<>();
        for (ServiceReference<S> ref : references(tracker)) {
            Object v = ref.getProperty(property);
            if (v != null) {
                names.add(String.valueOf(v));
            }
        }
        return names.isEmpty() ? "none installed" : String.join(", ", names);
    }

    private static <S> List<ServiceReference<S>> references(ServiceTracker<S, S> tracker) {
        ServiceReference<S>[] refs = tracker.getServiceReferences();
        return refs == null ? List.of() : Arrays.asList(refs);
    }
}
