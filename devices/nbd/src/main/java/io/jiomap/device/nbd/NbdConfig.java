package io.jiomap.device.nbd;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.device.model.OptionReader;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The validated options of one {@code nbd} device.
 *
 * @param uri               where the export is
 * @param connections       connections wished for; more than one only where the server sets CAN_MULTI_CONN
 * @param pollQueues        further connections whose replies the submitters poll for; only with CAN_MULTI_CONN
 * @param queueDepth        requests in flight per connection
 * @param timeoutNanos      how long a request may wait for its reply (and a connection for its handshake) before
 *                          the connection is declared dead; 0 waits for ever
 * @param reconnect         how many times to reconnect after a connection is lost before the device fails
 * @param maxTransferBytes  the largest bio wished for, or 0 for the server's maximum payload
 * @param structuredReplies whether to ask for structured replies
 * @param detectZeroes      whether a write of zeros goes as WRITE_ZEROES, without payload, where the server takes it
 */
record NbdConfig(NbdUri uri, int connections, int pollQueues, int queueDepth, long timeoutNanos, int reconnect,
                 int maxTransferBytes, boolean structuredReplies, boolean detectZeroes) {
    static final String URI = "uri";
    static final String CONNECTIONS = "connections";
    static final String POLL_QUEUES = "poll-queues";
    static final String QUEUE_DEPTH = "queue-depth";
    static final String TIMEOUT = "timeout";
    static final String RECONNECT = "reconnect";
    static final String MAX_TRANSFER = "max-transfer";
    static final String STRUCTURED_REPLIES = "structured-replies";
    static final String DETECT_ZEROES = "detect-zeroes";

    /** Cookies carry the slot in 16 bits. */
    static final int MAX_QUEUE_DEPTH = 4096;
    static final int MAX_CONNECTIONS = 16;
    static final int MAX_TRANSFER_LIMIT = 32 << 20;
    private static final long DEFAULT_TIMEOUT = 30_000_000_000L;
    private static final long MAX_TIMEOUT = 3600_000_000_000L;

    static final Map<String, String> OPTION_HELP = optionHelp();

    private static Map<String, String> optionHelp() {
        Map<String, String> help = new LinkedHashMap<>();
        help.put(URI, "the export: nbd://HOST[:PORT]/EXPORT (TCP, port 10809 by default) or"
                + " nbd+unix:///EXPORT?socket=PATH (required)");
        help.put(CONNECTIONS, "connections, each a hardware queue with its own reader thread, 1.." + MAX_CONNECTIONS
                + "; more than one only where the server sets CAN_MULTI_CONN, else one (default 1)");
        help.put(POLL_QUEUES, "further connections for polled bios (caller+poll, HIPRI), 0.." + MAX_CONNECTIONS
                + ": their replies are read by the submitter that polls, with no reader thread; only where the server"
                + " sets CAN_MULTI_CONN, else none (default 0)");
        help.put(QUEUE_DEPTH, "requests in flight per connection, 1.." + MAX_QUEUE_DEPTH + " (default 128)");
        help.put(TIMEOUT, "how long a request may wait for its reply before its connection is declared dead and"
                + " its bios fail with EIO, e.g. 30s; 0s waits for ever (default 30s)");
        help.put(RECONNECT, "reconnect attempts after a connection is lost, resending what was in flight, before"
                + " the device fails with ENODEV, 0..1000 (default 0)");
        help.put(MAX_TRANSFER, "largest bio in bytes, up to the server's maximum payload and 32m"
                + " (default: the server's maximum, 32m when it names none)");
        help.put(STRUCTURED_REPLIES, "ask for structured replies (holes read without payload): on or off"
                + " (default on)");
        help.put(DETECT_ZEROES, "send a write whose data is all zeros as WRITE_ZEROES without payload, where the"
                + " server takes it: on or off (default off)");
        return Collections.unmodifiableMap(help);
    }

    static NbdConfig parse(Map<String, String> options) throws JiomapException {
        OptionReader reader = new OptionReader(NbdDeviceProvider.TYPE, options, OPTION_HELP);
        String uriText = reader.text(URI);
        if (uriText == null || uriText.isBlank()) {
            throw new JiomapException(Errno.EINVAL, "nbd device option uri is required, e.g."
                    + " nbd:uri=nbd://localhost/disk or nbd:uri=nbd+unix:///disk?socket=/run/nbd.sock");
        }
        NbdUri uri = NbdUri.parse(uriText);
        int connections = reader.count(CONNECTIONS, 1, 1, MAX_CONNECTIONS);
        int pollQueues = reader.count(POLL_QUEUES, 0, 0, MAX_CONNECTIONS);
        int queueDepth = reader.count(QUEUE_DEPTH, 128, 1, MAX_QUEUE_DEPTH);
        long timeout = reader.nanos(TIMEOUT, DEFAULT_TIMEOUT, MAX_TIMEOUT, "a duration up to 3600s, e.g. 30s");
        int reconnect = reader.count(RECONNECT, 0, 0, 1000);
        int maxTransfer = (int) reader.bytes(MAX_TRANSFER, 0, 512, MAX_TRANSFER_LIMIT, 512,
                "a multiple of 512 up to 32m, e.g. 1m");
        boolean structured = reader.onOff(STRUCTURED_REPLIES, true);
        boolean detectZeroes = reader.onOff(DETECT_ZEROES, false);
        return new NbdConfig(uri, connections, pollQueues, queueDepth, timeout, reconnect, maxTransfer, structured,
                detectZeroes);
    }
}
