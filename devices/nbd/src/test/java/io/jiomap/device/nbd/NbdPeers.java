package io.jiomap.device.nbd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The servers a test started, in a fresh directory under /tmp (a Unix socket path has at most 107 bytes), stopped and
 * removed after the test. Registered as an extension, whose afterEach runs after the test's own {@code @AfterEach}
 * methods, so the devices close before their servers go.
 */
final class NbdPeers implements AfterEachCallback {
    private final List<NbdPeer> peers = new ArrayList<>();
    private Path dir;

    synchronized NbdPeer nbdkit(String... arguments) {
        NbdPeer peer = NbdPeer.nbdkit(dir(), arguments);
        peers.add(peer);
        return peer;
    }

    synchronized NbdPeer nbdkitOnTcp(String... arguments) {
        NbdPeer peer = NbdPeer.nbdkitOnTcp(dir(), arguments);
        peers.add(peer);
        return peer;
    }

    synchronized NbdPeer qemuNbd(Path image, String format, String name) {
        NbdPeer peer = NbdPeer.qemuNbd(dir(), image, format, name);
        peers.add(peer);
        return peer;
    }

    /** This test's directory, for sockets and images. */
    synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory(Path.of("/tmp"), "jiomap-nbd-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) throws IOException {
        for (NbdPeer peer : peers) {
            peer.close();
        }
        peers.clear();
        if (dir != null) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
            dir = null;
        }
    }
}
