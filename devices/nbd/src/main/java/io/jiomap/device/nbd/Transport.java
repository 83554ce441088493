package io.jiomap.device.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/** Opening a blocking socket to the server, and the exact reads and writes the handshake and the requests need. */
final class Transport {
    private Transport() {
    }

    /** Connects to the server; a TCP name is resolved afresh, so a reconnect follows the name. */
    static SocketChannel connect(NbdUri uri, Consumer<SocketChannel> opened) throws IOException {
        SocketAddress address = uri.address();
        SocketAddress target;
        SocketChannel channel;
        if (address instanceof UnixDomainSocketAddress unix) {
            target = unix;
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            InetSocketAddress inet = (InetSocketAddress) address;
            InetSocketAddress resolved = new InetSocketAddress(inet.getHostString(), inet.getPort());
            if (resolved.isUnresolved()) {
                throw new IOException("cannot resolve host '" + inet.getHostString() + "'");
            }
            target = resolved;
            channel = SocketChannel.open(resolved.getAddress() instanceof java.net.Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            // Requests are small and latency-bound: never wait to coalesce them.
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        // Registered before connecting, so whoever enforces the timeout can close a connect that hangs.
        opened.accept(channel);
        try {
            channel.connect(target);
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads until {@code buffer} is full (a blocking channel); EOF before that is an {@link EOFException}. */
    static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the server closed the connection");
            }
        }
    }

    static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                // A non-blocking channel (a poll queue) whose socket buffer is full: the server is reading.
                Thread.onSpinWait();
            }
        }
    }
}
