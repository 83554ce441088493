package io.jiomap.nbd.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.device.nbd.wire.NbdWire;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection reads the socket in large chunks and parses every complete request of a chunk: requests cut anywhere
 * (in a header, in a payload) are put together, and a pipelined batch of every kind is answered once per cookie.
 */
@Timeout(60)
class BatchedRequestsTest {
    private static final String DEVICE = "memory:size=8m,lbs=512,vwc=1,max-transfer=64k";
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void requestsCutAtAnyByteArePutTogether() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient c = RawClient.go(e.socket, "d", false)) {
            int n = 8;
            ByteBuffer stream = ByteBuffer.allocate(n * (NbdWire.REQUEST_SIZE + BLOCK));
            for (int i = 0; i < n; i++) {
                stream.put(RawClient.header(0, NbdWire.CMD_WRITE, i, (long) i * BLOCK, BLOCK).flip())
                        .put(filled(BLOCK, 0x10 + i));
            }
            stream.flip();
            // Pieces of 1, 2, 3 ... 41 bytes, then again: every header and payload is cut somewhere.
            for (int piece = 1; stream.hasRemaining(); piece = piece % 41 + 1) {
                int end = Math.min(stream.limit(), stream.position() + piece);
                ByteBuffer part = stream.duplicate().limit(end);
                c.write(part);
                stream.position(end);
            }
            for (int i = 0; i < n; i++) {
                assertThat(c.simpleReply(0).error()).isZero();
            }
            for (int i = 0; i < n; i++) {
                c.request(0, NbdWire.CMD_READ, 100 + i, (long) i * BLOCK, BLOCK);
                RawClient.Reply r = c.simpleReply(BLOCK);
                assertThat(r.cookie()).isEqualTo(100 + i);
                assertThat(r.data()).isEqualTo(filled(BLOCK, 0x10 + i));
            }
        }
    }

    @Test
    void aPipelinedBatchOfEveryKindIsAnsweredOncePerCookie() throws Exception {
        try (ServedExport e = ServedExport.device(DEVICE, dir, "d", false);
             RawClient c = RawClient.go(e.socket, "d", true)) {
            int n = 16;
            ByteBuffer batch = ByteBuffer.allocate(3 * n * (NbdWire.REQUEST_SIZE + BLOCK));
            for (int i = 0; i < n; i++) {
                batch.put(RawClient.header(0, NbdWire.CMD_WRITE, i, (long) i * BLOCK, BLOCK).flip())
                        .put(filled(BLOCK, 0x40 + i));
            }
            batch.put(RawClient.header(0, NbdWire.CMD_FLUSH, 1000, 0, 0).flip());
            batch.put(RawClient.header(0, NbdWire.CMD_READ, 1001, 8 << 20, BLOCK).flip());
            batch.put(RawClient.header(0, NbdWire.CMD_WRITE, 1002, 1, 512).flip()).put(filled(512, 0x7f));
            c.write(batch.flip());
            Map<Long, Integer> answers = new HashMap<>();
            for (int i = 0; i < n + 3; i++) {
                RawClient.Reply r = c.chunkOrSimple();
                assertThat(answers.put(r.cookie(), r.error())).as("cookie %d answered twice", r.cookie()).isNull();
            }
            for (int i = 0; i < n; i++) {
                assertThat(answers.get((long) i)).isZero();
            }
            assertThat(answers.get(1000L)).as("flush").isZero();
            assertThat(answers.get(1001L)).as("read past the end").isEqualTo(NbdWire.EINVAL);
            assertThat(answers.get(1002L)).as("misaligned write").isEqualTo(NbdWire.EINVAL);

            batch.clear();
            for (int i = 0; i < n; i++) {
                batch.put(RawClient.header(NbdWire.CMD_FLAG_DF, NbdWire.CMD_READ, 2000 + i, (long) i * BLOCK, BLOCK)
                        .flip());
            }
            c.write(batch.flip());
            for (int i = 0; i < n; i++) {
                RawClient.Reply r = c.chunk();
                assertThat(r.type()).isEqualTo(NbdWire.REPLY_TYPE_OFFSET_DATA);
                int block = (int) (r.cookie() - 2000);
                assertThat(ByteBuffer.wrap(r.data()).getLong(0)).isEqualTo((long) block * BLOCK);
                assertThat(Arrays.copyOfRange(r.data(), 8, 8 + BLOCK)).isEqualTo(filled(BLOCK, 0x40 + block));
            }
        }
    }
}
