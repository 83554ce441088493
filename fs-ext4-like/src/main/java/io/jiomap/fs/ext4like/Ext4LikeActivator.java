package io.jiomap.fs.ext4like;

import io.jiomap.api.fs.FileSystemType;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** Registers the ext4-like filesystem type as an OSGi service; the bundle exports nothing. */
public final class Ext4LikeActivator implements BundleActivator {
    private ServiceRegistration<FileSystemType> registration;

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(FileSystemType.TYPE_PROPERTY, Ext4LikeFileSystemType.NAME);
        registration = context.registerService(FileSystemType.class, new Ext4LikeFileSystemType(), props);
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
