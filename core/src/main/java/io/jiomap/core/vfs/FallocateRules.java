package io.jiomap.core.vfs;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.Inode;

/**
 * What the VFS checks of a fallocate request before the filesystem sees it ({@code vfs_fallocate}): the mode is one
 * operation (allocate, punch, zero, collapse, insert or unshare) with KEEP_SIZE only where it means something, and
 * the range is non-negative and does not overflow. Alignment and the file's size are the filesystem's to check, since
 * they depend on its block size.
 */
public final class FallocateRules {
    /** Every mode bit the filesystems know. */
    public static final int KNOWN = Inode.FALLOC_KEEP_SIZE | Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_COLLAPSE_RANGE
            | Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_INSERT_RANGE | Inode.FALLOC_UNSHARE_RANGE;
    private static final int OPERATIONS = Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_COLLAPSE_RANGE
            | Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_INSERT_RANGE | Inode.FALLOC_UNSHARE_RANGE;

    private FallocateRules() {
    }

    /** @throws JiomapException EOPNOTSUPP for unknown bits or a punch without KEEP_SIZE, EINVAL, EFBIG */
    public static void check(int mode, long offset, long length, String what) throws JiomapException {
        if ((mode & ~KNOWN) != 0) {
            throw new JiomapException(Errno.EOPNOTSUPP, what + ": mode 0x" + Integer.toHexString(mode)
                    + " has bits no filesystem here knows (0x" + Integer.toHexString(mode & ~KNOWN) + ")");
        }
        int op = mode & OPERATIONS;
        if (Integer.bitCount(op) > 1) {
            throw new JiomapException(Errno.EINVAL, what + ": mode 0x" + Integer.toHexString(mode)
                    + " asks for more than one of punch, collapse, zero, insert and unshare");
        }
        boolean keepSize = (mode & Inode.FALLOC_KEEP_SIZE) != 0;
        if (op == Inode.FALLOC_PUNCH_HOLE && !keepSize) {
            throw new JiomapException(Errno.EOPNOTSUPP, what + ": a punched hole must keep the size (KEEP_SIZE)");
        }
        if ((op == Inode.FALLOC_COLLAPSE_RANGE || op == Inode.FALLOC_INSERT_RANGE) && keepSize) {
            throw new JiomapException(Errno.EINVAL, what + ": collapse and insert change the size by definition;"
                    + " KEEP_SIZE cannot go with them");
        }
        if (offset < 0 || length <= 0) {
            throw new JiomapException(Errno.EINVAL, what + ": the range needs offset >= 0 and length > 0");
        }
        if (offset + length < 0) {
            throw new JiomapException(Errno.EFBIG, what + ": offset + length overflows");
        }
    }
}
