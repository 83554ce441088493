package io.jiomap.device.model;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The device's durable media: what is left after a power cut. Ranges are validated by the device before they get
 * here. Reads and writes of different ranges may run concurrently (one per hardware queue).
 */
public sealed interface Backing permits MemoryBacking, FileBacking {
    /** Copies {@code length} bytes at media byte {@code address} into {@code dst}; never-written bytes read as 0. */
    void read(long address, MemorySegment dst, long dstOffset, int length) throws IOException;

    /** Copies {@code length} bytes from {@code src} to media byte {@code address}. */
    void write(long address, MemorySegment src, long srcOffset, int length) throws IOException;

    /**
     * Makes {@code length} bytes at media byte {@code address} read as zeros, releasing what stored them where the
     * media can (a discard reaching the media).
     */
    void discard(long address, long length) throws IOException;

    /** Releases the media once no thread can touch it; for an image file, the data is forced to the host disk. */
    void close() throws IOException;

    /** Whether the media outlives the device (an image file), so an orderly close must write the cache back. */
    boolean persistent();
}
