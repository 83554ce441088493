package io.jiomap.device.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The receiving side of one connection: a direct buffer the reader fills with as much as the socket has, from which
 * reply headers are decoded and read data is copied into the bios' memory. One read system call usually brings
 * several replies. Used only by the connection's reader thread; allocates nothing.
 */
final class ReplyBuffer {
    private final ByteBuffer buffer;
    private final MemorySegment memory;
    private SocketChannel channel;

    ReplyBuffer(int capacity) {
        this.buffer = ByteBuffer.allocateDirect(capacity);
        this.memory = MemorySegment.ofBuffer(buffer);
        buffer.limit(0);
    }

    /** Starts reading a fresh connection: whatever the old one left unread is dropped. */
    void reset(SocketChannel channel) {
        this.channel = channel;
        buffer.clear().limit(0);
    }

    int readInt() throws IOException {
        need(4);
        return buffer.getInt();
    }

    int readUnsignedShort() throws IOException {
        need(2);
        return buffer.getShort() & 0xffff;
    }

    long readLong() throws IOException {
        need(8);
        return buffer.getLong();
    }

    /** Copies the next {@code length} bytes of the stream to {@code target} at {@code offset}. */
    void copyTo(MemorySegment target, long offset, long length) throws IOException {
        while (length > 0) {
            if (!buffer.hasRemaining()) {
                fill();
            }
            int n = (int) Math.min(length, buffer.remaining());
            MemorySegment.copy(memory, buffer.position(), target, offset, n);
            buffer.position(buffer.position() + n);
            offset += n;
            length -= n;
        }
    }

    /** Drops the next {@code length} bytes of the stream. */
    void skip(long length) throws IOException {
        while (length > 0) {
            if (!buffer.hasRemaining()) {
                fill();
            }
            int n = (int) Math.min(length, buffer.remaining());
            buffer.position(buffer.position() + n);
            length -= n;
        }
    }

    private void need(int bytes) throws IOException {
        while (buffer.remaining() < bytes) {
            fill();
        }
    }

    /**
     * Whether unread bytes are there, reading what the socket has without waiting (on a non-blocking channel; a
     * blocking one waits for at least one byte).
     */
    boolean available() throws IOException {
        if (buffer.hasRemaining()) {
            return true;
        }
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } finally {
            buffer.flip();
        }
        if (n < 0) {
            throw new EOFException("the server closed the connection");
        }
        return n > 0;
    }

    /**
     * Waits, on a poll queue's non-blocking channel, until the socket has bytes: the channel blocks for one read and
     * goes back to non-blocking. Only when nothing is unread.
     */
    void awaitBytes() throws IOException {
        if (buffer.hasRemaining()) {
            return;
        }
        channel.configureBlocking(true);
        try {
            fill();
        } finally {
            if (channel.isOpen()) {
                channel.configureBlocking(false);
            }
        }
    }

    /**
     * Reads what the socket has (at least one byte) behind what is still unread. On a non-blocking channel (a poll
     * queue) it spins: the rest of a reply whose start arrived is on its way.
     */
    private void fill() throws IOException {
        buffer.compact();
        try {
            int n;
            while ((n = channel.read(buffer)) == 0) {
                Thread.onSpinWait();
            }
            if (n < 0) {
                throw new EOFException("the server closed the connection");
            }
        } finally {
            buffer.flip();
        }
    }
}
