package io.jiomap.nbd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.device.nbd.wire.NbdWire;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Clients that break the rules get protocol errors; the export stays up and keeps what it acknowledged. */
@Timeout(60)
class BadClientsTest {
    private static final String DEVICE = "memory:size=8m,lbs=512,pbs=4096,vwc=1,max-transfer=64k";
    private static final long SIZE = 8 << 20;

    @TempDir
    Path dir;

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void outOfRangeReadsAreEinvalAndWritesEnospcAndTheConnectionGoesOn() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient c = RawClient.go(e.socket, "d", false)) {
            c.request(0, NbdWire.CMD_READ, 1, SIZE - 512, 1024);
            assertThat(c.simpleReply(1024).error()).isEqualTo(NbdWire.EINVAL);
            c.write(2, SIZE, filled(512, 7), 0);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdWire.ENOSPC);
            c.request(0, NbdWire.CMD_WRITE_ZEROES, 3, SIZE - 512, 4096);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdWire.ENOSPC);
            c.request(0, NbdWire.CMD_TRIM, 4, -512L, 512);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdWire.EINVAL);
            c.write(5, SIZE - 512, filled(512, 9), 0);
            assertThat(c.simpleReply(0).error()).isZero();
            c.request(0, NbdWire.CMD_READ, 6, SIZE - 512, 512);
            assertThat(c.simpleReply(512).data()).isEqualTo(filled(512, 9));
        }
    }

    @Test
    void oversizedAndMisalignedWritesAreRefusedAndTheirPayloadSkipped() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient c = RawClient.go(e.socket, "d", false)) {
            int tooBig = NbdExport.MAX_PAYLOAD_LIMIT + 512;
            c.write(1, 0, filled(tooBig, 1), 0);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdWire.EINVAL);
            c.write(2, 100, filled(512, 2), 0);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdWire.EINVAL);
            c.request(0, NbdWire.CMD_READ, 3, 0, tooBig);
            assertThat(c.simpleReply(tooBig).error()).isEqualTo(NbdWire.EINVAL);
            c.request(0, NbdWire.CMD_READ, 4, 0, 4096);
            RawClient.Reply r = c.simpleReply(4096);
            assertThat(r.cookie()).isEqualTo(4);
            assertThat(r.data()).as("nothing of the refused writes was written").isEqualTo(new byte[4096]);
        }
    }

    @Test
    void payloadsBeyondTheAdvertisedMaximumAreServedUpTo32MiB() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient c = RawClient.go(e.socket, "d", false)) {
            int big = 1 << 20;
            assertThat(big).isGreaterThan(e.server.export().maxPayload());
            byte[] data = new byte[big];
            new java.util.Random(5).nextBytes(data);
            c.write(1, 0, data, 0);
            c.write(2, 2 << 20, data, 0);
            c.request(0, NbdWire.CMD_READ, 3, 4096, 4096);
            Set<Long> cookies = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                RawClient.Reply r = c.simpleReply(0);
                assertThat(r.error()).isZero();
                cookies.add(r.cookie());
                if (r.cookie() == 3) {
                    c.read(4096);
                }
            }
            assertThat(cookies).containsExactlyInAnyOrder(1L, 2L, 3L);
            c.request(0, NbdWire.CMD_READ, 4, 2 << 20, big);
            assertThat(c.simpleReply(big).data()).isEqualTo(data);
        }
    }

    @Test
    void unknownCommandsAndFlagsAreEinval() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient c = RawClient.go(e.socket, "d", false)) {
            c.request(0, 42, 1, 0, 0);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdWire.EINVAL);
            c.request(1 << 12, NbdWire.CMD_READ, 2, 0, 512);
            assertThat(c.simpleReply(512).error()).isEqualTo(NbdWire.EINVAL);
            c.request(NbdWire.CMD_FLAG_REQ_ONE, NbdWire.CMD_FLUSH, 3, 0, 0);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdWire.EINVAL);
            c.request(0, NbdWire.CMD_BLOCK_STATUS, 4, 0, 512);
            assertThat(c.simpleReply(0).error()).as("no meta context negotiated").isEqualTo(NbdWire.EINVAL);
            c.request(0, NbdWire.CMD_FLUSH, 5, 0, 0);
            assertThat(c.simpleReply(0).error()).isZero();
        }
    }

    @Test
    void aBadRequestMagicEndsOnlyThatConnection() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient bad = RawClient.go(e.socket, "d", false);
             RawClient good = RawClient.go(e.socket, "d", false)) {
            bad.write(ByteBuffer.wrap(new byte[28]));
            assertThatThrownBy(() -> bad.read(1)).isInstanceOf(EOFException.class);
            good.write(1, 0, filled(4096, 3), 0);
            assertThat(good.simpleReply(0).error()).isZero();
        }
    }

    @Test
    void aClientGoneInTheMiddleOfAWriteLosesOnlyThatWrite() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false)) {
            try (RawClient a = RawClient.go(e.socket, "d", false)) {
                a.write(1, 0, filled(4096, 0x5a), NbdWire.CMD_FLAG_FUA);
                assertThat(a.simpleReply(0).error()).isZero();
                a.write(RawClient.header(0, NbdWire.CMD_WRITE, 2, 8192, 4096).flip());
                a.write(ByteBuffer.wrap(filled(1000, 0x77)));
            }
            try (RawClient b = RawClient.go(e.socket, "d", false)) {
                b.request(0, NbdWire.CMD_READ, 3, 0, 4096);
                assertThat(b.simpleReply(4096).data()).isEqualTo(filled(4096, 0x5a));
                b.request(0, NbdWire.CMD_READ, 4, 8192, 4096);
                assertThat(b.simpleReply(4096).data()).isEqualTo(new byte[4096]);
            }
        }
    }

    @Test
    void aReadOnlyExportRefusesEveryWriteAndStaysUnchanged() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "ro", true);
             RawClient c = RawClient.go(e.socket, "ro", false)) {
            c.write(1, 0, filled(4096, 1), 0);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdWire.EPERM);
            c.request(0, NbdWire.CMD_TRIM, 2, 0, 4096);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdWire.EPERM);
            c.request(0, NbdWire.CMD_WRITE_ZEROES, 3, 0, 4096);
            assertThat(c.simpleReply(0).error()).isEqualTo(NbdWire.EPERM);
            c.request(0, NbdWire.CMD_READ, 4, 0, 4096);
            assertThat(c.simpleReply(4096).data()).isEqualTo(new byte[4096]);
        }
    }

    @Test
    void aFlushOnOneConnectionMakesWritesAnsweredOnAnotherSurviveAPowerCut() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient writer = RawClient.go(e.socket, "d", false);
             RawClient flusher = RawClient.go(e.socket, "d", false)) {
            writer.write(1, 0, filled(4096, 0x61), 0);
            assertThat(writer.simpleReply(0).error()).isZero();
            flusher.request(0, NbdWire.CMD_FLUSH, 2, 0, 0);
            assertThat(flusher.simpleReply(0).error()).isZero();
            writer.write(3, 8192, filled(4096, 0x62), 0);
            assertThat(writer.simpleReply(0).error()).isZero();
            ((io.jiomap.api.block.SimulatesPowerLoss) e.device).powerCut();
            writer.request(0, NbdWire.CMD_READ, 4, 0, 4096);
            assertThat(writer.simpleReply(4096).data()).as("flushed on the other connection").isEqualTo(
                    filled(4096, 0x61));
            writer.request(0, NbdWire.CMD_READ, 5, 8192, 4096);
            assertThat(writer.simpleReply(4096).data()).as("answered after the flush, never flushed: lost")
                    .isEqualTo(new byte[4096]);
        }
    }

    @Test
    void manyRequestsInFlightOnOneConnectionAreAllAnswered() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient c = RawClient.go(e.socket, "d", false)) {
            int n = 200;
            for (int i = 0; i < n; i++) {
                c.write(i, (long) i * 4096, filled(4096, i), 0);
            }
            Set<Long> answered = new HashSet<>();
            for (int i = 0; i < n; i++) {
                RawClient.Reply r = c.simpleReply(0);
                assertThat(r.error()).isZero();
                answered.add(r.cookie());
            }
            assertThat(answered).hasSize(n);
            for (int i = 0; i < n; i++) {
                c.request(0, NbdWire.CMD_READ, 1000 + i, (long) i * 4096, 4096);
            }
            for (int i = 0; i < n; i++) {
                RawClient.Reply r = c.simpleReply(4096);
                int block = (int) (r.cookie() - 1000);
                assertThat(r.data()).isEqualTo(filled(4096, block));
            }
        }
    }

    @Test
    void structuredRepliesCarryReadDataAndErrorChunks() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient c = RawClient.go(e.socket, "d", true)) {
            c.write(1, 4096, filled(512, 0x42), 0);
            assertThat(c.simpleReply(0).error()).isZero();
            c.request(NbdWire.CMD_FLAG_DF, NbdWire.CMD_READ, 2, 4096, 512);
            RawClient.Reply data = c.chunk();
            assertThat(data.type()).isEqualTo(NbdWire.REPLY_TYPE_OFFSET_DATA);
            assertThat(ByteBuffer.wrap(data.data()).getLong(0)).isEqualTo(4096);
            assertThat(Arrays.copyOfRange(data.data(), 8, 520)).isEqualTo(filled(512, 0x42));
            c.request(0, NbdWire.CMD_READ, 3, SIZE, 512);
            RawClient.Reply err = c.chunk();
            assertThat(err.type()).isEqualTo(NbdWire.REPLY_TYPE_ERROR);
            assertThat(err.error()).isEqualTo(NbdWire.EINVAL);
        }
    }

    @Test
    void writeZeroesAndTrimReadBackAsZeros() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient c = RawClient.go(e.socket, "d", false)) {
            c.write(1, 0, filled(65536, 0x33), 0);
            assertThat(c.simpleReply(0).error()).isZero();
            c.request(NbdWire.CMD_FLAG_NO_HOLE | NbdWire.CMD_FLAG_FUA, NbdWire.CMD_WRITE_ZEROES, 2, 0, 8192);
            assertThat(c.simpleReply(0).error()).isZero();
            c.request(0, NbdWire.CMD_TRIM, 3, 8192, 1 << 20);
            assertThat(c.simpleReply(0).error()).isZero();
            c.request(0, NbdWire.CMD_READ, 4, 0, 65536);
            assertThat(c.simpleReply(65536).data()).isEqualTo(new byte[65536]);
        }
    }

    @Test
    void blockStatusReportsTheHolesOfAnExportedFile() throws Exception {
        try (ServedExport e = ServedExport.file("memory:size=64m,lbs=4096,vwc=1", "xfs-like", "/sparse", 4 << 20,
                dir, "f");
             RawClient c = RawClient.go(e.socket, "f", true, true)) {
            c.write(1, 0, filled(65536, 1), 0);
            assertThat(c.simpleReply(0).error()).isZero();
            c.request(0, NbdWire.CMD_BLOCK_STATUS, 2, 0, 1 << 20);
            RawClient.Reply r = c.chunk();
            assertThat(r.type()).isEqualTo(NbdWire.REPLY_TYPE_BLOCK_STATUS);
            ByteBuffer p = ByteBuffer.wrap(r.data());
            assertThat(p.getInt(0)).as("context id").isEqualTo(Handshake.BASE_ALLOCATION_ID);
            assertThat(p.getInt(4)).as("first extent: the data written").isEqualTo(65536);
            assertThat(p.getInt(8)).isZero();
            assertThat(p.getInt(12)).as("then a hole to the end of the range").isEqualTo((1 << 20) - 65536);
            assertThat(p.getInt(16)).isEqualTo(NbdWire.STATE_HOLE | NbdWire.STATE_ZERO);
            assertThat(r.data()).hasSize(20);
            c.request(NbdWire.CMD_FLAG_REQ_ONE, NbdWire.CMD_BLOCK_STATUS, 3, 32768, 1 << 20);
            RawClient.Reply one = c.chunk();
            assertThat(one.data()).hasSize(12);
            assertThat(ByteBuffer.wrap(one.data()).getInt(4)).isEqualTo(32768);
        }
    }

    @Test
    void negotiationAnswersListInfoAndUnknownOptions() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "named", false);
             RawClient c = RawClient.connect(e.socket)) {
            c.read(18);
            c.write(ByteBuffer.allocate(4).putInt(NbdWire.CLIENT_FIXED_NEWSTYLE).flip());
            c.option(NbdWire.OPT_LIST, new byte[0]);
            ByteBuffer h = c.read(20);
            assertThat(h.getInt(12)).isEqualTo(NbdWire.REP_SERVER);
            ByteBuffer server = c.read(h.getInt(16));
            assertThat(new String(server.array(), 4, server.getInt(0), StandardCharsets.UTF_8)).isEqualTo("named");
            c.expectAck();
            byte[] other = "other".getBytes(StandardCharsets.UTF_8);
            c.option(NbdWire.OPT_INFO, ByteBuffer.allocate(6 + other.length).putInt(other.length).put(other)
                    .putShort((short) 0).array());
            assertThat(c.optionReplyType()[1]).isEqualTo(NbdWire.REP_ERR_UNKNOWN);
            c.option(99, new byte[3]);
            assertThat(c.optionReplyType()[1]).isEqualTo(NbdWire.REP_ERR_UNSUP);
            c.option(NbdWire.OPT_SET_META_CONTEXT, new byte[0]);
            assertThat(c.optionReplyType()[1]).as("meta contexts before structured replies")
                    .isEqualTo(NbdWire.REP_ERR_INVALID);
            c.option(NbdWire.OPT_INFO, new byte[3]);
            assertThat(c.optionReplyType()[1]).isEqualTo(NbdWire.REP_ERR_INVALID);
            c.option(NbdWire.OPT_ABORT, new byte[0]);
            assertThat(c.optionReplyType()[1]).isEqualTo(NbdWire.REP_ACK);
            assertThatThrownBy(() -> c.read(1)).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void closingTheServerEndsTheConnectionsAndRemovesTheSocket() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient c = RawClient.go(e.socket, "d", false)) {
            c.write(1, 0, filled(4096, 8), 0);
            assertThat(c.simpleReply(0).error()).isZero();
            e.server.close();
            assertThatThrownBy(() -> c.read(1)).isInstanceOf(EOFException.class);
            assertThat(e.server.connectionCount()).isZero();
            assertThat(e.socket).doesNotExist();
            java.lang.foreign.MemorySegment back = java.lang.foreign.Arena.ofAuto().allocate(4096, 4096);
            e.file.pread(back, 0, 4096, 0);
            assertThat(back.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(filled(4096, 8));
        }
    }
}
