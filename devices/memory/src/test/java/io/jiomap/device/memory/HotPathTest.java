package io.jiomap.device.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.tck.device.RandomWriteLoad;
import io.jiomap.tck.device.ThreadAllocation;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmark's path, 4 KiB random writes at queue depth 16, allocates nothing per bio: neither in the submitter
 * nor in the interrupt thread. Measured with the JVM's per-thread allocation counter, so it is exact, not timed.
 */
class HotPathTest {
    private static final int QUEUE_DEPTH = 16;
    private static final int WARM_UP = 50_000;
    private static final int MEASURED = 100_000;

    private final Io io = new Io();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory:size=64m", "memory:size=64m,completion=submitter"})
    void hotPathAllocatesNothingPerBio(String spec) throws Exception {
        MemoryDevice device = io.open(spec);
        MemorySegment buffer = io.pattern(4096, 1);
        RandomWriteLoad load = new RandomWriteLoad(QUEUE_DEPTH);
        load.run(device, buffer, WARM_UP);
        Thread irq = device.interruptThread();
        Thread submitter = Thread.currentThread();
        long submitterBefore = ThreadAllocation.allocatedBytes(submitter);
        long irqBefore = irq == null ? 0 : ThreadAllocation.allocatedBytes(irq);

        load.run(device, buffer, MEASURED);

        long submitterBytes = ThreadAllocation.allocatedBytes(submitter) - submitterBefore;
        long irqBytes = irq == null ? 0 : ThreadAllocation.allocatedBytes(irq) - irqBefore;
        // The smallest object is 16 bytes, so anything allocated per bio would show as at least 1.6 MB here.
        assertThat(load.lastError()).as("every write succeeded").isZero();
        assertThat(submitterBytes).as("bytes allocated by the submitter").isLessThan(MEASURED / 10);
        assertThat(irqBytes).as("bytes allocated by the interrupt thread").isLessThan(MEASURED / 10);
    }
}
