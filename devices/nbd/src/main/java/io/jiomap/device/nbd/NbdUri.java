package io.jiomap.device.nbd;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.device.nbd.wire.NbdWire;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Where an export is, read from an NBD URI (the NBD URI standard that libnbd, QEMU and fio use): {@code
 * nbd://HOST[:PORT]/EXPORT} over TCP (port 10809 by default) or {@code nbd+unix:///EXPORT?socket=PATH} over a Unix
 * socket. The export name is the path without its leading slash, percent-decoded; an empty one names the server's
 * default export. TLS ({@code nbds}) is refused: this client does not speak it.
 *
 * @param address    the server's socket address
 * @param exportName the export to ask for
 * @param text       the URI as given, for messages
 */
record NbdUri(SocketAddress address, String exportName, String text) {
    private static final String EXAMPLES = "nbd://HOST[:PORT]/EXPORT or nbd+unix:///EXPORT?socket=PATH";

    static NbdUri parse(String text) throws JiomapException {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw invalid(text, e.getReason());
        }
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw invalid(text, "it has no scheme");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String export = path.startsWith("/") ? path.substring(1) : path;
        switch (scheme) {
            case "nbd" -> {
                if (uri.getHost() == null) {
                    throw invalid(text, "it names no host");
                }
                if (uri.getRawQuery() != null) {
                    throw invalid(text, "an nbd:// URI takes no query (socket= belongs to nbd+unix)");
                }
                int port = uri.getPort() < 0 ? NbdWire.DEFAULT_PORT : uri.getPort();
                String host = uri.getHost();
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                return new NbdUri(InetSocketAddress.createUnresolved(host, port), export, text);
            }
            case "nbd+unix" -> {
                if (uri.getHost() != null || uri.getPort() >= 0) {
                    throw invalid(text, "nbd+unix names no host or port (write three slashes: nbd+unix:///EXPORT)");
                }
                String socket = queryValue(uri, "socket");
                if (socket == null || socket.isEmpty()) {
                    throw invalid(text, "it needs ?socket=PATH");
                }
                try {
                    return new NbdUri(UnixDomainSocketAddress.of(Path.of(socket)), export, text);
                } catch (InvalidPathException e) {
                    throw invalid(text, "socket=" + socket + " is not a path");
                }
            }
            case "nbds", "nbds+unix", "nbds+vsock" ->
                    throw invalid(text, "TLS (" + scheme + ") is not supported by this client; use nbd or nbd+unix");
            default -> throw invalid(text, "scheme '" + scheme + "' is not nbd or nbd+unix");
        }
    }

    /** The value of one {@code key=value} of the query, percent-decoded, or null. Other keys are refused. */
    private static String queryValue(URI uri, String key) throws JiomapException {
        String query = uri.getQuery();
        if (query == null) {
            return null;
        }
        String found = null;
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            if (!k.equals(key)) {
                throw invalid(uri.toString(), "query parameter '" + k + "' is not supported (only " + key + "=)");
            }
            found = eq < 0 ? "" : part.substring(eq + 1);
        }
        return found;
    }

    private static JiomapException invalid(String text, String why) {
        return new JiomapException(Errno.EINVAL, "nbd device option uri=" + text + " is not an NBD URI: " + why
                + "; expected " + EXAMPLES);
    }

    @Override
    public String toString() {
        return text;
    }
}
