package io.jiomap.nbd.server;

import io.jiomap.device.nbd.wire.NbdWire;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A deliberately plain NBD client over a Unix socket for the tests: it writes exactly the bytes a test asks for, well
 * formed or not, and reads replies one at a time.
 */
final class RawClient implements AutoCloseable {
    /** A simple reply (or the first chunk of a structured one): its error, cookie and any data. */
    record Reply(int magic, int error, long cookie, int type, byte[] data) {
    }

    final SocketChannel ch;

    private RawClient(SocketChannel ch) {
        this.ch = ch;
    }

    static RawClient connect(Path socket) throws IOException {
        return new RawClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    /** Connects and negotiates with OPT_GO (structured replies first when asked). @return the transmission flags */
    static RawClient go(Path socket, String export, boolean structured) throws IOException {
        return go(socket, export, structured, false);
    }

    /** As {@link #go(Path, String, boolean)}, selecting base:allocation too when {@code allocation}. */
    static RawClient go(Path socket, String export, boolean structured, boolean allocation) throws IOException {
        RawClient c = connect(socket);
        ByteBuffer greeting = c.read(18);
        if (greeting.getLong(0) != NbdWire.NBDMAGIC || greeting.getLong(8) != NbdWire.IHAVEOPT) {
            throw new IOException("not an NBD newstyle server");
        }
        c.write(ByteBuffer.allocate(4).putInt(NbdWire.CLIENT_FIXED_NEWSTYLE | NbdWire.CLIENT_NO_ZEROES).flip());
        if (structured) {
            c.option(NbdWire.OPT_STRUCTURED_REPLY, new byte[0]);
            c.expectAck();
        }
        byte[] name = export.getBytes(StandardCharsets.UTF_8);
        if (allocation) {
            byte[] q = NbdWire.META_BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
            c.option(NbdWire.OPT_SET_META_CONTEXT, ByteBuffer.allocate(12 + name.length + q.length).putInt(name.length)
                    .put(name).putInt(1).putInt(q.length).put(q).array());
            int[] r = c.optionReplyType();
            if (r[1] != NbdWire.REP_META_CONTEXT) {
                throw new IOException("SET_META_CONTEXT answered 0x" + Integer.toHexString(r[1]));
            }
            c.expectAck();
        }
        c.option(NbdWire.OPT_GO, ByteBuffer.allocate(6 + name.length).putInt(name.length).put(name).putShort((short) 0)
                .array());
        while (true) {
            ByteBuffer h = c.read(20);
            int type = h.getInt(12);
            c.read(h.getInt(16));
            if (type == NbdWire.REP_ACK) {
                return c;
            }
            if (type != NbdWire.REP_INFO) {
                throw new IOException("GO failed with reply type 0x" + Integer.toHexString(type));
            }
        }
    }

    void option(int option, byte[] data) throws IOException {
        write(ByteBuffer.allocate(16 + data.length).putLong(NbdWire.IHAVEOPT).putInt(option).putInt(data.length)
                .put(data).flip());
    }

    /** Reads one option reply: its type and data. */
    int[] optionReplyType() throws IOException {
        ByteBuffer h = read(20);
        read(h.getInt(16));
        return new int[] {h.getInt(8), h.getInt(12)};
    }

    void expectAck() throws IOException {
        int[] r = optionReplyType();
        if (r[1] != NbdWire.REP_ACK) {
            throw new IOException("expected ACK, got 0x" + Integer.toHexString(r[1]));
        }
    }

    void request(int flags, int type, long cookie, long offset, int length) throws IOException {
        write(header(flags, type, cookie, offset, length).flip());
    }

    static ByteBuffer header(int flags, int type, long cookie, long offset, int length) {
        return ByteBuffer.allocate(NbdWire.REQUEST_SIZE).putInt(NbdWire.REQUEST_MAGIC).putShort((short) flags)
                .putShort((short) type).putLong(cookie).putLong(offset).putInt(length);
    }

    void write(long cookie, long offset, byte[] data, int flags) throws IOException {
        ByteBuffer b = header(flags, NbdWire.CMD_WRITE, cookie, offset, data.length);
        write(b.flip());
        write(ByteBuffer.wrap(data));
    }

    /** Reads a simple reply, with {@code dataLength} bytes of data when it succeeded. */
    Reply simpleReply(int dataLength) throws IOException {
        ByteBuffer h = read(16);
        int error = h.getInt(4);
        byte[] data = error == 0 && dataLength > 0 ? read(dataLength).array() : new byte[0];
        return new Reply(h.getInt(0), error, h.getLong(8), -1, data);
    }

    /** Reads one structured chunk: for an error chunk the error, for data the bytes after the offset. */
    Reply chunk() throws IOException {
        ByteBuffer h = read(20);
        int type = Short.toUnsignedInt(h.getShort(6));
        ByteBuffer p = read(h.getInt(16));
        int error = (type & 0x8000) != 0 ? p.getInt(0) : 0;
        byte[] data = p.array();
        return new Reply(h.getInt(0), error, h.getLong(8), type, data);
    }

    /** Reads a reply without data (a simple reply) or one structured chunk, whichever comes. */
    Reply chunkOrSimple() throws IOException {
        ByteBuffer m = read(4);
        if (m.getInt(0) == NbdWire.SIMPLE_REPLY_MAGIC) {
            ByteBuffer h = read(12);
            return new Reply(NbdWire.SIMPLE_REPLY_MAGIC, h.getInt(0), h.getLong(4), -1, new byte[0]);
        }
        ByteBuffer h = read(16);
        int type = Short.toUnsignedInt(h.getShort(2));
        ByteBuffer p = read(h.getInt(12));
        int error = (type & 0x8000) != 0 ? p.getInt(0) : 0;
        return new Reply(m.getInt(0), error, h.getLong(4), type, p.array());
    }

    ByteBuffer read(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("the server closed the connection");
            }
        }
        return b.flip();
    }

    void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
