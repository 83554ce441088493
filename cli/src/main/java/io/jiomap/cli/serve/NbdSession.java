package io.jiomap.cli.serve;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.cli.format.FormatPolicy;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.plugin.Storage;
import io.jiomap.core.OpenFile;
import io.jiomap.nbd.server.NbdExport;
import io.jiomap.nbd.server.NbdServer;
import java.util.List;
import java.util.function.Consumer;

/**
 * One running NBD export: the device, the filesystem mounted on it (the raw filesystem for a whole device), the file
 * exported and the server. What the {@code serve nbd} command and the shell's {@code jiomap:serve} both run.
 * Closing stops the server (in-flight requests answered, clients disconnected), then unmounts and closes the device.
 */
public final class NbdSession implements AutoCloseable {
    /** The filesystem a whole device is exported through: its one file is the device. */
    static final String RAW = "raw";
    /** The name the raw filesystem lists for the device (any name in its root opens it). */
    static final String RAW_DEVICE = "/dev";

    /**
     * What to serve and where.
     *
     * @param device   the device spec, {@code TYPE[:key=value,...]}
     * @param fs       the filesystem spec whose file is exported, or null to export the whole device
     * @param file     the file's path inside the filesystem (with {@code fs} only)
     * @param size     bytes to create or grow the file to, or -1 to export it as it is
     * @param listen   where to listen
     * @param export   the export name
     * @param readOnly whether clients may only read
     */
    public record Request(String device, String fs, String file, long size, List<NbdServer.Listen> listen,
                          String export, boolean readOnly) {
        public Request {
            if (fs == null && (file != null || size >= 0)) {
                throw new IllegalArgumentException("--file and --size name a file of a filesystem: give --fs too, or"
                        + " leave them out to export the whole device");
            }
            if (fs != null && file == null) {
                throw new IllegalArgumentException("--fs=" + fs + " needs --file=PATH, the file to export");
            }
            if (listen.isEmpty()) {
                throw new IllegalArgumentException("nothing to listen on");
            }
        }
    }

    private final Storage storage;
    private final NbdServer server;
    private final Consumer<String> notes;
    private boolean closed;

    private NbdSession(Storage storage, NbdServer server, Consumer<String> notes) {
        this.storage = storage;
        this.server = server;
        this.notes = notes;
    }

    /**
     * Opens the device, mounts the filesystem as {@code jiomap fio} does (a blank device is formatted, one holding
     * the filesystem is mounted as it is, anything else is refused: an existing filesystem is never formatted),
     * opens the file and starts the server. A whole-device export serves the device's contents as they are.
     *
     * @param notes told, in one line each, what the user must know (a filesystem mounted as it was, the stop)
     */
    public static NbdSession open(Plugins plugins, Request r, Consumer<String> notes) throws JiomapException {
        // A whole device is the client's disk: whatever it holds (a filesystem the client made) is served as it is,
        // through raw, which has no format and writes nothing at mount. Only a file export formats, and only a blank
        // device.
        Storage storage = r.fs() == null
                ? Storage.open(plugins, r.device(), RAW, 1, FormatPolicy.NEVER, notes)
                : Storage.open(plugins, r.device(), r.fs(), 1, FormatPolicy.IF_BLANK, notes);
        try {
            OpenFile file;
            if (r.fs() == null) {
                file = storage.mount().open(RAW_DEVICE, 0);
            } else {
                file = openFile(storage, r);
            }
            NbdServer server = NbdServer.start(NbdExport.of(r.export(), file, r.readOnly()), r.listen());
            return new NbdSession(storage, server, notes);
        } catch (JiomapException | RuntimeException e) {
            try {
                storage.close();
            } catch (JiomapException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static OpenFile openFile(Storage storage, Request r) throws JiomapException {
        if (r.size() < 0) {
            try {
                return storage.mount().open(r.file(), 0);
            } catch (JiomapException e) {
                if (e.errno() == Errno.ENOENT) {
                    throw new JiomapException(Errno.ENOENT, r.file() + " does not exist in " + r.fs() + " on "
                            + r.device() + "; give --size=BYTES to create it");
                }
                throw e;
            }
        }
        if (r.readOnly()) {
            throw new IllegalArgumentException("--size creates or resizes the file, which a --read-only export"
                    + " must not do; leave one of them out");
        }
        OpenFile file = storage.mount().open(r.file(), OpenFile.CREATE);
        if (file.size() != r.size()) {
            file.truncate(r.size());
        }
        return file;
    }

    public NbdServer server() {
        return server;
    }

    /** One line per listener: the URI a client names it by. */
    public List<String> uris() {
        return server.listening().stream().map(l -> l.uri(server.export().name())).toList();
    }

    /**
     * Stops serving (requests in flight answered), unmounts (everything acknowledged made durable) and closes the
     * device. Idempotent; a second caller waits for the first.
     */
    @Override
    public synchronized void close() throws JiomapException {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        storage.close();
        notes.accept("stopped serving " + storage.deviceSpec() + "; " + storage.fsSpec() + " unmounted");
    }
}
