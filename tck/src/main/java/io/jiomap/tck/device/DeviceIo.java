package io.jiomap.tck.device;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Test fixture: remembers devices to close at the end, hands out 4096-aligned shared native buffers (shared, because
 * queue threads copy them) and runs I/O.
 */
public final class DeviceIo implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final List<BlockDevice> devices = new ArrayList<>();

    public <D extends BlockDevice> D track(D device) {
        devices.add(device);
        return device;
    }

    public MemorySegment buffer(long size) {
        return arena.allocate(size, 4096);
    }

    /** Bytes that differ per offset and per seed, so misplaced or stale data shows. */
    public MemorySegment pattern(long size, int seed) {
        MemorySegment s = buffer(size);
        for (long i = 0; i < size; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + seed * 13 + (i >>> 9) + 1));
        }
        return s;
    }

    /** Submits without waiting. */
    public static Probe submit(BlockDevice device, BioOp op, int flags, long address, MemorySegment segment) {
        Probe p = new Probe();
        if (op == BioOp.FLUSH) {
            p.bio.setFlush(flags, p, null);
        } else {
            p.bio.set(op, flags, address, segment, 0, (int) segment.byteSize(), p, null);
        }
        device.submit(p.bio);
        return p;
    }

    public static int write(BlockDevice device, int flags, long address, MemorySegment src) {
        return submit(device, BioOp.WRITE, flags, address, src).awaitStatus();
    }

    public static int write(BlockDevice device, long address, MemorySegment src) {
        return write(device, 0, address, src);
    }

    /** Discards {@code length} bytes at {@code address} in one bio and waits for it. @return its status */
    public static int discard(BlockDevice device, long address, int length) {
        Probe p = new Probe();
        device.submit(p.bio.setDiscard(0, address, length, p, null));
        return p.awaitStatus();
    }

    public static int flush(BlockDevice device) {
        return submit(device, BioOp.FLUSH, 0, 0, MemorySegment.NULL).awaitStatus();
    }

    /** Reads into a fresh buffer prefilled with 0x5A (so zeros show) and returns its bytes. */
    public byte[] read(BlockDevice device, long address, int length) {
        MemorySegment dst = buffer(length);
        dst.fill((byte) 0x5A);
        int status = submit(device, BioOp.READ, Bio.SYNC, address, dst).awaitStatus();
        if (status != 0) {
            throw new AssertionError("read at " + address + " failed with errno " + status);
        }
        return bytes(dst);
    }

    public static byte[] bytes(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    public static byte[] zeros(int length) {
        return new byte[length];
    }

    /** Awaitility tuned for I/O: polls every millisecond from the start, fails after ten seconds. */
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
}
