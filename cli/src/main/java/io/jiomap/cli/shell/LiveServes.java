package io.jiomap.cli.shell;

import io.jiomap.api.JiomapException;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.serve.NbdSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The NBD exports the shell session serves, by export name. Each ends when asked ({@link #stop}), when the session's
 * bundle stops ({@link #close}), or when the NBD server bundle stops under it: a watcher then unmounts its filesystem
 * and forgets it.
 */
public final class LiveServes implements AutoCloseable {
    /** One export as {@code jiomap:serve} lists it. */
    public record Row(String export, List<String> uris, String description, int clients) {
    }

    private final Plugins plugins;
    private final Map<String, NbdSession> sessions = new LinkedHashMap<>();

    public LiveServes(Plugins plugins) {
        this.plugins = plugins;
    }

    /**
     * Starts serving.
     *
     * @throws JiomapException EEXIST when an export of that name is served already, or what opening refuses
     */
    public synchronized NbdSession serve(NbdSession.Request request, Consumer<String> notes) throws JiomapException {
        if (sessions.containsKey(request.export())) {
            throw new JiomapException(io.jiomap.api.Errno.EEXIST, "export '" + request.export() + "' is served"
                    + " already (jiomap:unserve " + request.export() + " stops it)");
        }
        NbdSession session = NbdSession.open(plugins, request, notes);
        sessions.put(request.export(), session);
        Thread watcher = new Thread(() -> {
            try {
                session.server().awaitClosed();
                session.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (JiomapException e) {
                notes.accept(e.getMessage());
            } finally {
                forget(request.export(), session);
            }
        }, "jiomap-serve-" + request.export());
        watcher.setDaemon(true);
        watcher.start();
        return session;
    }

    private synchronized void forget(String export, NbdSession session) {
        sessions.remove(export, session);
    }

    /** Stops serving {@code export}: clients are answered and disconnected, the filesystem unmounted. */
    public void stop(String export) throws JiomapException {
        NbdSession s;
        synchronized (this) {
            s = sessions.remove(export);
        }
        if (s == null) {
            throw new JiomapException(io.jiomap.api.Errno.ENOENT, "no export named '" + export + "' is served");
        }
        s.close();
    }

    public synchronized List<Row> list() {
        List<Row> rows = new ArrayList<>();
        sessions.forEach((name, s) -> rows.add(new Row(name, s.uris(), s.server().export().description(),
                s.server().connectionCount())));
        return rows;
    }

    /** Stops every export. */
    @Override
    public void close() {
        List<NbdSession> all;
        synchronized (this) {
            all = new ArrayList<>(sessions.values());
            sessions.clear();
        }
        for (NbdSession s : all) {
            try {
                s.close();
            } catch (JiomapException e) {
                System.err.println("jiomap: stopping an NBD export: " + e.getMessage());
            }
        }
    }
}
