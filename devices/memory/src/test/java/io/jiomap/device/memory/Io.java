package io.jiomap.device.memory;

import io.jiomap.tck.device.Probe;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Test fixture: opens devices (closing them at the end), hands out 4096-aligned shared off-heap buffers (shared,
 * because the interrupt thread copies them), and runs synchronous I/O.
 */
final class Io implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final List<MemoryDevice> devices = new ArrayList<>();

    MemoryDevice open(String spec) throws Exception {
        MemoryDevice device = new MemoryDeviceProvider().open(DeviceSpec.parse(spec));
        devices.add(device);
        return device;
    }

    MemorySegment buffer(long size) {
        return arena.allocate(size, 4096);
    }

    /** A buffer filled with bytes that differ per offset and per seed, so misplaced data shows. */
    MemorySegment pattern(long size, int seed) {
        MemorySegment s = buffer(size);
        for (long i = 0; i < size; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed * 17 + (i >>> 9)));
        }
        return s;
    }

    static int write(BlockDevice device, long address, MemorySegment src) {
        return submitAndAwait(device, BioOp.WRITE, 0, address, src, (int) src.byteSize());
    }

    static int write(BlockDevice device, int flags, long address, MemorySegment src) {
        return submitAndAwait(device, BioOp.WRITE, flags, address, src, (int) src.byteSize());
    }

    static int read(BlockDevice device, long address, MemorySegment dst) {
        return submitAndAwait(device, BioOp.READ, 0, address, dst, (int) dst.byteSize());
    }

    /** Reads {@code length} bytes at {@code address} into a fresh buffer (filled with 0x5A first, so zeros show). */
    byte[] readBytes(BlockDevice device, long address, int length) {
        MemorySegment dst = buffer(length);
        dst.fill((byte) 0x5A);
        int status = read(device, address, dst);
        if (status != 0) {
            throw new AssertionError("read at " + address + " failed with " + status);
        }
        return dst.toArray(ValueLayout.JAVA_BYTE);
    }

    static int discard(BlockDevice device, long address, int length) {
        return submitAndAwait(device, BioOp.DISCARD, 0, address, MemorySegment.NULL, length);
    }

    static int flush(BlockDevice device) {
        Probe probe = new Probe();
        probe.bio.setFlush(0, probe, null);
        device.submit(probe.bio);
        return probe.awaitStatus();
    }

    static int submitAndAwait(BlockDevice device, BioOp op, int flags, long address, MemorySegment segment,
                              int length) {
        Probe probe = new Probe();
        probe.bio.set(op, flags, address, segment, 0, length, probe, null);
        device.submit(probe.bio);
        return probe.awaitStatus();
    }

    static byte[] bytes(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Awaitility tuned for I/O: polls every millisecond from the start, gives up after ten seconds. */
    static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInSameThread()
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
    }

    @Override
    public void close() {
        for (MemoryDevice device : devices) {
            device.close();
        }
        arena.close();
    }
}
