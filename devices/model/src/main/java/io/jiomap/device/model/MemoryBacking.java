package io.jiomap.device.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Media in native memory, sparse: a 1 MiB extent is allocated on its first write, so a device larger than RAM works
 * as long as what is written fits, and unwritten ranges read as zeros from one shared zero extent. Native, so device
 * contents do not load the garbage collector; copies with {@link MemorySegment#copy}, so nothing allocates per I/O.
 */
public final class MemoryBacking implements Backing {
    static final int EXTENT_SHIFT = 20;
    /** The unit of allocation, and the largest physical block a device on this media may report. */
    public static final int EXTENT_SIZE = 1 << EXTENT_SHIFT;
    /** The extent table is a flat array: 4 TiB costs 4 Mi references, beyond any test image yet bounded. */
    public static final long MAX_CAPACITY = 4L << 40;
    private static final VarHandle EXTENTS = MethodHandles.arrayElementVarHandle(MemorySegment[].class);

    private final Arena arena = Arena.ofShared();
    private final long capacity;
    private final MemorySegment[] extents;
    private final MemorySegment zeros;

    public MemoryBacking(long capacity) {
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity out of range: " + capacity);
        }
        this.capacity = capacity;
        this.extents = new MemorySegment[(int) ((capacity + EXTENT_SIZE - 1) >>> EXTENT_SHIFT)];
        this.zeros = arena.allocate(Math.min(capacity, EXTENT_SIZE), 4096);
    }

    @Override
    public void read(long address, MemorySegment dst, long dstOffset, int length) {
        while (length > 0) {
            int index = (int) (address >>> EXTENT_SHIFT);
            long within = address & (EXTENT_SIZE - 1);
            int n = (int) Math.min(length, EXTENT_SIZE - within);
            MemorySegment extent = (MemorySegment) EXTENTS.getAcquire(extents, index);
            if (extent == null) {
                MemorySegment.copy(zeros, 0, dst, dstOffset, n);
            } else {
                MemorySegment.copy(extent, within, dst, dstOffset, n);
            }
            address += n;
            dstOffset += n;
            length -= n;
        }
    }

    @Override
    public void write(long address, MemorySegment src, long srcOffset, int length) {
        while (length > 0) {
            int index = (int) (address >>> EXTENT_SHIFT);
            long within = address & (EXTENT_SIZE - 1);
            int n = (int) Math.min(length, EXTENT_SIZE - within);
            MemorySegment.copy(src, srcOffset, extent(index), within, n);
            address += n;
            srcOffset += n;
            length -= n;
        }
    }

    /**
     * Zeroes the written extents of the range; unwritten ones already read as zeros and stay unallocated. An extent
     * is kept, not dropped: a write racing with the discard may still hold it, and must not land in memory that
     * another range took over.
     */
    @Override
    public void discard(long address, long length) {
        while (length > 0) {
            int index = (int) (address >>> EXTENT_SHIFT);
            long within = address & (EXTENT_SIZE - 1);
            long n = Math.min(length, EXTENT_SIZE - within);
            MemorySegment extent = (MemorySegment) EXTENTS.getAcquire(extents, index);
            if (extent != null) {
                extent.asSlice(within, n).fill((byte) 0);
            }
            address += n;
            length -= n;
        }
    }

    /** The extent, allocated (zeroed) on first use; two racing writers agree on one through a CAS. */
    private MemorySegment extent(int index) {
        MemorySegment extent = (MemorySegment) EXTENTS.getAcquire(extents, index);
        if (extent != null) {
            return extent;
        }
        MemorySegment fresh = arena.allocate(Math.min(EXTENT_SIZE, capacity - ((long) index << EXTENT_SHIFT)), 4096);
        MemorySegment witness = (MemorySegment) EXTENTS.compareAndExchangeRelease(extents, index, null, fresh);
        // The loser's allocation stays in the arena until close: a rare race, and the arena frees all at once.
        return witness == null ? fresh : witness;
    }

    /** Native bytes held by written extents: what the writes cost, whatever the device's size. */
    public long allocatedBytes() {
        long total = 0;
        for (int i = 0; i < extents.length; i++) {
            MemorySegment extent = (MemorySegment) EXTENTS.getAcquire(extents, i);
            if (extent != null) {
                total += extent.byteSize();
            }
        }
        return total;
    }

    @Override
    public void close() {
        java.util.Arrays.fill(extents, null);
        arena.close();
    }

    @Override
    public boolean persistent() {
        return false;
    }
}
