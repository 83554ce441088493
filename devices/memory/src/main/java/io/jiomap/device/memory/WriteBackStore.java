package io.jiomap.device.memory;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Storage with a volatile write cache ({@code vwc=on}), modelled the way NVMe and null_blk ({@code cache_size})
 * behave: a completed write is visible to every later read at once, but it is durable only once a FLUSH has completed
 * after it, or if it was written with FUA. {@link #powerCut} drops exactly what is not durable.
 *
 * <p>The model is cheap on purpose: per chunk the media copy, a cache copy, and one dirty bit per logical block.
 * A cached write lands in the cache copy and sets its bits; a read takes dirty blocks from the cache and the rest
 * from the media; a flush copies the dirty blocks of the chunks on the dirty list to the media and clears their bits;
 * a FUA write goes to the media and clears its bits, so an older cached copy of the same blocks can never shadow it;
 * a power cut only clears bits. Nothing is ever evicted, so the cache never writes back on its own, which makes
 * "lost on power cut" exact: everything written since the last flush, except FUA writes.
 *
 * <p>Every operation holds the store's lock: with the interrupt thread it is never contended; with inline
 * completion it serializes concurrent submitters, which the default write-through mode does not need.
 */
final class WriteBackStore extends ChunkStore {
    private final int blockShift;
    private final CachedChunk[] chunks;
    /** Chunks with dirty bits; a flush or power cut visits only these, not the whole table of a big device. */
    private CachedChunk[] dirtyChunks = new CachedChunk[16];
    private int dirtyCount;

    /** One chunk's media copy, cache copy and dirty bits; each part is allocated when first needed. */
    private static final class CachedChunk {
        final int index;
        MemorySegment media;
        MemorySegment cache;
        long[] dirty;
        boolean listed;

        CachedChunk(int index) {
            this.index = index;
        }
    }

    WriteBackStore(long capacity, int logicalBlockSize) {
        super(capacity);
        this.blockShift = Integer.numberOfTrailingZeros(logicalBlockSize);
        this.chunks = new CachedChunk[chunkCount];
    }

    @Override
    synchronized void read(long address, MemorySegment dst, long dstOffset, int length) {
        while (length > 0) {
            int index = (int) (address >>> CHUNK_SHIFT);
            int offset = (int) (address & CHUNK_MASK);
            int n = Math.min(length, CHUNK_SIZE - offset);
            CachedChunk chunk = chunks[index];
            if (chunk == null) {
                zeroFill(dst, dstOffset, n);
            } else if (chunk.dirty == null) {
                readMedia(chunk, offset, dst, dstOffset, n);
            } else {
                readMixed(chunk, offset, dst, dstOffset, n);
            }
            address += n;
            dstOffset += n;
            length -= n;
        }
    }

    /** Reads runs of dirty blocks from the cache copy and runs of clean blocks from the media. */
    private void readMixed(CachedChunk chunk, int offset, MemorySegment dst, long dstOffset, int length) {
        int end = (offset + length) >>> blockShift;
        int block = offset >>> blockShift;
        long dstBase = dstOffset - offset;
        while (block < end) {
            int dirtyStart = nextSetBit(chunk.dirty, block, end);
            if (dirtyStart > block) {
                int from = block << blockShift;
                readMedia(chunk, from, dst, dstBase + from, (dirtyStart - block) << blockShift);
            }
            if (dirtyStart == end) {
                return;
            }
            int dirtyEnd = nextClearBit(chunk.dirty, dirtyStart, end);
            int from = dirtyStart << blockShift;
            MemorySegment.copy(chunk.cache, from, dst, dstBase + from, (long) (dirtyEnd - dirtyStart) << blockShift);
            block = dirtyEnd;
        }
    }

    private void readMedia(CachedChunk chunk, int offset, MemorySegment dst, long dstOffset, int length) {
        if (chunk.media == null) {
            zeroFill(dst, dstOffset, length);
        } else {
            MemorySegment.copy(chunk.media, offset, dst, dstOffset, length);
        }
    }

    @Override
    synchronized void write(long address, MemorySegment src, long srcOffset, int length, boolean fua,
                            boolean preflush) {
        if (preflush) {
            flush();
        }
        while (length > 0) {
            int index = (int) (address >>> CHUNK_SHIFT);
            int offset = (int) (address & CHUNK_MASK);
            int n = Math.min(length, CHUNK_SIZE - offset);
            CachedChunk chunk = chunks[index];
            if (chunk == null) {
                chunk = new CachedChunk(index);
                chunks[index] = chunk;
            }
            int firstBlock = offset >>> blockShift;
            int endBlock = (offset + n) >>> blockShift;
            if (fua) {
                if (chunk.media == null) {
                    chunk.media = allocateChunk(index);
                }
                MemorySegment.copy(src, srcOffset, chunk.media, offset, n);
                if (chunk.dirty != null) {
                    clearBits(chunk.dirty, firstBlock, endBlock);
                }
            } else {
                if (chunk.cache == null) {
                    chunk.cache = allocateChunk(index);
                    chunk.dirty = new long[((CHUNK_SIZE >>> blockShift) + 63) >>> 6];
                }
                MemorySegment.copy(src, srcOffset, chunk.cache, offset, n);
                setBits(chunk.dirty, firstBlock, endBlock);
                if (!chunk.listed) {
                    listDirty(chunk);
                }
            }
            address += n;
            srcOffset += n;
            length -= n;
        }
    }

    private void listDirty(CachedChunk chunk) {
        if (dirtyCount == dirtyChunks.length) {
            dirtyChunks = Arrays.copyOf(dirtyChunks, dirtyCount * 2);
        }
        dirtyChunks[dirtyCount++] = chunk;
        chunk.listed = true;
    }

    /**
     * Writes every dirty block back to the media. A chunk leaves the dirty list only once it is written back, so if
     * allocating its media fails the flush fails and the chunks not yet written back stay dirty.
     */
    @Override
    synchronized void flush() {
        while (dirtyCount > 0) {
            CachedChunk chunk = dirtyChunks[dirtyCount - 1];
            writeBack(chunk);
            Arrays.fill(chunk.dirty, 0);
            chunk.listed = false;
            dirtyChunks[--dirtyCount] = null;
        }
    }

    private void writeBack(CachedChunk chunk) {
        long[] dirty = chunk.dirty;
        int end = dirty.length << 6;
        int block = nextSetBit(dirty, 0, end);
        if (block == end) {
            return;
        }
        if (chunk.media == null) {
            chunk.media = allocateChunk(chunk.index);
        }
        while (block < end) {
            int dirtyEnd = nextClearBit(dirty, block, end);
            int from = block << blockShift;
            MemorySegment.copy(chunk.cache, from, chunk.media, from, (long) (dirtyEnd - block) << blockShift);
            block = nextSetBit(dirty, dirtyEnd, end);
        }
    }

    @Override
    synchronized void powerCut() {
        while (dirtyCount > 0) {
            CachedChunk chunk = dirtyChunks[--dirtyCount];
            dirtyChunks[dirtyCount] = null;
            Arrays.fill(chunk.dirty, 0);
            chunk.listed = false;
        }
    }

    @Override
    void onFree() {
        Arrays.fill(chunks, null);
        Arrays.fill(dirtyChunks, 0, dirtyCount, null);
        dirtyCount = 0;
    }

    /** The first set bit in {@code [from, to)}, or {@code to} if none. */
    static int nextSetBit(long[] words, int from, int to) {
        if (from >= to) {
            return to;
        }
        int w = from >>> 6;
        long word = words[w] & (-1L << from);
        while (word == 0) {
            if ((++w << 6) >= to) {
                return to;
            }
            word = words[w];
        }
        return Math.min((w << 6) + Long.numberOfTrailingZeros(word), to);
    }

    /** The first clear bit in {@code [from, to)}, or {@code to} if none. */
    static int nextClearBit(long[] words, int from, int to) {
        if (from >= to) {
            return to;
        }
        int w = from >>> 6;
        long word = ~words[w] & (-1L << from);
        while (word == 0) {
            if ((++w << 6) >= to) {
                return to;
            }
            word = ~words[w];
        }
        return Math.min((w << 6) + Long.numberOfTrailingZeros(word), to);
    }

    /** Sets bits {@code [from, to)}. */
    static void setBits(long[] words, int from, int to) {
        if (from >= to) {
            return;
        }
        int first = from >>> 6;
        int last = (to - 1) >>> 6;
        long firstMask = -1L << from;
        long lastMask = -1L >>> -to;
        if (first == last) {
            words[first] |= firstMask & lastMask;
            return;
        }
        words[first] |= firstMask;
        for (int i = first + 1; i < last; i++) {
            words[i] = -1L;
        }
        words[last] |= lastMask;
    }

    /** Clears bits {@code [from, to)}. */
    static void clearBits(long[] words, int from, int to) {
        if (from >= to) {
            return;
        }
        int first = from >>> 6;
        int last = (to - 1) >>> 6;
        long firstMask = -1L << from;
        long lastMask = -1L >>> -to;
        if (first == last) {
            words[first] &= ~(firstMask & lastMask);
            return;
        }
        words[first] &= ~firstMask;
        for (int i = first + 1; i < last; i++) {
            words[i] = 0;
        }
        words[last] &= ~lastMask;
    }
}
