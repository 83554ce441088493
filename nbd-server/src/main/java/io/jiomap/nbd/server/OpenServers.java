package io.jiomap.nbd.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The servers of this bundle that are open, so that stopping the bundle closes each of them cleanly (their
 * connections answer what is in flight) rather than leaving threads serving from a stopped bundle.
 */
final class OpenServers {
    private static final Set<NbdServer> OPEN = ConcurrentHashMap.newKeySet();

    private OpenServers() {
    }

    static void add(NbdServer server) {
        OPEN.add(server);
    }

    static void remove(NbdServer server) {
        OPEN.remove(server);
    }

    /** Closes every open server, each after the other. */
    static void closeAll() {
        List<NbdServer> all = new ArrayList<>(OPEN);
        all.forEach(NbdServer::close);
    }
}
