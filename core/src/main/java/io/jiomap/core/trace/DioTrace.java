package io.jiomap.core.trace;

import io.jiomap.api.vfs.Iocb;

/**
 * Trace points of the direct-I/O path, like the kernel's {@code iomap_dio_rw_queued} and
 * {@code iomap_dio_complete}: what the engine decided for each request. Off (null) unless a test or a tool sets one
 * on a {@link io.jiomap.core.Mount}; implementations must be thread-safe and quick.
 */
public interface DioTrace {
    /**
     * The submitter dropped its reference: the flags are final from here on (docs/dio-contract.md, "B1 step 14").
     *
     * @param dioFlags {@link DioFlags} bits
     * @param result   bytes when it completed in the submitter, {@code -EIOCBQUEUED}, or a negative errno
     */
    void submitted(Iocb iocb, int dioFlags, long result);

    /**
     * The completion decision was taken for the last bio.
     *
     * @param where where the completion runs
     */
    void completing(Iocb iocb, int dioFlags, CompletionContext where);

    /**
     * A completed O_DSYNC or O_SYNC write was synced ({@code generic_write_sync}): the engine called the
     * filesystem's fsync on the written range.
     *
     * @param start    the range's first byte
     * @param end      its last byte (inclusive)
     * @param datasync fdatasync (O_DSYNC) rather than fsync (O_SYNC)
     * @param result   what the fsync returned: 0 or a negative errno
     */
    default void synced(Iocb iocb, long start, long end, boolean datasync, int result) {
    }
}
