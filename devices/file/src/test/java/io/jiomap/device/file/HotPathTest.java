package io.jiomap.device.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.tck.device.RandomWriteLoad;
import io.jiomap.tck.device.ThreadAllocation;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The io_uring path allocates nothing per bio in steady state: 4 KiB random writes at queue depth 16, measured with
 * the JVM's per-thread allocation counter on the submitter and on the ring thread, so it is exact, not timed: the
 * bytes allocated do not grow with the number of bios. With registered buffers too (READ_FIXED/WRITE_FIXED).
 */
class HotPathTest {
    private static final int QUEUE_DEPTH = 16;
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 40_000;

    private final Io io = new Io();

    @AfterEach
    void cleanUp() {
        io.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ioUringPathAllocatesNothingPerBio(boolean registeredBuffer) throws Exception {
        Engines.assumeAvailable("io_uring");
        FileDevice device = io.open("hot.img", "size=16m,engine=io_uring,queue-depth=" + QUEUE_DEPTH);
        MemorySegment buffer = io.pattern(4096, 1);
        if (registeredBuffer) {
            assertThat(device.registerBuffers(buffer)).isZero();
        }
        RandomWriteLoad load = new RandomWriteLoad(QUEUE_DEPTH);
        load.run(device, buffer, WARM_UP);
        Thread ring = device.threads().getFirst();
        Thread submitter = Thread.currentThread();
        long[] submitterBytes = new long[2];
        long[] ringBytes = new long[2];
        for (int window = 0; window < 2; window++) {
            long submitterBefore = ThreadAllocation.allocatedBytes(submitter);
            long ringBefore = ThreadAllocation.allocatedBytes(ring);
            load.run(device, buffer, MEASURED);
            submitterBytes[window] = ThreadAllocation.allocatedBytes(submitter) - submitterBefore;
            ringBytes[window] = ThreadAllocation.allocatedBytes(ring) - ringBefore;
        }

        assertThat(load.lastError()).as("every write succeeded").isZero();
        // Two equal windows: allocation per bio would show in both (the smallest object is 16 bytes, so at least
        // 640 KB each); a one-time cost (the first eventfd doorbell links its downcall, say) lands in one only.
        assertThat(Math.min(submitterBytes[0], submitterBytes[1])).as("bytes allocated by the submitter per window,"
                + " both windows: %s", java.util.Arrays.toString(submitterBytes)).isLessThan(MEASURED / 10);
        assertThat(Math.min(ringBytes[0], ringBytes[1])).as("bytes allocated by the ring thread per window,"
                + " both windows: %s", java.util.Arrays.toString(ringBytes)).isLessThan(MEASURED / 10);
    }
}
