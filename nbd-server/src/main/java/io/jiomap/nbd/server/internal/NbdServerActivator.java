package io.jiomap.nbd.server.internal;

import io.jiomap.nbd.server.NbdServer;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** Stopping the NBD server bundle closes the servers it runs: in-flight requests are answered, then clients leave. */
public final class NbdServerActivator implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        // Servers are started by their users (the cli's serve command, the shell); nothing to do here.
    }

    @Override
    public void stop(BundleContext context) {
        NbdServer.closeAll();
    }
}
