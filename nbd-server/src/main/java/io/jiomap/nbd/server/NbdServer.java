package io.jiomap.nbd.server;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves one {@link NbdExport} on TCP and/or Unix-socket listeners to any number of clients at once, each connection
 * on its own thread ({@link NbdConnection}). {@link #close} stops accepting, lets every connection answer what it has
 * in flight, closes them and removes the Unix socket; the export's file stays open for its owner to unmount.
 */
public final class NbdServer implements AutoCloseable {
    /** Where to listen: a TCP address, or a Unix socket path. */
    public sealed interface Listen permits Tcp, Unix {
        /** How an NBD client names this endpoint for {@code export}: the NBD URI. */
        String uri(String export);
    }

    /** A TCP listener. */
    public record Tcp(String host, int port) implements Listen {
        @Override
        public String uri(String export) {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return "nbd://" + h + ":" + port + "/" + export;
        }
    }

    /** A Unix-socket listener; the socket file must not exist yet and is removed on close. */
    public record Unix(Path path) implements Listen {
        @Override
        public String uri(String export) {
            return "nbd+unix:///" + export + "?socket=" + path;
        }
    }

    private final NbdExport export;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<Listen> bound = new ArrayList<>();
    private final List<Path> socketFiles = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean stopping;

    private NbdServer(NbdExport export) {
        this.export = export;
    }

    /**
     * Binds every listener and starts accepting.
     *
     * @throws JiomapException EADDRINUSE-like failures as EBUSY, an existing Unix socket path as EEXIST, with the
     *                         address in the message; nothing stays bound when one listener fails
     */
    public static NbdServer start(NbdExport export, List<Listen> listen) throws JiomapException {
        if (listen.isEmpty()) {
            throw new IllegalArgumentException("an NBD server needs at least one address to listen on");
        }
        NbdServer server = new NbdServer(export);
        try {
            for (Listen l : listen) {
                server.bind(l);
            }
        } catch (JiomapException | RuntimeException e) {
            server.close();
            throw e;
        }
        for (int i = 0; i < server.listeners.size(); i++) {
            ServerSocketChannel ch = server.listeners.get(i);
            boolean tcp = server.bound.get(i) instanceof Tcp;
            Thread t = new Thread(() -> server.accept(ch, tcp), "nbd-accept-" + export.name() + "-" + i);
            t.setDaemon(true);
            server.acceptors.add(t);
            t.start();
        }
        OpenServers.add(server);
        return server;
    }

    private void bind(Listen l) throws JiomapException {
        try {
            switch (l) {
                case Tcp tcp -> {
                    ServerSocketChannel ch = ServerSocketChannel.open();
                    listeners.add(ch);
                    ch.bind(new InetSocketAddress(tcp.host(), tcp.port()));
                    int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
                    bound.add(new Tcp(tcp.host(), port));
                }
                case Unix unix -> {
                    if (Files.exists(unix.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        throw new JiomapException(Errno.EEXIST, unix.path() + " exists; remove it or name another"
                                + " Unix socket path");
                    }
                    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                    listeners.add(ch);
                    ch.bind(UnixDomainSocketAddress.of(unix.path()));
                    socketFiles.add(unix.path());
                    bound.add(unix);
                }
            }
        } catch (IOException e) {
            String where = switch (l) {
                case Tcp tcp -> tcp.host() + ":" + tcp.port();
                case Unix unix -> unix.path().toString();
            };
            throw new JiomapException(Errno.EBUSY, "cannot listen on " + where + ": " + e.getMessage());
        }
    }

    private void accept(ServerSocketChannel listener, boolean tcp) {
        while (!stopping) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                // Closed by close(), or the listener failed: either way it accepts no more.
                return;
            }
            if (tcp) {
                try {
                    // Replies are small and pipelined: Nagle's algorithm would hold them back behind delayed ACKs.
                    ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                } catch (IOException e) {
                    closeQuietly(ch);
                    continue;
                }
            }
            String peer = peer(ch);
            NbdConnection c = new NbdConnection(ch, export, peer, connections::remove);
            connections.add(c);
            if (stopping) {
                c.stop();
                connections.remove(c);
                continue;
            }
            c.start("nbd-" + export.name() + "-" + connectionIds.incrementAndGet());
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // The client is gone either way.
        }
    }

    private static String peer(SocketChannel ch) {
        try {
            SocketAddress a = ch.getRemoteAddress();
            return a == null ? "unix" : a.toString();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Closes every server this bundle (or class loader) has open, each as {@link #close} does: what the bundle's stop
     * runs, so no connection outlives the bundle serving it.
     */
    public static void closeAll() {
        OpenServers.closeAll();
    }

    public NbdExport export() {
        return export;
    }

    /** The listeners as bound (a TCP port 0 replaced by the port the system chose). */
    public List<Listen> listening() {
        return List.copyOf(bound);
    }

    /** Clients connected now (negotiating or transmitting). */
    public int connectionCount() {
        return connections.size();
    }

    /** Whether {@link #close} has finished. */
    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** Waits until the server is closed (by {@link #close}, from any thread). */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** As {@link #awaitClosed()}, for at most {@code timeout}. @return whether it closed */
    public boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        return closed.await(timeout, unit);
    }

    /**
     * Stops accepting, asks every connection to answer what it has in flight and close, waits for them, removes the
     * Unix sockets. Idempotent; concurrent callers all return once it is done.
     */
    @Override
    public synchronized void close() {
        if (isClosed()) {
            return;
        }
        stopping = true;
        for (ServerSocketChannel l : listeners) {
            try {
                l.close();
            } catch (IOException ignored) {
                // Nothing to do about a listener that fails to close.
            }
        }
        boolean interrupted = false;
        for (Thread t : acceptors) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        List<NbdConnection> open = new ArrayList<>(connections);
        open.forEach(NbdConnection::stop);
        for (NbdConnection c : open) {
            while (true) {
                try {
                    // Bounded by the device: a connection waits only for the I/O it has in flight.
                    c.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        for (Path p : socketFiles) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // A socket file left behind is refused by the next start with a message naming it.
            }
        }
        OpenServers.remove(this);
        closed.countDown();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
