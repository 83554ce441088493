package io.jiomap.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.cli.CliRun;
import io.jiomap.nbd.server.NbdServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code jiomap:serve} and {@code jiomap:unserve}: exports served in the background of a shell session. */
@Timeout(60)
class ShellServeTest {
    private final LiveMounts mounts = new LiveMounts(CliRun.plugins());
    private final LiveServes serves = new LiveServes(CliRun.plugins());
    private final ShellCommands shell = new ShellCommands(CliRun.plugins(), mounts, serves,
            new BundleInstaller(null, Path.of("")), () -> { });
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final PrintStream originalOut = System.out;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        serves.close();
        mounts.close();
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Connects and reads the server's greeting: NBDMAGIC then IHAVEOPT. */
    private static SocketChannel greeted(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        ByteBuffer b = ByteBuffer.allocate(18);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("closed during the greeting");
            }
        }
        assertThat(b.getLong(0)).isEqualTo(0x4e42444d41474943L);
        return ch;
    }

    private static boolean closedByServer(SocketChannel ch) {
        try {
            return ch.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void serveStartsAnExportInTheBackgroundThatUnserveStops() throws Exception {
        Path socket = dir.resolve("s.sock");
        shell.serve("nbd", "--device=memory:size=16m", "--socket=" + socket, "--export=s");
        assertThat(out()).contains("serving 's' at nbd+unix:///s?socket=" + socket);
        try (SocketChannel client = greeted(socket)) {
            Awaitility.await().until(() -> serves.list().getFirst().clients() == 1);
            shell.serve();
            assertThat(out()).contains("'s': jiomap raw /dev on memory", "1 client(s)");
            shell.unserve("s");
            assertThat(closedByServer(client)).isTrue();
        }
        assertThat(socket).doesNotExist();
        assertThat(serves.list()).isEmpty();
        assertThatThrownBy(() -> shell.unserve("s")).hasMessageContaining("no export named 's' is served");
    }

    @Test
    void stoppingTheNbdServerBundleClosesItsConnectionsAndTheShellUnmounts() throws Exception {
        Path socket = dir.resolve("b.sock");
        shell.serve("nbd", "--device=memory:size=16m", "--socket=" + socket, "--export=b");
        try (SocketChannel client = greeted(socket)) {
            // What the nbd-server bundle's activator runs when the bundle stops.
            NbdServer.closeAll();
            assertThat(closedByServer(client)).isTrue();
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> serves.list().isEmpty());
        assertThat(socket).doesNotExist();
    }

    @Test
    void serveRefusesAnUnknownProtocolBadOptionsAndATakenName() {
        assertThatThrownBy(() -> shell.serve("iscsi")).hasMessageContaining("unknown protocol 'iscsi'");
        assertThatThrownBy(() -> shell.serve("nbd", "--device=memory:size=8m", "--listen=nowhere"))
                .hasMessageContaining("--listen=nowhere: expected HOST:PORT");
        Path socket = dir.resolve("t.sock");
        shell.serve("nbd", "--device=memory:size=8m", "--socket=" + socket, "--export=t");
        assertThatThrownBy(() -> shell.serve("nbd", "--device=memory:size=8m", "--socket=" + dir.resolve("u.sock"),
                "--export=t")).hasMessageContaining("export 't' is served already");
    }
}
