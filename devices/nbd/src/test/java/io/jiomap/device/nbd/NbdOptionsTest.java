package io.jiomap.device.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.DeviceSpec;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NBD URIs and the device's options: what is accepted, and what is refused with a message naming it. */
class NbdOptionsTest {
    @Test
    void aTcpUriNamesHostPortAndExport() throws Exception {
        NbdUri uri = NbdUri.parse("nbd://server.example:10810/my%20disk");
        assertThat(uri.address()).isEqualTo(InetSocketAddress.createUnresolved("server.example", 10810));
        assertThat(uri.exportName()).isEqualTo("my disk");
    }

    @Test
    void aTcpUriWithoutPortUsesTheNbdPortAndAnEmptyPathTheDefaultExport() throws Exception {
        NbdUri uri = NbdUri.parse("nbd://[::1]");
        assertThat(uri.address()).isEqualTo(InetSocketAddress.createUnresolved("::1", 10809));
        assertThat(uri.exportName()).isEmpty();
    }

    @Test
    void aUnixUriNamesTheSocketInItsQuery() throws Exception {
        NbdUri uri = NbdUri.parse("nbd+unix:///disk?socket=/run/nbd.sock");
        assertThat(uri.address()).isEqualTo(UnixDomainSocketAddress.of(Path.of("/run/nbd.sock")));
        assertThat(uri.exportName()).isEqualTo("disk");
    }

    @Test
    void uriMistakesAreRefusedSayingWhatWasExpected() {
        assertRefused("nbds://host/disk", "TLS");
        assertRefused("nbd+unix:///disk", "?socket=PATH");
        assertRefused("nbd+unix://host/disk?socket=/s", "three slashes");
        assertRefused("http://host/disk", "scheme 'http'");
        assertRefused("nbd:///disk", "no host");
        assertRefused("nbd+unix:///disk?socket=/s&tls=on", "'tls'");
    }

    private static void assertRefused(String uri, String why) {
        assertThatThrownBy(() -> NbdUri.parse(uri)).isInstanceOfSatisfying(JiomapException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("uri=" + uri).hasMessageContaining(why)
                .hasMessageContaining("nbd://HOST[:PORT]/EXPORT or nbd+unix:///EXPORT?socket=PATH");
    }

    @Test
    void optionsHaveTheirDefaults() throws Exception {
        NbdConfig config = NbdConfig.parse(Map.of("uri", "nbd://localhost/x"));
        assertThat(config.connections()).isEqualTo(1);
        assertThat(config.queueDepth()).isEqualTo(128);
        assertThat(config.timeoutNanos()).isEqualTo(30_000_000_000L);
        assertThat(config.reconnect()).isZero();
        assertThat(config.maxTransferBytes()).isZero();
        assertThat(config.structuredReplies()).isTrue();
        assertThat(config.detectZeroes()).isFalse();
    }

    @Test
    void badOptionsAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> new NbdDeviceProvider().open(DeviceSpec.parse("nbd:connections=2")))
                .hasMessageContaining("uri is required");
        assertThatThrownBy(() -> new NbdDeviceProvider().open(DeviceSpec.parse("nbd:uri=nbd://h/x,depth=4")))
                .hasMessageContaining("unknown nbd device option 'depth'").hasMessageContaining("queue-depth");
        assertThatThrownBy(() -> NbdConfig.parse(Map.of("uri", "nbd://h/x", "queue-depth", "5000")))
                .hasMessageContaining("queue-depth=5000");
        assertThatThrownBy(() -> NbdConfig.parse(Map.of("uri", "nbd://h/x", "timeout", "30")))
                .hasMessageContaining("timeout=30");
        assertThatThrownBy(() -> new NbdDeviceProvider().open(DeviceSpec.parse("memory:size=1m")))
                .hasMessageContaining("'memory' is not 'nbd'");
    }

    @Test
    void everyOptionIsListedWithItsHelp() {
        assertThat(new NbdDeviceProvider().options()).containsOnlyKeys("uri", "connections", "poll-queues", "queue-depth",
                "timeout", "reconnect", "max-transfer", "structured-replies", "detect-zeroes");
    }
}
