package io.jiomap.api.iomap;

import io.jiomap.api.fs.Inode;

/**
 * The filesystem's mapping callbacks (the kernel's {@code struct iomap_ops}). The core iterates: for each step it
 * calls {@link #begin} for the range still to do, does the I/O for the mapping it got, then {@link #end}.
 */
public interface IomapOps {
    /** The operation writes (IOMAP_WRITE). */
    int WRITE = 1;
    /** The operation zeroes (IOMAP_ZERO). */
    int ZERO = 1 << 1;
    /** Report only, no I/O (IOMAP_REPORT, e.g. fiemap). */
    int REPORT = 1 << 2;
    /** The operation is direct I/O (IOMAP_DIRECT). */
    int DIRECT = 1 << 4;
    /** Must not block: return -EAGAIN where allocation or a lock would be needed (IOMAP_NOWAIT). */
    int NOWAIT = 1 << 5;
    /** Only pure overwrites are allowed: return -EAGAIN instead of allocating (IOMAP_OVERWRITE_ONLY). */
    int OVERWRITE_ONLY = 1 << 6;
    /** Unshare shared blocks (IOMAP_UNSHARE). */
    int UNSHARE = 1 << 7;

    /**
     * Maps {@code [pos, pos+length)}: fills {@code iomap} with one mapping that starts at or before {@code pos} and
     * covers at least one byte of the range (it may be shorter than asked). For a copy-on-write mapping the read
     * source goes into {@code srcmap}; otherwise leave it a hole.
     *
     * @return 0, or a negative errno (-EAGAIN under NOWAIT, -ENOSPC, -ENOTBLK to fall back to buffered I/O)
     */
    int begin(Inode inode, long pos, long length, int flags, Iomap iomap, Iomap srcmap);

    /**
     * Ends the use of a mapping: commits or releases what {@link #begin} reserved beyond {@code written}.
     *
     * @param written bytes actually processed in this mapping, possibly 0
     * @return 0 or a negative errno
     */
    default int end(Inode inode, long pos, long length, long written, int flags, Iomap iomap) {
        return 0;
    }
}
