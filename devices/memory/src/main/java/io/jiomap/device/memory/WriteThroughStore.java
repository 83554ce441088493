package io.jiomap.device.memory;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Storage without a volatile write cache ({@code vwc=off}): a completed write is in the media, so it is durable,
 * FUA and PREFLUSH have nothing to do, a flush is empty and a power cut loses nothing.
 *
 * <p>Lock-free for reads and writes, so concurrent inline submitters move data in parallel; only the first write to
 * a chunk takes the store's lock to allocate it exactly once. Chunks are published with release and read with
 * acquire, so a reader that sees a chunk sees it zero-filled.
 */
final class WriteThroughStore extends ChunkStore {
    private static final VarHandle CHUNKS = MethodHandles.arrayElementVarHandle(MemorySegment[].class);

    private final MemorySegment[] chunks;

    WriteThroughStore(long capacity) {
        super(capacity);
        this.chunks = new MemorySegment[chunkCount];
    }

    @Override
    void read(long address, MemorySegment dst, long dstOffset, int length) {
        while (length > 0) {
            int index = (int) (address >>> CHUNK_SHIFT);
            int offset = (int) (address & CHUNK_MASK);
            int n = Math.min(length, CHUNK_SIZE - offset);
            MemorySegment chunk = (MemorySegment) CHUNKS.getAcquire(chunks, index);
            if (chunk == null) {
                zeroFill(dst, dstOffset, n);
            } else {
                MemorySegment.copy(chunk, offset, dst, dstOffset, n);
            }
            address += n;
            dstOffset += n;
            length -= n;
        }
    }

    @Override
    void write(long address, MemorySegment src, long srcOffset, int length, boolean fua, boolean preflush) {
        while (length > 0) {
            int index = (int) (address >>> CHUNK_SHIFT);
            int offset = (int) (address & CHUNK_MASK);
            int n = Math.min(length, CHUNK_SIZE - offset);
            MemorySegment chunk = (MemorySegment) CHUNKS.getAcquire(chunks, index);
            if (chunk == null) {
                chunk = allocate(index);
            }
            MemorySegment.copy(src, srcOffset, chunk, offset, n);
            address += n;
            srcOffset += n;
            length -= n;
        }
    }

    private synchronized MemorySegment allocate(int index) {
        MemorySegment chunk = chunks[index];
        if (chunk == null) {
            chunk = allocateChunk(index);
            CHUNKS.setRelease(chunks, index, chunk);
        }
        return chunk;
    }

    @Override
    void flush() {
        // Nothing is cached: every completed write is already in the media.
    }

    @Override
    void powerCut() {
        // Nothing is cached: every completed write is already durable.
    }

    @Override
    void onFree() {
        Arrays.fill(chunks, null);
    }
}
