package io.jiomap.device.file;

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

    private static final class Counter implements BioEndIo {
        final AtomicLong completed = new AtomicLong();
        volatile int lastError;

        @Override
        public void endIo(Bio bio) {
            if (bio.status() != 0) {
                lastError = bio.status();
            }
            completed.incrementAndGet();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ioUringPathAllocatesNothingPerBio(boolean registeredBuffer) throws Throwable {
        Engines.assumeAvailable("io_uring");
        MethodHandle allocatedBytes = threadAllocatedBytes();
        FileDevice device = io.open("hot.img", "size=16m,engine=io_uring,queue-depth=" + QUEUE_DEPTH);
        MemorySegment buffer = io.pattern(4096, 1);
        if (registeredBuffer) {
            assertThat(device.registerBuffers(buffer)).isZero();
        }
        Bio[] bios = new Bio[QUEUE_DEPTH];
        for (int i = 0; i < QUEUE_DEPTH; i++) {
            bios[i] = new Bio();
        }
        Counter counter = new Counter();
        long submitted = run(device, bios, buffer, counter, 0, WARM_UP);
        Thread ring = device.threads().getFirst();
        long submitter = Thread.currentThread().threadId();
        long[] submitterBytes = new long[2];
        long[] ringBytes = new long[2];
        for (int window = 0; window < 2; window++) {
            long submitterBefore = (long) allocatedBytes.invokeExact(submitter);
            long ringBefore = (long) allocatedBytes.invokeExact(ring.threadId());
            submitted = run(device, bios, buffer, counter, submitted, MEASURED);
            submitterBytes[window] = (long) allocatedBytes.invokeExact(submitter) - submitterBefore;
            ringBytes[window] = (long) allocatedBytes.invokeExact(ring.threadId()) - ringBefore;
        }

        assertThat(counter.lastError).as("every write succeeded").isZero();
        // Two equal windows: allocation per bio would show in both (the smallest object is 16 bytes, so at least
        // 640 KB each); a one-time cost (the first eventfd doorbell links its downcall, say) lands in one only.
        assertThat(Math.min(submitterBytes[0], submitterBytes[1])).as("bytes allocated by the submitter per window,"
                + " both windows: %s", java.util.Arrays.toString(submitterBytes)).isLessThan(MEASURED / 10);
        assertThat(Math.min(ringBytes[0], ringBytes[1])).as("bytes allocated by the ring thread per window,"
                + " both windows: %s", java.util.Arrays.toString(ringBytes)).isLessThan(MEASURED / 10);
    }

    /** {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes(long)}, found reflectively. */
    private static MethodHandle threadAllocatedBytes() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Class<?> beanType = Class.forName("com.sun.management.ThreadMXBean");
        return MethodHandles.publicLookup()
                .findVirtual(beanType, "getThreadAllocatedBytes", MethodType.methodType(long.class, long.class))
                .bindTo(bean);
    }

    /** Keeps {@code QUEUE_DEPTH} random 4 KiB writes in flight until {@code count} more have completed. */
    private static long run(FileDevice device, Bio[] bios, MemorySegment buffer, Counter counter, long submitted,
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
