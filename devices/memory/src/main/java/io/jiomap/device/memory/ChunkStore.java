package io.jiomap.device.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The device's media: sparse, off-heap, in fixed-size chunks allocated on first write.
 *
 * <p>Why chunks: a device larger than RAM must work as long as what is written fits (filesystem tests format big
 * devices and touch little of them), so storage is allocated per 1 MiB on first write and an unwritten range reads
 * as zeros without allocating. 1 MiB keeps the chunk table small (one reference per MiB) while wasting little when
 * a test writes only a few blocks. Off-heap, because device memory must not load the garbage collector.
 *
 * <p>All data moves with {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)}, which does not
 * allocate, so the I/O path allocates nothing per bio. The store trusts its caller: ranges are validated by the
 * device before they get here.
 */
abstract sealed class ChunkStore permits WriteThroughStore, WriteBackStore {
    static final int CHUNK_SHIFT = 20;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    static final int CHUNK_MASK = CHUNK_SIZE - 1;
    /** Reads of unwritten ranges copy from this many zero bytes, repeatedly; slicing the destination would allocate. */
    private static final int ZEROS_SIZE = 64 << 10;

    /** Shared, because the interrupt thread or any inline submitter moves data, and a different thread closes. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment zeros = arena.allocate(ZEROS_SIZE, 4096);
    final long capacity;
    final int chunkCount;
    private volatile long allocatedBytes;
    private boolean freed;

    ChunkStore(long capacity) {
        this.capacity = capacity;
        this.chunkCount = (int) ((capacity + CHUNK_MASK) >>> CHUNK_SHIFT);
    }

    static ChunkStore create(MemoryDeviceConfig config) {
        return config.volatileWriteCache()
                ? new WriteBackStore(config.capacityBytes(), config.logicalBlockSize())
                : new WriteThroughStore(config.capacityBytes());
    }

    /** Copies {@code length} bytes at device byte {@code address} into {@code dst}. */
    abstract void read(long address, MemorySegment dst, long dstOffset, int length);

    /**
     * Copies {@code length} bytes from {@code src} to device byte {@code address}.
     *
     * @param fua      the write must be durable when this returns
     * @param preflush every write completed before this one must be made durable first
     */
    abstract void write(long address, MemorySegment src, long srcOffset, int length, boolean fua, boolean preflush);

    /** Makes every completed write durable. */
    abstract void flush();

    /** Drops every write that is not durable yet, as a power loss would. */
    abstract void powerCut();

    /** Native bytes held by written chunks (and, with a write cache, their cache copies). */
    final long allocatedBytes() {
        return allocatedBytes;
    }

    /**
     * A new zero-filled chunk for chunk {@code index}; the last chunk is only as long as the device. The caller holds
     * the store's lock: allocation is the rare path, the first write to a chunk.
     */
    final MemorySegment allocateChunk(int index) {
        long size = Math.min(CHUNK_SIZE, capacity - ((long) index << CHUNK_SHIFT));
        MemorySegment chunk = arena.allocate(size, 4096);
        allocatedBytes += size;
        return chunk;
    }

    /** Writes {@code length} zero bytes into {@code dst}: what a never-written range reads as. */
    final void zeroFill(MemorySegment dst, long dstOffset, long length) {
        while (length > 0) {
            long n = Math.min(length, ZEROS_SIZE);
            MemorySegment.copy(zeros, 0, dst, dstOffset, n);
            dstOffset += n;
            length -= n;
        }
    }

    /**
     * Frees all memory. The device calls it once nothing can touch the store any more (the interrupt thread has
     * ended, or no inline submitter is inside); later calls do nothing.
     */
    final synchronized void free() {
        if (!freed) {
            freed = true;
            onFree();
            arena.close();
        }
    }

    /** Drops references to chunks about to be freed, so nothing can reach them afterwards. */
    abstract void onFree();
}
