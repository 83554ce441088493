package io.jiomap.device.toolkit;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.block.SyncBio;
import io.jiomap.device.memory.MemoryDeviceProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Test fixture: opens memory devices (closed at the end), hands out shared, 4096-aligned buffers (shared, because
 * devices complete on their own threads) and runs synchronous I/O through {@link SyncBio}.
 */
public final class Devices implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final List<BlockDevice> devices = new ArrayList<>();
    private final MemoryDeviceProvider provider = new MemoryDeviceProvider();

    /** Opens a memory device, e.g. {@code memory:size=16m,vwc=on,fua=on}. */
    public BlockDevice memory(String spec) throws Exception {
        return track(provider.open(DeviceSpec.parse(spec)));
    }

    /** Closes {@code device} at the end of the test. */
    public <T extends BlockDevice> T track(T device) {
        devices.add(device);
        return device;
    }

    public MemorySegment buffer(int size) {
        return arena.allocate(size, 4096);
    }

    /** A buffer whose every 8-byte word names the seed and its offset, so any misplaced or mixed data shows. */
    public MemorySegment pattern(int size, int seed) {
        MemorySegment s = buffer(size);
        for (int i = 0; i < size; i += 8) {
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, ((long) seed << 32) | i);
        }
        return s;
    }

    public static byte[] bytes(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    public static int write(BlockDevice device, long address, MemorySegment data) {
        return SyncBio.write(device, address, data, 0, (int) data.byteSize(), 0);
    }

    public static int write(BlockDevice device, long address, MemorySegment data, int flags) {
        return SyncBio.write(device, address, data, 0, (int) data.byteSize(), flags);
    }

    public static int flush(BlockDevice device) {
        return SyncBio.flush(device);
    }

    /** Reads {@code length} bytes at {@code address}, failing the test if the read fails. */
    public byte[] read(BlockDevice device, long address, int length) {
        MemorySegment dst = buffer(length);
        int result = SyncBio.read(device, address, dst, 0, length);
        if (result != 0) {
            throw new AssertionError("read of " + length + " at " + address + " from " + device.name() + ": "
                    + SyncBio.describe(result));
        }
        return bytes(dst);
    }

    /** Submits a write without waiting; the probe says how and when it ended. */
    public static Probe submitWrite(BlockDevice device, long address, MemorySegment data, int flags) {
        return submitWrite(device, new Probe(address, null), address, data, flags);
    }

    /** Submits a write without waiting, with a probe made by the caller (e.g. one noting completion order). */
    public static Probe submitWrite(BlockDevice device, Probe probe, long address, MemorySegment data, int flags) {
        probe.bio.set(BioOp.WRITE, flags, address, data, 0, (int) data.byteSize(), probe, null);
        device.submit(probe.bio);
        return probe;
    }

    public static Probe submitFlush(BlockDevice device) {
        Probe probe = new Probe(-1, null);
        probe.bio.setFlush(0, probe, null);
        device.submit(probe.bio);
        return probe;
    }

    /** Awaitility for I/O: polls every millisecond, gives up after ten seconds so a hang fails the test. */
    public static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInSameThread()
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
    }

    @Override
    public void close() {
        for (BlockDevice device : devices) {
            device.close();
        }
        arena.close();
    }

    /** A bio with a completion that records its status, how often and on which thread it ended. */
    public static final class Probe implements io.jiomap.api.block.BioEndIo {
        public final Bio bio = new Bio();
        public final long tag;
        private final java.util.concurrent.atomic.AtomicInteger completions =
                new java.util.concurrent.atomic.AtomicInteger();
        private volatile int status = -1;
        private volatile Thread thread;
        private final java.util.Queue<Long> order;

        /** @param order where the probe adds its tag when it ends, or null */
        public Probe(long tag, java.util.Queue<Long> order) {
            this.tag = tag;
            this.order = order;
        }

        @Override
        public void endIo(Bio b) {
            status = b.status();
            thread = Thread.currentThread();
            if (order != null) {
                order.add(tag);
            }
            completions.incrementAndGet();
        }

        public boolean isDone() {
            return completions.get() > 0;
        }

        public int completions() {
            return completions.get();
        }

        /** The positive errno it ended with (0 for success); -1 while it has not ended. */
        public int status() {
            return status;
        }

        public Thread thread() {
            return thread;
        }

        /** Waits for the end (at most ten seconds) and returns the status. */
        public int awaitStatus() {
            eventually().until(this::isDone);
            return status;
        }
    }
}
