package io.jiomap.device.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicLong;
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

    /** Counts completions; a preallocated callback, as a real submitter keeps. */
    private static final class Counter implements BioEndIo {
        final AtomicLong completed = new AtomicLong();

        @Override
        public void endIo(Bio bio) {
            completed.incrementAndGet();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory:size=64m", "memory:size=64m,completion=inline"})
    void hotPathAllocatesNothingPerBio(String spec) throws Throwable {
        MethodHandle allocatedBytes = threadAllocatedBytes();
        MemoryDevice device = io.open(spec);
        MemorySegment buffer = io.pattern(4096, 1);
        Bio[] bios = new Bio[QUEUE_DEPTH];
        for (int i = 0; i < QUEUE_DEPTH; i++) {
            bios[i] = new Bio();
        }
        Counter counter = new Counter();
        long submitted = run(device, bios, buffer, counter, 0, WARM_UP);
        Thread irq = device.interruptThread();
        long submitter = Thread.currentThread().threadId();
        long submitterBefore = (long) allocatedBytes.invokeExact(submitter);
        long irqBefore = irq == null ? 0 : (long) allocatedBytes.invokeExact(irq.threadId());

        run(device, bios, buffer, counter, submitted, MEASURED);

        long submitterBytes = (long) allocatedBytes.invokeExact(submitter) - submitterBefore;
        long irqBytes = irq == null ? 0 : (long) allocatedBytes.invokeExact(irq.threadId()) - irqBefore;
        // The smallest object is 16 bytes, so anything allocated per bio would show as at least 1.6 MB here.
        assertThat(submitterBytes).as("bytes allocated by the submitter").isLessThan(MEASURED / 10);
        assertThat(irqBytes).as("bytes allocated by the interrupt thread").isLessThan(MEASURED / 10);
    }

    /**
     * {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes(long)}, found reflectively: the tests run inside
     * the device's module, which does not read java.management, and the device must not require it just for a test.
     * An exact-typed method handle adds no allocation of its own.
     */
    private static MethodHandle threadAllocatedBytes() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Class<?> beanType = Class.forName("com.sun.management.ThreadMXBean");
        return MethodHandles.publicLookup()
                .findVirtual(beanType, "getThreadAllocatedBytes", MethodType.methodType(long.class, long.class))
                .bindTo(bean);
    }

    /** Keeps {@code QUEUE_DEPTH} random 4 KiB writes in flight until {@code count} more have completed. */
    private static long run(MemoryDevice device, Bio[] bios, MemorySegment buffer, Counter counter, long submitted,
                            int count) {
        long blocks = device.capabilities().capacityBytes() / 4096;
        long seed = submitted * 0x9E3779B97F4A7C15L + 1;
        long target = submitted + count;
        long issued = submitted;
        while (issued < target) {
            Bio bio = bios[(int) (issued % QUEUE_DEPTH)];
            while (issued - counter.completed.get() >= QUEUE_DEPTH) {
                Thread.onSpinWait();
            }
            seed ^= seed << 13;
            seed ^= seed >>> 7;
            seed ^= seed << 17;
            long address = Math.floorMod(seed, blocks) * 4096;
            bio.set(BioOp.WRITE, 0, address, buffer, 0, 4096, counter, null);
            device.submit(bio);
            issued++;
        }
        while (counter.completed.get() < target) {
            Thread.onSpinWait();
        }
        return target;
    }
}
