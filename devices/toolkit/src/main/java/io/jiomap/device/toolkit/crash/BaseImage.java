package io.jiomap.device.toolkit.crash;

import java.lang.foreign.MemorySegment;

/** The image a recording started from, which crash states read through to and never write. */
interface BaseImage {
    long capacity();

    int logicalBlockSize();

    /**
     * Reads {@code length} bytes at device byte {@code address} into {@code dst}.
     *
     * @return 0 or a negative errno, as {@link io.jiomap.api.block.SyncBio} returns
     */
    int read(long address, MemorySegment dst, long dstOffset, int length);
}
