package io.jiomap.nbd.server;

import io.jiomap.device.nbd.wire.NbdWire;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The server's side of the fixed newstyle negotiation on a blocking channel: the greeting, then options until the
 * client picks the export (OPT_GO, or OPT_EXPORT_NAME) or gives up. Runs once per connection; allocation does not
 * matter here.
 *
 * <p>Options answered: EXPORT_NAME, ABORT, LIST, INFO, GO, STRUCTURED_REPLY, LIST_META_CONTEXT and
 * SET_META_CONTEXT (base:allocation only); STARTTLS is refused by policy; anything else is unsupported. An option
 * whose data does not parse gets ERR_INVALID, one naming another export ERR_UNKNOWN, and the negotiation goes on.
 * Only what leaves the two sides out of step ends the connection: a bad option magic, unknown client flags, an
 * option longer than {@link #MAX_OPTION_LENGTH}, an unknown name in EXPORT_NAME (which cannot answer an error).
 */
final class Handshake {
    /** The longest option data read; longer ones end the connection (strings are at most 4096 bytes). */
    static final int MAX_OPTION_LENGTH = 64 << 10;
    /** The meta-context id of base:allocation, the only context served. */
    static final int BASE_ALLOCATION_ID = 1;

    /**
     * What the client chose.
     *
     * @param structuredReplies whether structured replies were negotiated
     * @param metaContextId     {@link #BASE_ALLOCATION_ID} when base:allocation was selected, else 0
     */
    record Result(boolean structuredReplies, int metaContextId) {
    }

    /** The client broke the protocol in a way that cannot be answered: the connection ends. */
    static final class ProtocolViolation extends IOException {
        ProtocolViolation(String message) {
            super(message);
        }
    }

    private final ByteChannel channel;
    private final NbdExport export;
    private boolean structured;
    private int metaContextId;
    private boolean noZeroes;

    Handshake(ByteChannel channel, NbdExport export) {
        this.channel = channel;
        this.export = export;
    }

    /**
     * Runs the negotiation.
     *
     * @return the client's choices, or null when it aborted or went away before choosing
     * @throws ProtocolViolation when the client broke the protocol beyond an error reply
     * @throws IOException       when the connection failed
     */
    Result negotiate() throws IOException {
        ByteBuffer greeting = ByteBuffer.allocate(18);
        greeting.putLong(NbdWire.NBDMAGIC).putLong(NbdWire.IHAVEOPT)
                .putShort((short) (NbdWire.FLAG_FIXED_NEWSTYLE | NbdWire.FLAG_NO_ZEROES)).flip();
        writeFully(greeting);
        ByteBuffer clientFlags = ByteBuffer.allocate(4);
        if (!readFully(clientFlags)) {
            return null;
        }
        int flags = clientFlags.getInt(0);
        if ((flags & ~(NbdWire.CLIENT_FIXED_NEWSTYLE | NbdWire.CLIENT_NO_ZEROES)) != 0) {
            throw new ProtocolViolation("client flags 0x" + Integer.toHexString(flags) + " carry unknown bits");
        }
        noZeroes = (flags & NbdWire.CLIENT_NO_ZEROES) != 0;
        ByteBuffer header = ByteBuffer.allocate(16);
        while (true) {
            header.clear();
            if (!readFully(header)) {
                return null;
            }
            if (header.getLong(0) != NbdWire.IHAVEOPT) {
                throw new ProtocolViolation("option does not start with IHAVEOPT");
            }
            int option = header.getInt(8);
            int length = header.getInt(12);
            if (length < 0 || length > MAX_OPTION_LENGTH) {
                throw new ProtocolViolation("option " + option + " carries " + Integer.toUnsignedString(length)
                        + " bytes, more than the " + MAX_OPTION_LENGTH + " accepted");
            }
            ByteBuffer data = ByteBuffer.allocate(length);
            if (!readFully(data)) {
                return null;
            }
            data.flip();
            switch (option) {
                case NbdWire.OPT_EXPORT_NAME -> {
                    String name = string(data, length);
                    if (name == null || !export.answersTo(name)) {
                        throw new ProtocolViolation("EXPORT_NAME asks for an export this server does not have");
                    }
                    ByteBuffer reply = ByteBuffer.allocate(noZeroes ? 10 : 134);
                    reply.putLong(export.size()).putShort((short) export.transmissionFlags(structured));
                    reply.position(reply.capacity()).flip();
                    writeFully(reply);
                    return new Result(structured, metaContextId);
                }
                case NbdWire.OPT_ABORT -> {
                    reply(option, NbdWire.REP_ACK, new byte[0]);
                    return null;
                }
                case NbdWire.OPT_LIST -> {
                    if (length != 0) {
                        error(option, NbdWire.REP_ERR_INVALID, "LIST takes no data");
                    } else {
                        byte[] name = export.name().getBytes(StandardCharsets.UTF_8);
                        reply(option, NbdWire.REP_SERVER, ByteBuffer.allocate(4 + name.length).putInt(name.length)
                                .put(name).array());
                        reply(option, NbdWire.REP_ACK, new byte[0]);
                    }
                }
                case NbdWire.OPT_INFO, NbdWire.OPT_GO -> {
                    if (info(option, data)) {
                        return new Result(structured, metaContextId);
                    }
                }
                case NbdWire.OPT_STRUCTURED_REPLY -> {
                    if (length != 0) {
                        error(option, NbdWire.REP_ERR_INVALID, "STRUCTURED_REPLY takes no data");
                    } else if (structured) {
                        error(option, NbdWire.REP_ERR_INVALID, "structured replies are already negotiated");
                    } else {
                        structured = true;
                        reply(option, NbdWire.REP_ACK, new byte[0]);
                    }
                }
                case NbdWire.OPT_LIST_META_CONTEXT, NbdWire.OPT_SET_META_CONTEXT -> metaContext(option, data);
                case NbdWire.OPT_STARTTLS -> error(option, NbdWire.REP_ERR_POLICY, "this server does not offer TLS");
                default -> error(option, NbdWire.REP_ERR_UNSUP, "option " + option + " is not supported");
            }
        }
    }

    /** INFO and GO. @return true when GO succeeded: transmission starts */
    private boolean info(int option, ByteBuffer data) throws IOException {
        if (data.remaining() < 6) {
            error(option, NbdWire.REP_ERR_INVALID, "INFO/GO data is shorter than its name length and request count");
            return false;
        }
        int nameLength = data.getInt();
        if (nameLength < 0 || nameLength > data.remaining() - 2) {
            error(option, NbdWire.REP_ERR_INVALID, "INFO/GO name length exceeds the option");
            return false;
        }
        String name = string(data, nameLength);
        int requests = Short.toUnsignedInt(data.getShort());
        if (data.remaining() != 2 * requests) {
            error(option, NbdWire.REP_ERR_INVALID, "INFO/GO lists " + requests + " information requests but carries "
                    + data.remaining() + " bytes for them");
            return false;
        }
        if (name == null) {
            error(option, NbdWire.REP_ERR_INVALID, "the export name is not UTF-8");
            return false;
        }
        if (!export.answersTo(name)) {
            error(option, NbdWire.REP_ERR_UNKNOWN, "no export named '" + name + "'; this server exports '"
                    + export.name() + "'");
            return false;
        }
        boolean wantName = false;
        boolean wantDescription = false;
        for (int i = 0; i < requests; i++) {
            int type = Short.toUnsignedInt(data.getShort());
            wantName |= type == NbdWire.INFO_NAME;
            wantDescription |= type == NbdWire.INFO_DESCRIPTION;
        }
        reply(option, NbdWire.REP_INFO, ByteBuffer.allocate(12).putShort((short) NbdWire.INFO_EXPORT)
                .putLong(export.size()).putShort((short) export.transmissionFlags(structured)).array());
        if (wantName) {
            byte[] n = export.name().getBytes(StandardCharsets.UTF_8);
            reply(option, NbdWire.REP_INFO, ByteBuffer.allocate(2 + n.length).putShort((short) NbdWire.INFO_NAME)
                    .put(n).array());
        }
        if (wantDescription) {
            byte[] d = export.description().getBytes(StandardCharsets.UTF_8);
            reply(option, NbdWire.REP_INFO, ByteBuffer.allocate(2 + d.length)
                    .putShort((short) NbdWire.INFO_DESCRIPTION).put(d).array());
        }
        // Sent whether asked for or not: every request must keep to these, as direct I/O does.
        reply(option, NbdWire.REP_INFO, ByteBuffer.allocate(14).putShort((short) NbdWire.INFO_BLOCK_SIZE)
                .putInt(export.minBlock()).putInt(export.preferredBlock()).putInt(export.maxPayload()).array());
        reply(option, NbdWire.REP_ACK, new byte[0]);
        return option == NbdWire.OPT_GO;
    }

    private void metaContext(int option, ByteBuffer data) throws IOException {
        boolean set = option == NbdWire.OPT_SET_META_CONTEXT;
        if (!structured) {
            error(option, NbdWire.REP_ERR_INVALID, "meta contexts need structured replies first");
            return;
        }
        if (data.remaining() < 8) {
            error(option, NbdWire.REP_ERR_INVALID, "meta-context data is shorter than its name length and count");
            return;
        }
        int nameLength = data.getInt();
        if (nameLength < 0 || nameLength > data.remaining() - 4) {
            error(option, NbdWire.REP_ERR_INVALID, "meta-context export name length exceeds the option");
            return;
        }
        String name = string(data, nameLength);
        int count = data.getInt();
        String[] queries = new String[Math.max(0, Math.min(count, data.remaining() / 4))];
        if (count < 0 || queries.length != count) {
            error(option, NbdWire.REP_ERR_INVALID, "meta-context query count exceeds the option");
            return;
        }
        for (int i = 0; i < count; i++) {
            int ql = data.remaining() >= 4 ? data.getInt() : -1;
            if (ql < 0 || ql > data.remaining()) {
                error(option, NbdWire.REP_ERR_INVALID, "meta-context query length exceeds the option");
                return;
            }
            queries[i] = string(data, ql);
            if (queries[i] == null) {
                error(option, NbdWire.REP_ERR_INVALID, "a meta-context query is not UTF-8");
                return;
            }
        }
        if (data.hasRemaining()) {
            error(option, NbdWire.REP_ERR_INVALID, "meta-context option carries bytes after its queries");
            return;
        }
        if (name == null || !export.answersTo(name)) {
            error(option, NbdWire.REP_ERR_UNKNOWN, "no export named '" + name + "'");
            return;
        }
        boolean matched = !set && count == 0;
        for (String q : queries) {
            matched |= q.equals(NbdWire.META_BASE_ALLOCATION) || (!set && q.equals("base:"));
        }
        if (set) {
            metaContextId = matched ? BASE_ALLOCATION_ID : 0;
        }
        if (matched) {
            byte[] n = NbdWire.META_BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
            reply(option, NbdWire.REP_META_CONTEXT, ByteBuffer.allocate(4 + n.length)
                    .putInt(set ? BASE_ALLOCATION_ID : 0).put(n).array());
        }
        reply(option, NbdWire.REP_ACK, new byte[0]);
    }

    private void error(int option, int type, String message) throws IOException {
        reply(option, type, message.getBytes(StandardCharsets.UTF_8));
    }

    private void reply(int option, int type, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(20 + data.length);
        b.putLong(NbdWire.OPTION_REPLY_MAGIC).putInt(option).putInt(type).putInt(data.length).put(data).flip();
        writeFully(b);
    }

    /** Decodes {@code length} bytes as UTF-8; null (consumed all the same) when they are not valid UTF-8. */
    private static String string(ByteBuffer data, int length) {
        ByteBuffer slice = data.slice(data.position(), length);
        data.position(data.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private boolean readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                if (b.position() == 0) {
                    return false;
                }
                throw new EOFException("the client closed the connection in the middle of an option");
            }
        }
        return true;
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }
}
