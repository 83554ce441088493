package io.jiomap.device.nbd;

import io.jiomap.device.nbd.wire.NbdWire;

/**
 * What the handshake learned about an export.
 *
 * @param size              the export's size in bytes
 * @param flags             the transmission flags ({@code NbdWire.TF_*})
 * @param minimumBlock      the smallest request the server takes, 1 when it names none
 * @param preferredBlock    the size below which requests cost a read-modify-write, 4096 when it names none
 * @param maximumPayload    the largest payload the server takes, 32 MiB when it names none
 * @param structuredReplies whether the server agreed to structured replies
 * @param negotiatedByGo    whether NBD_OPT_GO was used (else the old NBD_OPT_EXPORT_NAME)
 */
record ExportInfo(long size, int flags, int minimumBlock, int preferredBlock, int maximumPayload,
                  boolean structuredReplies, boolean negotiatedByGo) {
    static final int DEFAULT_MINIMUM = 1;
    static final int DEFAULT_PREFERRED = 4096;
    static final int DEFAULT_MAXIMUM = 32 << 20;

    boolean has(int transmissionFlag) {
        return (flags & transmissionFlag) != 0;
    }

    /** The transmission flags by name, for messages and the device's description. */
    String describeFlags() {
        StringBuilder s = new StringBuilder();
        append(s, NbdWire.TF_READ_ONLY, "read-only");
        append(s, NbdWire.TF_SEND_FLUSH, "flush");
        append(s, NbdWire.TF_SEND_FUA, "fua");
        append(s, NbdWire.TF_SEND_TRIM, "trim");
        append(s, NbdWire.TF_SEND_WRITE_ZEROES, "write-zeroes");
        append(s, NbdWire.TF_CAN_MULTI_CONN, "multi-conn");
        append(s, NbdWire.TF_ROTATIONAL, "rotational");
        return s.isEmpty() ? "none" : s.toString();
    }

    private void append(StringBuilder s, int flag, String name) {
        if (has(flag)) {
            if (!s.isEmpty()) {
                s.append(',');
            }
            s.append(name);
        }
    }
}
