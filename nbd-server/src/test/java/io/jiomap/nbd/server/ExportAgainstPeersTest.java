package io.jiomap.nbd.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The export against libnbd's tools, qemu-io and fio's nbd engine, each started and stopped here. */
@Timeout(180)
class ExportAgainstPeersTest {
    private static final String DEVICE = "memory:size=64m,lbs=512,pbs=4096,vwc=1";

    @TempDir
    Path dir;

    @Test
    void nbdinfoSeesTheFlagsAndBlockSizeConstraintsAdvertised() throws Exception {
        Peer.require("nbdinfo", "libnbd-bin");
        try (ServedExport e = ServedExport.device(DEVICE, dir, "disk", false)) {
            String json = Peer.ok(30, "nbdinfo", "--json", e.uri());
            assertThat(json).contains("\"protocol\": \"newstyle-fixed\"", "\"structured\": true",
                    "\"export-name\": \"disk\"", "\"base:allocation\"", "\"export-size\": 67108864",
                    "\"is_read_only\": false", "\"can_flush\": true", "\"can_fua\": true",
                    "\"can_multi_conn\": true", "\"can_trim\": true", "\"can_zero\": true", "\"can_cache\": true",
                    "\"can_df\": true", "\"block_size_minimum\": 512", "\"block_size_preferred\": 4096",
                    "\"block_size_maximum\": " + e.server.export().maxPayload());
        }
    }

    @Test
    void overTcpNbdinfoConnectsAndFioVerifiesPipelinedWrites() throws Exception {
        Peer.require("nbdinfo", "libnbd-bin");
        Peer.require("fio", "fio");
        try (ServedExport e = ServedExport.deviceOnTcp(DEVICE, "tcp")) {
            assertThat(e.uri()).startsWith("nbd://127.0.0.1:").endsWith("/tcp");
            assertThat(Peer.ok(30, "nbdinfo", "--json", e.uri())).contains("\"export-size\": 67108864");
            String out = Peer.ok(120, "fio", "--name=tcp", "--ioengine=nbd", "--uri=" + e.uri(), "--rw=randwrite",
                    "--bs=4k", "--iodepth=8", "--size=8m", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1",
                    "--verify_state_save=0", "--output-format=terse", "--terse-version=3");
            String[] fields = out.strip().lines().reduce((a, b) -> b).orElseThrow().split(";");
            assertThat(fields[4]).as("fio error code").isEqualTo("0");
        }
    }

    @Test
    void nbdinfoSeesAReadOnlyExportWithoutWriteFeatures() throws Exception {
        Peer.require("nbdinfo", "libnbd-bin");
        try (ServedExport e = ServedExport.device(DEVICE, dir, "ro", true)) {
            String json = Peer.ok(30, "nbdinfo", "--json", e.uri());
            assertThat(json).contains("\"is_read_only\": true", "\"can_trim\": false", "\"can_zero\": false",
                    "\"can_fua\": false");
        }
    }

    @Test
    void qemuIoReadsBackThePatternsItWrote() throws Exception {
        Peer.require("qemu-io", "qemu-utils");
        try (ServedExport e = ServedExport.device(DEVICE, dir, "q", false)) {
            String out = Peer.ok(60, "qemu-io", "-f", "raw", e.uri(),
                    "-c", "write -P 0xa5 0 1M",
                    "-c", "write -P 0x3c 1M 64k",
                    "-c", "write -z 2M 128k",
                    "-c", "write -P 0x11 -f 3M 4k",
                    "-c", "flush",
                    "-c", "read -P 0xa5 0 1M",
                    "-c", "read -P 0x3c 1M 64k",
                    "-c", "read -P 0 2M 128k",
                    "-c", "read -P 0x11 3M 4k",
                    "-c", "discard 4M 1M",
                    "-c", "read -P 0 60M 4k");
            assertThat(out).doesNotContain("Pattern verification failed", "error", "failed");
            assertThat(out).contains("read 1048576/1048576 bytes at offset 0");
        }
    }

    @Test
    void qemuIoDiscardOnADeviceExportReachesTheDeviceAndReadsBackZeros() throws Exception {
        Peer.require("qemu-io", "qemu-utils");
        try (ServedExport e = ServedExport.device(DEVICE, dir, "trim", false)) {
            String out = Peer.ok(60, "qemu-io", "-f", "raw", e.uri(),
                    "-c", "write -P 0x5a 0 2M",
                    "-c", "discard 4k 1M",
                    "-c", "discard 1536k 2k",
                    "-c", "read -P 0x5a 0 4k",
                    "-c", "read -P 0 4k 1M",
                    "-c", "read -P 0x5a 1028k 508k",
                    "-c", "read -P 0 1536k 2k",
                    "-c", "read -P 0x5a 1538k 510k");
            assertThat(out).doesNotContain("Pattern verification failed", "error", "failed");
            assertThat(out).contains("read 1048576/1048576 bytes at offset 4096");
        }
    }

    @Test
    void aDeviceThatCannotDiscardIsExportedWithoutTrim() throws Exception {
        Peer.require("nbdinfo", "libnbd-bin");
        try (ServedExport e = ServedExport.device("memory:size=16m,discard=off", dir, "notrim", false)) {
            assertThat(e.server.export().trim()).isEqualTo(NbdExport.Trim.NONE);
            String json = Peer.ok(30, "nbdinfo", "--json", e.uri());
            assertThat(json).contains("\"can_trim\": false", "\"can_zero\": true");
        }
    }

    @Test
    void aFileExportIsTrimmedByPunchingTheFile() throws Exception {
        Peer.require("qemu-io", "qemu-utils");
        try (ServedExport e = ServedExport.file("memory:size=64m,lbs=4096,vwc=1", "xfs-like", "/trim.img", 8 << 20,
                dir, "ftrim")) {
            assertThat(e.server.export().trim()).isEqualTo(NbdExport.Trim.PUNCH);
            String out = Peer.ok(60, "qemu-io", "-f", "raw", e.uri(),
                    "-c", "write -P 0x77 0 4M",
                    "-c", "discard 1M 1M",
                    "-c", "read -P 0x77 0 1M",
                    "-c", "read -P 0 1M 1M",
                    "-c", "read -P 0x77 2M 2M");
            assertThat(out).doesNotContain("Pattern verification failed", "error", "failed");
        }
    }

    @Test
    void nbdcopyRoundTripsAnImageByteForByte() throws Exception {
        Peer.require("nbdcopy", "libnbd-bin");
        Path in = dir.resolve("in.img");
        Path out = dir.resolve("out.img");
        byte[] data = new byte[16 << 20];
        new Random(13).nextBytes(data);
        // A hole in the middle, so nbdcopy's sparse handling (zeroing through the export) is exercised.
        java.util.Arrays.fill(data, 4 << 20, 6 << 20, (byte) 0);
        Files.write(in, data);
        try (ServedExport e = ServedExport.device("memory:size=16m,lbs=4096,vwc=1", dir, "copy", false)) {
            Peer.ok(60, "nbdcopy", in.toString(), e.uri());
            Peer.ok(60, "nbdcopy", e.uri(), out.toString());
        }
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    @Test
    void nbdcopyRoundTripsThroughAFileOfXfsLike() throws Exception {
        Peer.require("nbdcopy", "libnbd-bin");
        Path in = dir.resolve("in.img");
        Path out = dir.resolve("out.img");
        byte[] data = new byte[8 << 20];
        new Random(31).nextBytes(data);
        Files.write(in, data);
        try (ServedExport e = ServedExport.file("memory:size=64m,lbs=4096,vwc=1", "xfs-like", "/vm.img", 8 << 20,
                dir, "vm")) {
            Peer.ok(60, "nbdcopy", "--flush", in.toString(), e.uri());
            Peer.ok(60, "nbdcopy", e.uri(), out.toString());
        }
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    @Test
    void fioNbdEngineVerifiesRandomWritesAtQueueDepth16() throws Exception {
        Peer.require("fio", "fio");
        try (ServedExport e = ServedExport.device(DEVICE, dir, "fio", false)) {
            String out = Peer.ok(120, "fio", "--name=verify", "--ioengine=nbd", "--uri=" + e.uri(),
                    "--rw=randwrite", "--bs=4k", "--iodepth=16", "--size=16m", "--verify=crc32c",
                    "--do_verify=1", "--verify_fatal=1", "--verify_state_save=0", "--output-format=terse",
                    "--terse-version=3");
            assertThat(out).doesNotContain("verify:", "bad magic", "crc32c:");
            String[] fields = out.strip().lines().reduce((a, b) -> b).orElseThrow().split(";");
            assertThat(fields[4]).as("fio error code").isEqualTo("0");
        }
    }
}
