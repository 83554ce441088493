package io.jiomap.fs.xfslike;

import io.jiomap.api.fs.FileSystemType;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** Registers the XFS-like filesystem type as an OSGi service; the bundle exports nothing. */
public final class XfsLikeActivator implements BundleActivator {
    private ServiceRegistration<FileSystemType> registration;

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(FileSystemType.TYPE_PROPERTY, XfsLikeFileSystemType.NAME);
        registration = context.registerService(FileSystemType.class, new XfsLikeFileSystemType(), props);
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
