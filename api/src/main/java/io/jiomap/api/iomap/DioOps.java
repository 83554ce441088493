package io.jiomap.api.iomap;

/**
 * The filesystem's direct-I/O completion hook (the kernel's {@code struct iomap_dio_ops}).
 */
public interface DioOps {
    /** Part of the write went to unwritten extents that must now be converted (IOMAP_DIO_UNWRITTEN). */
    int UNWRITTEN = 1;
    /** Part of the write went to copy-on-write staging extents that must now be remapped (IOMAP_DIO_COW). */
    int COW = 1 << 1;

    /**
     * Runs once per direct I/O when its last bio finished, before the result is reported: convert unwritten extents,
     * end copy-on-write, raise the file size. {@code iter} is the request's iteration object: its
     * {@link IomapIter#iocb() iocb} (whose {@code position()} is still the original offset), its inode and the
     * {@linkplain IomapIter#fsPrivate() private slot} the request's {@code begin}/{@code end} left there; its position,
     * lengths and mappings are those of the last mapping and mean nothing here.
     *
     * <p>It runs wherever the completion runs (the submitter, a waiter, the completion workqueue or the issuer's
     * caller-completion context), so it may block on metadata locks but must never wait for a lock that is held by
     * someone draining direct I/O on this inode, and must not start unrelated I/O (docs/design-rules.md, "Rule 1").
     *
     * @param size  bytes submitted
     * @param error 0 or the first positive errno
     * @param flags {@link #UNWRITTEN} | {@link #COW}
     * @return 0 (or a positive count) on success, a negative errno on failure
     */
    long endIo(IomapIter iter, long size, int error, int flags);
}
