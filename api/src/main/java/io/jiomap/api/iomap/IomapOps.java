package io.jiomap.api.iomap;

/**
 * The filesystem's mapping callbacks (the kernel's {@code struct iomap_ops}). The core iterates: for each step it
 * calls {@link #begin} for the range still to do, does the I/O for the mapping it got, then {@link #end}, passing
 * the request's {@link IomapIter} each time.
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
     * Maps {@code [iter.pos(), iter.pos()+iter.length())}: fills {@code iter.iomap()} with one mapping that starts
     * at or before {@code pos} and covers at least one byte of the range (it may be shorter than asked). For a
     * copy-on-write mapping the read source goes into {@code iter.srcmap()}; otherwise leave it a hole. State the
     * filesystem needs again in {@link #end} or end_io goes into {@link IomapIter#setFsPrivate}.
     *
     * @return 0, or a negative errno (-EAGAIN under NOWAIT, -ENOSPC, -ENOTBLK to fall back to buffered I/O)
     */
    int begin(IomapIter iter);

    /**
     * Ends the use of a mapping: commits or releases what {@link #begin} reserved beyond what was processed. The
     * mapping is {@code iter.iomap()}, used for {@code [iter.pos(), iter.pos()+iter.mappedLength())}, of which
     * {@code iter.processed()} bytes were done (possibly 0).
     *
     * @return 0 or a negative errno
     */
    default int end(IomapIter iter) {
        return 0;
    }
}
