package io.jiomap.nbd.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.device.nbd.wire.NbdWire;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a connection's thread allocates while it serves pipelined READs and WRITEs, measured exactly with the JVM's
 * per-thread allocation counter on that thread: nothing per request once it is warm.
 */
@Timeout(120)
class TransmissionAllocationTest {
    private static final int BLOCK = 4096;
    private static final int DEPTH = 16;
    private static final int WARM_UP = 3_000;
    private static final int MEASURED = 2_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "structured replies: {0}")
    @ValueSource(booleans = {false, true})
    void batchesOfWritesAndReadsAllocateNothingPerRequest(boolean structured) throws Exception {
        try (ServedExport e = ServedExport.device("memory:size=16m,lbs=4096", dir, "a", false);
             RawClient c = RawClient.go(e.socket, "a", structured)) {
            Thread connection = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("nbd-a-")).findFirst().orElseThrow();
            ByteBuffer batch = batch();
            int readReply = structured ? NbdWire.STRUCTURED_REPLY_SIZE + 8 : NbdWire.SIMPLE_REPLY_SIZE;
            ByteBuffer replies = ByteBuffer.allocate(DEPTH * NbdWire.SIMPLE_REPLY_SIZE + DEPTH * (readReply + BLOCK));
            run(c, batch, replies, WARM_UP);
            long before = allocatedBytes(connection);
            run(c, batch, replies, MEASURED);
            long bytes = allocatedBytes(connection) - before;

            long requests = (long) MEASURED * 2 * DEPTH;
            // The smallest object is 16 bytes: one allocation per request would show as 16 bytes a request or more.
            assertThat(bytes).as("bytes allocated for %d requests", requests).isLessThan(requests / 10);
        }
    }

    /** DEPTH writes, then DEPTH reads of what they wrote, all sent before any reply is read. */
    private static ByteBuffer batch() {
        ByteBuffer b = ByteBuffer.allocateDirect(DEPTH * (2 * NbdWire.REQUEST_SIZE + BLOCK));
        for (int i = 0; i < DEPTH; i++) {
            b.put(RawClient.header(0, NbdWire.CMD_WRITE, i, (long) i * BLOCK, BLOCK).flip());
            for (int j = 0; j < BLOCK; j++) {
                b.put((byte) i);
            }
        }
        for (int i = 0; i < DEPTH; i++) {
            b.put(RawClient.header(0, NbdWire.CMD_READ, DEPTH + i, (long) i * BLOCK, BLOCK).flip());
        }
        return b.flip();
    }

    /** Sends the batch {@code rounds} times, each time reading all its replies (every byte of them) back. */
    private static void run(RawClient c, ByteBuffer batch, ByteBuffer replies, int rounds) throws Exception {
        for (int r = 0; r < rounds; r++) {
            c.write(batch.rewind());
            replies.clear();
            while (replies.hasRemaining()) {
                assertThat(c.ch.read(replies)).as("the server closed the connection").isNotNegative();
            }
        }
    }

    /**
     * The JVM's allocation counter of {@code t} ({@code com.sun.management.ThreadMXBean}), reached reflectively: the
     * module does not read java.management.
     */
    private static long allocatedBytes(Thread t) throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        return (long) Class.forName("com.sun.management.ThreadMXBean")
                .getMethod("getThreadAllocatedBytes", long.class).invoke(bean, t.threadId());
    }
}
