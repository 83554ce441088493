package io.jiomap.cli.serve;

import io.jiomap.api.JiomapException;
import io.jiomap.cli.command.Converters;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.device.nbd.wire.NbdWire;
import io.jiomap.nbd.server.NbdExport;
import io.jiomap.nbd.server.NbdServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jiomap serve nbd}: exports a device, or one file of a filesystem on it, to NBD clients until SIGTERM or
 * Ctrl-C, then drains, disconnects the clients and unmounts.
 */
@Command(name = "nbd", mixinStandardHelpOptions = true,
        description = "Exports a device, or one file of a filesystem on it, over NBD until SIGTERM or Ctrl-C.",
        footer = {"", "Clients: nbdinfo --json nbd://127.0.0.1:10809/NAME; qemu-img info nbd+unix:///NAME?socket=PATH;"
                + " fio --ioengine=nbd --uri=...; nbdfuse DIR URI (then losetup on DIR/nbd for the kernel)."})
public final class ServeNbdCommand implements Callable<Integer> {
    /** Where TCP clients find the export unless {@code --listen} or {@code --socket} says otherwise. */
    static final String DEFAULT_LISTEN = "127.0.0.1:" + NbdWire.DEFAULT_PORT;

    @Spec
    private CommandSpec spec;

    @Option(names = "--device", required = true, paramLabel = "TYPE[:key=value,...]",
            description = "the device, e.g. memory:size=1g or file:path=disk.img")
    private String device;

    @Option(names = "--fs", paramLabel = "TYPE[:option=value,...]",
            description = "export a file of this filesystem instead of the whole device (a blank device is formatted,"
                    + " an existing filesystem never)")
    private String fs;

    @Option(names = "--file", paramLabel = "PATH", description = "with --fs: the file to export, e.g. /vm.img")
    private String file;

    @Option(names = "--size", paramLabel = "BYTES", converter = Converters.Size.class,
            description = "with --fs: create the file, or resize it, to this size (k/m/g suffixes)")
    private Long size;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "TCP address (default " + DEFAULT_LISTEN + " unless --socket is given)")
    private String listen;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "listen on this Unix socket (and on TCP only when --listen is given too)")
    private Path socket;

    @Option(names = "--export", paramLabel = "NAME", defaultValue = "",
            description = "the export name (default: the empty name, nbd://HOST:PORT/)")
    private String export;

    @Option(names = "--read-only", description = "clients may only read")
    private boolean readOnly;

    private final Plugins plugins;

    public ServeNbdCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    public Integer call() throws JiomapException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NbdSession session = NbdSession.open(plugins, request(), line -> {
            err.println("jiomap serve nbd: " + line);
            err.flush();
        });
        NbdExport e = session.server().export();
        out.println("serving " + e.description() + " (" + e.size() + " bytes" + (e.readOnly() ? ", read-only" : "")
                + ") until SIGTERM or Ctrl-C at:");
        session.uris().forEach(u -> out.println("  " + u));
        out.flush();
        Thread stop = new Thread(() -> {
            try {
                session.close();
            } catch (JiomapException ex) {
                err.println("jiomap serve nbd: " + ex.getMessage());
                err.flush();
            }
        }, "jiomap-serve-nbd-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            // Returns once SIGTERM/Ctrl-C (the hook) or the server bundle's stop closed the server.
            session.server().awaitClosed();
            session.close();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting: the hook runs (or ran) the same idempotent close.
            }
        }
        return 0;
    }

    /**
     * Reads {@code serve nbd} options into a request, for the shell's {@code jiomap:serve nbd}.
     *
     * @throws IllegalArgumentException for options that do not parse, naming the option
     */
    public static NbdSession.Request parse(Plugins plugins, String... args) {
        ServeNbdCommand c = new ServeNbdCommand(plugins);
        try {
            new picocli.CommandLine(c).parseArgs(args);
        } catch (picocli.CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return c.request();
    }

    NbdSession.Request request() {
        List<NbdServer.Listen> where = new ArrayList<>();
        if (listen != null || socket == null) {
            where.add(parseListen(listen == null ? DEFAULT_LISTEN : listen));
        }
        if (socket != null) {
            where.add(new NbdServer.Unix(socket));
        }
        return new NbdSession.Request(device, fs, file, size == null ? -1 : size, where, export, readOnly);
    }

    /** {@code HOST:PORT}, {@code [V6]:PORT} or {@code :PORT} (loopback). */
    static NbdServer.Tcp parseListen(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--listen=" + text + ": expected HOST:PORT, e.g. 127.0.0.1:10809");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen=" + text + ": the port must be a number in 0..65535");
        }
        return new NbdServer.Tcp(host, port);
    }
}
