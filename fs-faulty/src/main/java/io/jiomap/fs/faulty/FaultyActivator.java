package io.jiomap.fs.faulty;

import io.jiomap.api.fs.FileSystemType;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Tracks every filesystem type registered in the framework and registers the {@code faulty} type, which wraps
 * whichever of them a mount names with {@code over=}. The tracker lets go of a type when its bundle unregisters it
 * (docs/design-rules.md, "Rule 3"); a filesystem already mounted keeps the objects it was mounted with, as any mount
 * does.
 */
public final class FaultyActivator implements BundleActivator {
    private ServiceTracker<FileSystemType, FileSystemType> tracker;
    private ServiceRegistration<FileSystemType> registration;

    // tag::faulty-register[]
    @Override
    public void start(BundleContext context) {
        tracker = new ServiceTracker<>(context, FileSystemType.class, null);
        tracker.open();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(FileSystemType.TYPE_PROPERTY, FaultyFileSystemType.NAME);
        registration = context.registerService(FileSystemType.class,
                new FaultyFileSystemType(this::trackedTypes), props);
    }
    // end::faulty-register[]

    private Collection<FileSystemType> trackedTypes() {
        ServiceTracker<FileSystemType, FileSystemType> t = tracker;
        return t == null ? List.of() : t.getTracked().values();
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        if (tracker != null) {
            tracker.close();
            tracker = null;
        }
    }
}
