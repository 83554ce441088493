package io.jiomap.device.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.device.DeviceIo;
import io.jiomap.tck.device.Probe;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The nbd device against nbdkit (its plugins and filters) and qemu-nbd: the protocol, the mapping, the failures. */
class NbdDeviceTest {
    private static final int MIB = 1 << 20;

    @RegisterExtension
    final NbdPeers peers = new NbdPeers();
    private final DeviceIo io = new DeviceIo();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    private BlockDevice open(NbdPeer peer, String options) throws JiomapException {
        return open(peer.uri(), options);
    }

    private BlockDevice open(String uri, String options) throws JiomapException {
        return io.track(new NbdDeviceProvider().open(DeviceSpec.parse("nbd:uri=" + uri
                + (options.isEmpty() ? "" : "," + options))));
    }

    private static String describe(BlockDevice device) {
        return ((NbdDevice) device).describe();
    }

    @ParameterizedTest(name = "structured-replies={0}")
    @ValueSource(strings = {"on", "off"})
    void writesReadBackAcrossChunksAndUnwrittenBlocksReadAsZeros(String structured) throws Exception {
        NbdPeer server = peers.nbdkit("memory", "size=64m");
        BlockDevice device = open(server, "structured-replies=" + structured);
        assertThat(describe(device)).contains(structured.equals("on") ? "structured replies" : "simple replies");
        MemorySegment small = io.pattern(4096, 1);
        MemorySegment large = io.pattern(4 * MIB, 2);

        assertThat(DeviceIo.write(device, 8192, small)).isZero();
        assertThat(DeviceIo.write(device, 16 * MIB, large)).as("a payload larger than one send buffer").isZero();
        assertThat(DeviceIo.flush(device)).isZero();

        assertThat(io.read(device, 8192, 4096)).isEqualTo(DeviceIo.bytes(small));
        assertThat(io.read(device, 16 * MIB, 4 * MIB)).isEqualTo(DeviceIo.bytes(large));
        assertThat(io.read(device, 0, 64 << 10)).as("holes and data in one read")
                .isEqualTo(withAt(new byte[64 << 10], 8192, DeviceIo.bytes(small)));
    }

    private static byte[] withAt(byte[] into, int at, byte[] what) {
        System.arraycopy(what, 0, into, at, what.length);
        return into;
    }

    @Test
    void aTcpExportOnLoopbackWorksLikeAUnixSocketOne() throws Exception {
        NbdPeer server = peers.nbdkitOnTcp("memory", "size=16m");
        BlockDevice device = open(server, "connections=2");
        assertThat(device.capabilities().queueCount()).isEqualTo(2);
        MemorySegment data = io.pattern(1 << 20, 19);
        assertThat(DeviceIo.write(device, Bio.FUA, 4096, data)).isZero();
        assertThat(io.read(device, 4096, 1 << 20)).isEqualTo(DeviceIo.bytes(data));
    }

    @Test
    void manyRequestsInFlightCompleteWithTheirOwnData() throws Exception {
        NbdPeer server = peers.nbdkit("memory", "size=64m");
        BlockDevice device = open(server, "queue-depth=32");
        List<Probe> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            writes.add(DeviceIo.submit(device, BioOp.WRITE, 0, (long) i * 8192, io.pattern(8192, i)));
        }
        for (Probe p : writes) {
            assertThat(p.awaitStatus()).isZero();
        }
        List<Probe> reads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            reads.add(DeviceIo.submit(device, BioOp.READ, 0, (long) i * 8192, io.buffer(8192)));
        }
        for (int i = 0; i < 200; i++) {
            assertThat(reads.get(i).awaitStatus()).isZero();
            assertThat(DeviceIo.bytes(reads.get(i).bio.segment())).as("read %d", i)
                    .isEqualTo(DeviceIo.bytes(io.pattern(8192, i)));
        }
    }

    @Test
    void aServerWithoutFixedNewstyleIsReachedThroughExportName() throws Exception {
        NbdPeer server = peers.nbdkit("--mask-handshake=0", "memory", "size=8m");
        BlockDevice device = open(server, "");
        assertThat(describe(device)).contains("NBD_OPT_EXPORT_NAME").contains("simple replies");
        assertThat(device.capabilities().capacityBytes()).isEqualTo(8 * MIB);
        MemorySegment data = io.pattern(4096, 3);
        assertThat(DeviceIo.write(device, 4096, data)).isZero();
        assertThat(io.read(device, 4096, 4096)).isEqualTo(DeviceIo.bytes(data));
    }

    @Test
    void transmissionFlagsBecomeTheCapabilities() throws Exception {
        DeviceCapabilities full = open(peers.nbdkit("memory", "size=8m"), "").capabilities();
        assertThat(full.volatileWriteCache()).as("SEND_FLUSH").isTrue();
        assertThat(full.fua()).as("SEND_FUA").isTrue();
        assertThat(full.logicalBlockSize()).as("no minimum named: 512").isEqualTo(512);

        DeviceCapabilities noFua = open(peers.nbdkit("--filter=fua", "memory", "size=8m"), "").capabilities();
        assertThat(noFua.volatileWriteCache()).isTrue();
        assertThat(noFua.fua()).as("the fua filter hides SEND_FUA").isFalse();
    }

    @Test
    void aReadOnlyExportReadsAndRefusesWritesWithErofs() throws Exception {
        BlockDevice device = open(peers.nbdkit("-r", "pattern", "size=8m"), "");
        assertThat(describe(device)).contains("read-only");
        assertThat(DeviceIo.write(device, 0, io.pattern(4096, 4))).isEqualTo(Errno.EROFS);
        // The pattern plugin: each 8-byte word is its own offset, big-endian.
        byte[] block = io.read(device, 4096, 512);
        assertThat(MemorySegment.ofArray(block).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED
                .withOrder(java.nio.ByteOrder.BIG_ENDIAN), 8)).isEqualTo(4096 + 8);
    }

    @Test
    void blockSizeConstraintsBecomeTheGeometry() throws Exception {
        NbdPeer server = peers.nbdkit("--filter=blocksize-policy", "memory", "size=8m", "blocksize-minimum=4096",
                "blocksize-preferred=65536", "blocksize-maximum=262144", "blocksize-error-policy=error");
        BlockDevice device = open(server, "");
        DeviceCapabilities caps = device.capabilities();
        assertThat(caps.logicalBlockSize()).as("minimum").isEqualTo(4096);
        assertThat(caps.physicalBlockSize()).as("preferred").isEqualTo(65536);
        assertThat(caps.maxTransferBytes()).as("maximum").isEqualTo(262144);
        assertThat(DeviceIo.write(device, 0, io.pattern(512, 5))).as("below the minimum").isEqualTo(Errno.EINVAL);
        MemorySegment data = io.pattern(262144, 6);
        assertThat(DeviceIo.write(device, 4096, data)).isZero();
        assertThat(io.read(device, 4096, 262144)).isEqualTo(DeviceIo.bytes(data));

        assertThatThrownBy(() -> open(server, "max-transfer=1m"))
                .isInstanceOf(JiomapException.class).hasMessageContaining("max-transfer=1048576")
                .hasMessageContaining("up to 262144");
    }

    @Test
    void fuaFlushAndPreflushReachTheServerAsCommands() throws Exception {
        Path log = peers.dir().resolve("fua.log");
        BlockDevice device = open(peers.nbdkit("--filter=log", "memory", "size=8m", "logfile=" + log), "");
        assertThat(DeviceIo.write(device, Bio.FUA, 0, io.pattern(4096, 7))).isZero();
        assertThat(DeviceIo.flush(device)).isZero();
        assertThat(DeviceIo.write(device, Bio.PREFLUSH, 8192, io.pattern(4096, 8))).isZero();
        device.close();

        assertThat(commands(log)).containsExactly("Write offset=0x0 count=0x1000 fua=1", "Flush", "Flush",
                "Write offset=0x2000 count=0x1000 fua=0");
    }

    @Test
    void fuaOnAServerWithoutFuaIsTheWriteThenAFlush() throws Exception {
        Path log = peers.dir().resolve("nofua.log");
        BlockDevice device = open(peers.nbdkit("--filter=log", "--filter=fua", "memory", "size=8m",
                "logfile=" + log), "");
        assertThat(device.capabilities().fua()).isFalse();
        assertThat(DeviceIo.write(device, Bio.FUA, 4096, io.pattern(4096, 9))).isZero();
        device.close();

        assertThat(commands(log)).containsExactly("Write offset=0x1000 count=0x1000 fua=0", "Flush");
    }

    @Test
    void detectZeroesSendsAWriteOfZerosAsWriteZeroesWithoutPayload() throws Exception {
        Path log = peers.dir().resolve("zero.log");
        NbdPeer server = peers.nbdkit("--filter=log", "memory", "size=8m", "logfile=" + log);
        BlockDevice device = open(server, "detect-zeroes=on");
        assertThat(DeviceIo.write(device, 0, io.pattern(8192, 10))).isZero();
        assertThat(DeviceIo.write(device, 0, io.buffer(4096))).isZero();
        assertThat(io.read(device, 0, 8192)).isEqualTo(withAt(new byte[8192], 4096,
                java.util.Arrays.copyOfRange(DeviceIo.bytes(io.pattern(8192, 10)), 4096, 8192)));
        device.close();

        assertThat(commands(log)).startsWith("Write offset=0x0 count=0x2000 fua=0",
                "Zero offset=0x0 count=0x1000 trim=1 fua=0 fast=0");
    }

    @Test
    void aServerThatCanTrimGetsEachDiscardAsOneTrimCommand() throws Exception {
        Path log = peers.dir().resolve("trim.log");
        BlockDevice device = open(peers.nbdkit("--filter=log", "memory", "size=8m", "logfile=" + log), "");
        DeviceCapabilities caps = device.capabilities();
        assertThat(caps.discard()).as("SEND_TRIM, in units of the minimum block, no promise of zeros")
                .isEqualTo(new DeviceCapabilities.Discard(512, NbdDevice.MAX_TRIM, false));
        MemorySegment data = io.pattern(12288, 11);
        assertThat(DeviceIo.write(device, 0, data)).isZero();

        assertThat(DeviceIo.discard(device, 4096, 4096)).isZero();
        assertThat(DeviceIo.discard(device, 100, 512)).as("off the granularity").isEqualTo(Errno.EINVAL);

        // nbdkit's memory plugin zeroes what it trims.
        assertThat(io.read(device, 0, 12288)).isEqualTo(withAt(DeviceIo.bytes(data), 4096, new byte[4096]));
        device.close();
        assertThat(commands(log)).containsExactly("Write offset=0x0 count=0x3000 fua=0",
                "Trim offset=0x1000 count=0x1000 fua=0");
    }

    @Test
    void aReadOnlyExportOffersNoDiscard() throws Exception {
        BlockDevice device = open(peers.nbdkit("-r", "memory", "size=8m"), "");

        assertThat(device.capabilities().canDiscard()).isFalse();
        assertThat(DeviceIo.discard(device, 0, 4096)).isEqualTo(Errno.EOPNOTSUPP);
    }

    /** The client's commands as nbdkit's log filter saw them, without ids, reads left out. */
    private static List<String> commands(Path log) throws IOException {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("Disconnect"));
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("connection=");
            if (at < 0) {
                continue;
            }
            String rest = line.substring(line.indexOf(' ', at) + 1);
            if (rest.startsWith("Write ") || rest.startsWith("Flush ") || rest.startsWith("Zero ")
                    || rest.startsWith("Trim ")) {
                out.add(rest.replaceFirst(" id=\\d+", "").replace(" ...", ""));
            }
        }
        return out;
    }

    @Test
    void serverErrorsFailTheBioWithTheirErrno() throws Exception {
        BlockDevice eio = open(peers.nbdkit("--filter=error", "memory", "size=8m", "error=EIO",
                "error-pwrite-rate=100%"), "");
        assertThat(DeviceIo.write(eio, 0, io.pattern(4096, 11))).isEqualTo(Errno.EIO);
        assertThat(io.read(eio, 0, 4096)).as("reads still work").isEqualTo(new byte[4096]);

        BlockDevice enospc = open(peers.nbdkit("--filter=error", "memory", "size=8m", "error=ENOSPC",
                "error-pread-rate=100%"), "structured-replies=off");
        assertThat(DeviceIo.submit(enospc, BioOp.READ, 0, 0, io.buffer(4096)).awaitStatus())
                .isEqualTo(Errno.ENOSPC);
        assertThat(DeviceIo.write(enospc, 0, io.pattern(4096, 12))).isZero();
    }

    @Test
    void aMultiConnServerGetsSeveralConnectionsAndOthersOne() throws Exception {
        BlockDevice multi = open(peers.nbdkit("memory", "size=16m"), "connections=3");
        assertThat(multi.capabilities().queueCount()).isEqualTo(3);
        List<Probe> writes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            writes.add(DeviceIo.submit(multi, BioOp.WRITE, 0, (long) i * 4096, io.pattern(4096, 20 + i)));
        }
        for (Probe p : writes) {
            assertThat(p.awaitStatus()).isZero();
        }
        assertThat(DeviceIo.flush(multi)).isZero();
        for (int i = 0; i < 30; i++) {
            assertThat(io.read(multi, (long) i * 4096, 4096)).isEqualTo(DeviceIo.bytes(io.pattern(4096, 20 + i)));
        }

        BlockDevice single = open(peers.nbdkit("--filter=multi-conn", "memory", "size=16m",
                "multi-conn-mode=disable"), "connections=3");
        assertThat(single.capabilities().queueCount()).as("without CAN_MULTI_CONN").isEqualTo(1);
        assertThat(describe(single)).doesNotContain("multi-conn");
    }

    @Test
    void aServerThatStopsAnsweringFailsThePendingBiosWithEioAfterTheTimeout() throws Exception {
        NbdPeer server = peers.nbdkit("--filter=delay", "memory", "size=8m", "delay-write=20");
        BlockDevice device = open(server, "timeout=500ms");
        long start = System.nanoTime();
        Probe stuck = DeviceIo.submit(device, BioOp.WRITE, 0, 0, io.pattern(4096, 13));
        Probe stuckToo = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, io.pattern(4096, 14));

        assertThat(stuck.awaitStatus()).isEqualTo(Errno.EIO);
        assertThat(stuckToo.awaitStatus()).isEqualTo(Errno.EIO);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("failed by the timeout, not by the server")
                .isLessThan(Duration.ofSeconds(20));
        assertThat(DeviceIo.write(device, 8192, io.pattern(4096, 15))).as("the device has failed")
                .isEqualTo(Errno.ENODEV);
        assertThat(((NbdDevice) device).failure()).contains("no reply from").contains("within 500 ms");
    }

    @Test
    void killingTheServerMidIoEndsEveryPendingBioWithEnodev() throws Exception {
        NbdPeer server = peers.nbdkit("--filter=delay", "memory", "size=8m", "delay-write=20");
        BlockDevice device = open(server, "timeout=60s,queue-depth=4");
        List<Probe> pending = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pending.add(DeviceIo.submit(device, BioOp.WRITE, Bio.NOWAIT, (long) i * 4096, io.pattern(4096, i)));
        }

        server.kill();

        for (Probe p : pending) {
            assertThat(p.awaitStatus()).isIn(Errno.ENODEV, Errno.EAGAIN);
        }
        assertThat(pending).filteredOn(p -> p.status() == Errno.ENODEV).hasSize(4);
        assertThat(DeviceIo.flush(device)).isEqualTo(Errno.ENODEV);
        assertThat(((NbdDevice) device).failure()).contains("was lost");
    }

    @Test
    void reconnectResendsWhatWasInFlightAndKeepsEveryAcknowledgedWrite() throws Exception {
        Path image = peers.dir().resolve("disk.img");
        Files.write(image, new byte[0]);
        try (var f = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0);
            f.write(java.nio.ByteBuffer.allocate(1), 8 * MIB - 1);
        }
        NbdPeer server = peers.nbdkit("file", image.toString());
        BlockDevice device = open(server, "reconnect=50,timeout=10s");
        MemorySegment before = io.pattern(8192, 16);
        assertThat(DeviceIo.write(device, 0, before)).isZero();
        assertThat(DeviceIo.flush(device)).isZero();

        server.kill();
        Probe during = DeviceIo.submit(device, BioOp.WRITE, 0, 65536, io.pattern(4096, 17));
        server.start();

        assertThat(during.awaitStatus()).as("resent on the new connection").isZero();
        assertThat(io.read(device, 0, 8192)).isEqualTo(DeviceIo.bytes(before));
        assertThat(io.read(device, 65536, 4096)).isEqualTo(DeviceIo.bytes(io.pattern(4096, 17)));
        assertThat(((NbdDevice) device).failure()).isNull();
    }

    @Test
    void anUnknownExportIsRefusedNamingIt() throws Exception {
        NbdPeer server = peers.qemuNbd(Images.qcow2(peers.dir(), 8 * MIB), "qcow2", "disk");
        assertThatThrownBy(() -> open(server.uri("nope"), ""))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
                .hasMessageContaining("'nope'");
        assertThat(open(server.uri("disk"), "").capabilities().capacityBytes()).isEqualTo(8 * MIB);
    }

    @Test
    void aServerThatIsNotThereIsReportedWithItsAddress() {
        String uri = "nbd+unix:///?socket=" + peers.dir().resolve("nobody-listens");
        assertThatThrownBy(() -> open(uri, ""))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                .hasMessageContaining("cannot connect to the NBD server at " + uri);
    }

    @Test
    void aPeerThatNeverSpeaksIsGivenUpAfterTheTimeout() throws Exception {
        try (java.nio.channels.ServerSocketChannel silent = java.nio.channels.ServerSocketChannel.open()) {
            silent.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            String uri = "nbd://127.0.0.1:" + ((java.net.InetSocketAddress) silent.getLocalAddress()).getPort() + "/x";
            long start = System.nanoTime();
            assertThatThrownBy(() -> open(uri, "timeout=300ms"))
                    .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                    .hasMessageContaining("no answer to the handshake from")
                    .hasMessageContaining("within the timeout of 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aPeerThatIsNotAnNbdServerIsRefusedSayingSo() throws Exception {
        try (java.nio.channels.ServerSocketChannel other = java.nio.channels.ServerSocketChannel.open()) {
            other.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            String uri = "nbd://127.0.0.1:" + ((java.net.InetSocketAddress) other.getLocalAddress()).getPort() + "/x";
            Thread speaker = Thread.ofPlatform().start(() -> {
                try (java.nio.channels.SocketChannel c = other.accept()) {
                    c.write(java.nio.ByteBuffer.wrap("SSH-2.0-OpenSSH_9.2p1 Debian\r\n".getBytes()));
                    c.read(java.nio.ByteBuffer.allocate(64));
                } catch (IOException closed) {
                    // The client hung up, as it should.
                }
            });
            assertThatThrownBy(() -> open(uri, "timeout=10s"))
                    .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                    .hasMessageContaining("is not an NBD server");
            speaker.join(Duration.ofSeconds(10));
        }
    }

    @Test
    void closingWithTheServerGoneEndsPromptly() throws Exception {
        NbdPeer server = peers.nbdkit("--filter=delay", "memory", "size=8m", "delay-write=20");
        BlockDevice device = open(server, "");
        Probe pending = DeviceIo.submit(device, BioOp.WRITE, 0, 0, io.pattern(4096, 18));

        device.close();

        assertThat(pending.awaitStatus()).isEqualTo(Errno.ENODEV);
        assertThat(device.isClosed()).isTrue();
    }

    @Test
    void polledBiosCompleteOnThePollerAndOnlyWhereTheServerAllowsMultiConn() throws Exception {
        BlockDevice device = open(peers.nbdkit("memory", "size=8m"), "poll-queues=2");
        assertThat(device.capabilities().polling()).isTrue();
        List<Probe> polled = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            polled.add(DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, (long) i * 4096, io.pattern(4096, 40 + i)));
        }
        for (Probe p : polled) {
            while (!p.isDone()) {
                p.bio.poll(BlockDevice.POLL_BLOCK);
            }
            assertThat(p.status()).isZero();
            assertThat(p.thread()).as("end_io ran in the poller").isSameAs(Thread.currentThread());
        }
        assertThat(DeviceIo.flush(device)).as("a flush covers writes answered on the poll queues").isZero();
        assertThat(io.read(device, 15 * 4096, 4096)).isEqualTo(DeviceIo.bytes(io.pattern(4096, 55)));

        BlockDevice single = open(peers.nbdkit("--filter=multi-conn", "memory", "size=8m",
                "multi-conn-mode=disable"), "poll-queues=2");
        assertThat(single.capabilities().polling()).as("no poll queue without CAN_MULTI_CONN").isFalse();
    }

    @Test
    void killingTheServerEndsPolledBiosNobodyPollsForWithEnodev() throws Exception {
        NbdPeer server = peers.nbdkit("--filter=delay", "memory", "size=8m", "delay-write=20");
        BlockDevice device = open(server, "poll-queues=1,timeout=60s");
        Probe polled = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 0, io.pattern(4096, 60));
        assertThat(polled.bio.pollDevice()).isSameAs(device);

        server.kill();

        assertThat(polled.awaitStatus()).isEqualTo(Errno.ENODEV);
    }
}
