package org.example.jiomap.casefold;

import io.jiomap.api.fs.FileSystemType;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Tracks every filesystem type registered in the framework and registers the {@code casefold} type, which wraps
 * whichever of them a mount names with {@code over=}. The tracker lets go of a type when its bundle unregisters it.
 */
public final class CasefoldActivator implements BundleActivator {
    private ServiceTracker<FileSystemType, FileSystemType> tracker;
    private ServiceRegistration<FileSystemType> registration;

    // tag::casefold-register[]
    @Override
    public void start(BundleContext context) {
        tracker = new ServiceTracker<>(context, FileSystemType.class, null);
        tracker.open();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(FileSystemType.TYPE_PROPERTY, CasefoldFileSystemType.NAME);
        registration = context.registerService(FileSystemType.class,
                new CasefoldFileSystemType(this::trackedTypes), props);
    }
    // end::casefold-register[]

    private Collection<FileSystemType> trackedTypes() {
        ServiceTracker<FileSystemType, FileSystemType> t = tracker;
        return t == null ? List.of() : t.getTracked().values();
    }

    @Override
    public void stop(BundleContext context) {
        registration.unregister();
        tracker.close();
    }
}
