package io.jiomap.device.nbd;

import static io.jiomap.device.nbd.wire.NbdWire.*;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The client's side of the fixed newstyle handshake: structured replies where wished and offered, then
 * {@code NBD_OPT_GO} asking for the block size constraints, falling back to {@code NBD_OPT_EXPORT_NAME} for a server
 * that does not know GO (and for a newstyle server that is not fixed). Runs once per connection, off the I/O path.
 */
final class Handshake {
    /** The oldstyle negotiation's second magic, refused with a clear message. */
    private static final long OLDSTYLE_MAGIC = 0x00420281861253L;
    /** Option reply payloads larger than this are a broken server, not a bigger export. */
    private static final int MAX_OPTION_REPLY = 64 << 10;

    private final SocketChannel channel;
    private final NbdUri uri;

    private Handshake(SocketChannel channel, NbdUri uri) {
        this.channel = channel;
        this.uri = uri;
    }

    /**
     * Negotiates the export on a fresh connection.
     *
     * @throws JiomapException when the server is not an NBD server this client speaks with, or refuses the export
     * @throws IOException     when the connection fails
     */
    static ExportInfo negotiate(SocketChannel channel, NbdUri uri, boolean wantStructured) throws IOException {
        return new Handshake(channel, uri).run(wantStructured);
    }

    private ExportInfo run(boolean wantStructured) throws IOException {
        ByteBuffer greeting = read(18);
        long magic = greeting.getLong();
        long second = greeting.getLong();
        if (magic != NBDMAGIC) {
            throw refused(Errno.EIO, "the peer is not an NBD server (no NBDMAGIC)");
        }
        if (second == OLDSTYLE_MAGIC) {
            throw refused(Errno.EOPNOTSUPP, "the server speaks the oldstyle handshake; only newstyle is supported");
        }
        if (second != IHAVEOPT) {
            throw refused(Errno.EIO, "unknown handshake magic 0x" + Long.toHexString(second));
        }
        int serverFlags = greeting.getShort() & 0xffff;
        boolean fixed = (serverFlags & FLAG_FIXED_NEWSTYLE) != 0;
        boolean noZeroes = (serverFlags & FLAG_NO_ZEROES) != 0;
        ByteBuffer clientFlags = ByteBuffer.allocate(4);
        clientFlags.putInt((fixed ? CLIENT_FIXED_NEWSTYLE : 0) | (noZeroes ? CLIENT_NO_ZEROES : 0)).flip();
        Transport.writeFully(channel, clientFlags);
        if (!fixed) {
            // Without fixed newstyle an unknown option ends the connection: only EXPORT_NAME is safe.
            return exportName(noZeroes, false);
        }
        boolean structured = wantStructured && structuredReplies();
        ExportInfo viaGo = go(structured);
        return viaGo != null ? viaGo : exportName(noZeroes, structured);
    }

    private boolean structuredReplies() throws IOException {
        sendOption(OPT_STRUCTURED_REPLY, new byte[0]);
        Reply reply = readReply(OPT_STRUCTURED_REPLY);
        return reply.type == REP_ACK;
    }

    /** NBD_OPT_GO with NBD_INFO_BLOCK_SIZE requested; null when the server does not know GO. */
    private ExportInfo go(boolean structured) throws IOException {
        byte[] name = uri.exportName().getBytes(StandardCharsets.UTF_8);
        ByteBuffer data = ByteBuffer.allocate(4 + name.length + 2 + 2);
        data.putInt(name.length).put(name).putShort((short) 1).putShort((short) INFO_BLOCK_SIZE);
        sendOption(OPT_GO, data.array());
        long size = -1;
        int flags = 0;
        int minimum = ExportInfo.DEFAULT_MINIMUM;
        int preferred = ExportInfo.DEFAULT_PREFERRED;
        int maximum = ExportInfo.DEFAULT_MAXIMUM;
        while (true) {
            Reply reply = readReply(OPT_GO);
            if (reply.type == REP_ACK) {
                break;
            }
            if (reply.type == REP_ERR_UNSUP) {
                return null;
            }
            if ((reply.type & REP_FLAG_ERROR) != 0) {
                throw optionError(reply);
            }
            if (reply.type != REP_INFO || reply.data.remaining() < 2) {
                continue;
            }
            int info = reply.data.getShort() & 0xffff;
            if (info == INFO_EXPORT && reply.data.remaining() >= 10) {
                size = reply.data.getLong();
                flags = reply.data.getShort() & 0xffff;
            } else if (info == INFO_BLOCK_SIZE && reply.data.remaining() >= 12) {
                minimum = reply.data.getInt();
                preferred = reply.data.getInt();
                maximum = reply.data.getInt();
            }
        }
        if (size < 0) {
            throw refused(Errno.EIO, "the server ended NBD_OPT_GO without NBD_INFO_EXPORT (size and flags)");
        }
        return new ExportInfo(size, flags, minimum, preferred, maximum, structured, true);
    }

    private ExportInfo exportName(boolean noZeroes, boolean structured) throws IOException {
        sendOption(OPT_EXPORT_NAME, uri.exportName().getBytes(StandardCharsets.UTF_8));
        ByteBuffer reply;
        try {
            reply = read(noZeroes ? 10 : 10 + 124);
        } catch (java.io.EOFException e) {
            throw refused(Errno.ENOENT, "the server closed the connection on NBD_OPT_EXPORT_NAME: it has no export"
                    + " named '" + uri.exportName() + "' or refuses it");
        }
        long size = reply.getLong();
        int flags = reply.getShort() & 0xffff;
        return new ExportInfo(size, flags, ExportInfo.DEFAULT_MINIMUM, ExportInfo.DEFAULT_PREFERRED,
                ExportInfo.DEFAULT_MAXIMUM, structured, false);
    }

    private void sendOption(int option, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + data.length);
        b.putLong(IHAVEOPT).putInt(option).putInt(data.length).put(data).flip();
        Transport.writeFully(channel, b);
    }

    private record Reply(int type, ByteBuffer data) {
        String message() {
            ByteBuffer d = data.duplicate();
            byte[] bytes = new byte[d.remaining()];
            d.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private Reply readReply(int option) throws IOException {
        ByteBuffer header = read(20);
        long magic = header.getLong();
        int replyOption = header.getInt();
        int type = header.getInt();
        int length = header.getInt();
        if (magic != OPTION_REPLY_MAGIC || replyOption != option) {
            throw refused(Errno.EIO, "malformed reply to option " + option + " (magic 0x" + Long.toHexString(magic)
                    + ", option " + replyOption + ")");
        }
        if (length < 0 || length > MAX_OPTION_REPLY) {
            throw refused(Errno.EIO, "reply to option " + option + " of " + Integer.toUnsignedString(length)
                    + " bytes");
        }
        return new Reply(type, read(length));
    }

    private JiomapException optionError(Reply reply) {
        String said = reply.data.hasRemaining() ? " (server: " + reply.message() + ")" : "";
        String export = "'" + uri.exportName() + "'";
        return switch (reply.type) {
            case REP_ERR_UNKNOWN -> refused(Errno.ENOENT, "the server has no export named " + export + said);
            case REP_ERR_POLICY -> refused(Errno.EPERM, "the server refuses export " + export + " by policy" + said);
            case REP_ERR_TLS_REQD -> refused(Errno.EOPNOTSUPP, "the server requires TLS, which this client does not"
                    + " speak" + said);
            case REP_ERR_SHUTDOWN -> refused(Errno.ESHUTDOWN, "the server is shutting down" + said);
            default -> refused(Errno.EIO, "the server refused export " + export + " with error "
                    + (reply.type & ~REP_FLAG_ERROR) + said);
        };
    }

    private ByteBuffer read(int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        Transport.readFully(channel, b);
        return b.flip();
    }

    private JiomapException refused(int errno, String why) {
        return new JiomapException(errno, "NBD handshake with " + uri + ": " + why);
    }
}
