package io.jiomap.device.toolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.device.toolkit.fault.FaultRules;
import io.jiomap.device.toolkit.fault.FaultyDevice;
import io.jiomap.device.toolkit.record.PayloadCapture;
import io.jiomap.device.toolkit.record.RecordingDevice;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the decorators allocate per bio, measured exactly with the JVM's per-thread allocation counter over an inline
 * device (everything runs in the test thread): nothing for a bio no fault rule hits, nothing but the payload copy
 * (plus the log's amortised growth) for a recorded write.
 */
class AllocationTest {
    private static final int BLOCK = 4096;
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 20_000;
    private final Devices io = new Devices();

    @AfterEach
    void close() {
        io.close();
    }

    @Test
    void biosNoRuleHitsAllocateNothing() throws Throwable {
        FaultyDevice device = io.track(new FaultyDevice(io.memory("memory:size=16m,lbs=4096,completion=submitter"),
                FaultRules.builder().onReads().fail(Errno.EIO).onWrites().range(1L << 30, 2L << 30).fail(Errno.EIO)
                        .build()));

        long bytes = bytesFor(device);

        // The smallest object is 16 bytes, so anything allocated per bio would show as at least 320 KB here.
        assertThat(bytes).isLessThan(MEASURED / 10);
    }

    @Test
    void recordedWriteAllocatesItsPayloadCopyAndLittleElse() throws Throwable {
        RecordingDevice device = io.track(new RecordingDevice(io.memory("memory:size=16m,lbs=4096,completion=submitter")));

        long perBio = bytesFor(device) / MEASURED;

        // The copy is a 4096-byte array plus its header; the columnar log grows by doubling, about 100 bytes a write.
        assertThat(perBio).isBetween((long) BLOCK, BLOCK + 256L);
    }

    @Test
    void hashOnlyRecordingAllocatesFarLessThanThePayload() throws Throwable {
        RecordingDevice device = io.track(new RecordingDevice(io.memory("memory:size=16m,lbs=4096,completion=submitter"),
                PayloadCapture.CRC32C));

        long perBio = bytesFor(device) / MEASURED;

        assertThat(perBio).isLessThan(512);
    }

    /** The bytes the test thread allocates for {@code MEASURED} 4 KiB writes, after a warm-up. */
    private long bytesFor(BlockDevice device) throws Throwable {
        MethodHandle allocated = threadAllocatedBytes();
        long thread = Thread.currentThread().threadId();
        MemorySegment buffer = io.pattern(BLOCK, 1);
        Bio bio = new Bio();
        int[] failures = new int[1];
        BioEndIo endIo = b -> failures[0] += b.status() == 0 ? 0 : 1;
        run(device, bio, buffer, endIo, WARM_UP);
        long before = (long) allocated.invokeExact(thread);
        run(device, bio, buffer, endIo, MEASURED);
        long bytes = (long) allocated.invokeExact(thread) - before;
        assertThat(failures[0]).isZero();
        return bytes;
    }

    private static void run(BlockDevice device, Bio bio, MemorySegment buffer, BioEndIo endIo, int count) {
        for (int i = 0; i < count; i++) {
            bio.set(BioOp.WRITE, 0, (long) (i % 1024) * BLOCK, buffer, 0, BLOCK, endIo, null);
            device.submit(bio);
        }
    }

    /** {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes(long)}, found reflectively (see memory's HotPathTest). */
    private static MethodHandle threadAllocatedBytes() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Class<?> beanType = Class.forName("com.sun.management.ThreadMXBean");
        return MethodHandles.publicLookup()
                .findVirtual(beanType, "getThreadAllocatedBytes", MethodType.methodType(long.class, long.class))
                .bindTo(bean);
    }
}
