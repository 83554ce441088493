package io.jiomap.cli.shell;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.mount.FuseServer;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.fuse.FuseOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The images the shell session serves through FUSE ({@code jiomap:mount --fuse}), by mountpoint. Each runs in the
 * background until it is unmounted: by {@code jiomap:umount MOUNTPOINT}, by umount(8) or fusermount3 -u from outside
 * (a watcher then makes the image durable and forgets it), or with the session ({@link #close}).
 */
public final class LiveFuseMounts implements AutoCloseable {
    /** How long an unmount waits for the image to be durable and released. */
    static final long END_TIMEOUT_SECONDS = 120;

    /** One FUSE mount as {@code jiomap:mounts} lists it. */
    public record Row(Path mountpoint, Path image, String type) {
    }

    private record Served(FuseServer server, CompletableFuture<DioCounters> end) {
    }

    private final Plugins plugins;
    private final Map<Path, Served> byMountpoint = new LinkedHashMap<>();

    public LiveFuseMounts(Plugins plugins) {
        this.plugins = plugins;
    }

    /** Mounts the image on {@code mountpoint} and serves it in the background; {@code log} gets the server's lines. */
    public FuseServer mount(Path image, Path mountpoint, String deviceSpec, String fsName, FuseOptions options,
                            int wqWorkers, PrintStream log) throws JiomapException {
        FuseServer server = FuseServer.start(plugins, image, mountpoint, deviceSpec, fsName, options, wqWorkers, log);
        Path key = server.mountpoint();
        CompletableFuture<DioCounters> end = new CompletableFuture<>();
        synchronized (this) {
            byMountpoint.put(key, new Served(server, end));
        }
        Thread watcher = new Thread(() -> {
            DioCounters counters = null;
            Throwable failure = null;
            try {
                counters = server.awaitEnd();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            } catch (JiomapException | RuntimeException e) {
                log.println("jiomap:mount --fuse " + key + ": ending the mount failed: " + e.getMessage());
                failure = e;
            }
            // Forgotten before anyone waiting in umount hears of the end, so the listing never shows it after.
            synchronized (this) {
                byMountpoint.remove(key);
            }
            if (failure == null) {
                end.complete(counters);
            } else {
                end.completeExceptionally(failure);
            }
        }, "jiomap-fuse-mount " + key);
        watcher.setDaemon(true);
        watcher.start();
        return server;
    }

    /**
     * Unmounts the FUSE mount on {@code mountpoint} and waits until its image is durable and released.
     *
     * @return where its completions ran
     * @throws JiomapException ENOENT when the session serves nothing there, EIO when ending it failed
     */
    public DioCounters umount(Path mountpoint) throws JiomapException {
        Served s;
        synchronized (this) {
            s = byMountpoint.get(mountpoint.toAbsolutePath().normalize());
        }
        if (s == null) {
            throw new JiomapException(Errno.ENOENT, "no FUSE mount of this session on " + mountpoint);
        }
        s.server().unmount();
        try {
            return s.end().get(END_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JiomapException(Errno.EINTR, "interrupted waiting for " + mountpoint + " to unmount");
        } catch (ExecutionException e) {
            throw new JiomapException(Errno.EIO, "unmounting " + mountpoint + " failed: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new JiomapException(Errno.EBUSY, mountpoint + " was not released within " + END_TIMEOUT_SECONDS
                    + " s; a program may still hold it (the unmount is lazy: it ends when they let go)");
        }
    }

    /** Whether the session serves a FUSE mount on {@code path}. */
    public synchronized boolean serves(Path path) {
        return byMountpoint.containsKey(path.toAbsolutePath().normalize());
    }

    public synchronized List<Row> list() {
        List<Row> rows = new ArrayList<>();
        for (Served s : byMountpoint.values()) {
            rows.add(new Row(s.server().mountpoint(), s.server().image(), s.server().typeName()));
        }
        return rows;
    }

    /** Unmounts every FUSE mount of the session, each made durable and released. */
    @Override
    public void close() {
        for (Row r : list()) {
            try {
                umount(r.mountpoint());
            } catch (JiomapException e) {
                System.err.println("jiomap: " + r.mountpoint() + ": " + e.getMessage());
            }
        }
    }
}
