package io.jiomap.device.toolkit.crash;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * An immutable, sparse, in-heap copy of a whole device: the base image crash states are built on. Stored in 64 KiB
 * chunks; an all-zero chunk is not stored, so a mostly empty device costs little.
 */
public final class Snapshot implements BaseImage {
    static final int CHUNK = 64 << 10;

    private final long capacity;
    private final int logicalBlockSize;
    private final Map<Long, byte[]> chunks;

    private Snapshot(long capacity, int logicalBlockSize, Map<Long, byte[]> chunks) {
        this.capacity = capacity;
        this.logicalBlockSize = logicalBlockSize;
        this.chunks = chunks;
    }

    /**
     * Reads the whole device. Call it while nothing writes to the device.
     *
     * @throws JiomapException with the device's errno when a read fails, naming the address
     */
    public static Snapshot of(BlockDevice device) throws JiomapException {
        long capacity = device.capabilities().capacityBytes();
        int unit = Math.min(CHUNK, device.capabilities().maxTransferBytes());
        Map<Long, byte[]> chunks = new HashMap<>();
        // Shared: the device may complete the reads on its own thread.
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(CHUNK, Math.max(4096, device.capabilities().dmaAlignment()));
            for (long chunk = 0; chunk * CHUNK < capacity; chunk++) {
                long start = chunk * CHUNK;
                int length = (int) Math.min(CHUNK, capacity - start);
                for (int done = 0; done < length; done += unit) {
                    int n = Math.min(unit, length - done);
                    int result = SyncBio.read(device, start + done, buffer, done, n);
                    if (result != 0) {
                        throw new JiomapException(-result, "snapshot of " + device.name() + ": read of " + n
                                + " bytes at " + (start + done) + " failed");
                    }
                }
                if (!isZero(buffer, length)) {
                    chunks.put(chunk, buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
                }
            }
        }
        return new Snapshot(capacity, device.capabilities().logicalBlockSize(), chunks);
    }

    /** An all-zero image, as a fresh memory device reads. */
    public static Snapshot zeros(long capacity, int logicalBlockSize) {
        if (capacity <= 0 || logicalBlockSize <= 0 || capacity % logicalBlockSize != 0) {
            throw new IllegalArgumentException("capacity " + capacity + " must be a positive multiple of the"
                    + " logical block size " + logicalBlockSize);
        }
        return new Snapshot(capacity, logicalBlockSize, Map.of());
    }

    private static boolean isZero(MemorySegment segment, int length) {
        for (int i = 0; i < length; i += 8) {
            if (segment.get(ValueLayout.JAVA_LONG_UNALIGNED, i) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public int logicalBlockSize() {
        return logicalBlockSize;
    }

    /** The bytes held (all-zero chunks are not held). */
    public long storedBytes() {
        long total = 0;
        for (byte[] chunk : chunks.values()) {
            total += chunk.length;
        }
        return total;
    }

    /**
     * Reads {@code length} bytes at device byte {@code address} into {@code dst}.
     *
     * @return 0, or -EIO when the range is outside the image
     */
    @Override
    public int read(long address, MemorySegment dst, long dstOffset, int length) {
        if (address < 0 || length < 0 || address > capacity - length) {
            return -Errno.EIO;
        }
        while (length > 0) {
            long chunk = address / CHUNK;
            int offset = (int) (address % CHUNK);
            int n = Math.min(length, CHUNK - offset);
            byte[] data = chunks.get(chunk);
            if (data == null) {
                dst.asSlice(dstOffset, n).fill((byte) 0);
            } else {
                MemorySegment.copy(data, offset, dst, ValueLayout.JAVA_BYTE, dstOffset, n);
            }
            address += n;
            dstOffset += n;
            length -= n;
        }
        return 0;
    }

    /** Copies {@code length} bytes at device byte {@code address} into a new array. */
    public byte[] read(long address, int length) {
        byte[] result = new byte[length];
        int status = read(address, MemorySegment.ofArray(result), 0, length);
        if (status != 0) {
            throw new IndexOutOfBoundsException("read of " + length + " bytes at " + address
                    + " is outside the snapshot's " + capacity + " bytes");
        }
        return result;
    }

    /**
     * The first device byte at which this image and {@code other} differ, or empty when they are equal.
     *
     * @throws IllegalArgumentException when the capacities differ
     */
    public OptionalLong firstDifference(Snapshot other) {
        if (other.capacity != capacity) {
            throw new IllegalArgumentException("cannot compare snapshots of " + capacity + " and " + other.capacity
                    + " bytes");
        }
        for (long chunk = 0; chunk * CHUNK < capacity; chunk++) {
            byte[] mine = chunks.get(chunk);
            byte[] theirs = other.chunks.get(chunk);
            if (mine == theirs) {
                continue;
            }
            int length = (int) Math.min(CHUNK, capacity - chunk * CHUNK);
            for (int i = 0; i < length; i++) {
                byte x = mine == null ? 0 : mine[i];
                byte y = theirs == null ? 0 : theirs[i];
                if (x != y) {
                    return OptionalLong.of(chunk * CHUNK + i);
                }
            }
        }
        return OptionalLong.empty();
    }

    @Override
    public String toString() {
        return "snapshot of " + capacity + " bytes (" + storedBytes() + " stored)";
    }
}
