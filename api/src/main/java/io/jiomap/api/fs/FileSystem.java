package io.jiomap.api.fs;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;

/** A mounted filesystem. */
public interface FileSystem {
    /** open: create the file if it does not exist (O_CREAT). */
    int CREATE = 1;
    /** open: with CREATE, fail with EEXIST if it exists (O_EXCL). */
    int EXCLUSIVE = 1 << 1;

    /** The type name, e.g. {@code raw}. */
    String typeName();

    /** The device it lives on (as the filesystem sees it, through the core's block layer). */
    BlockDevice device();

    /** The filesystem block size: the unit of allocation and of sub-block zeroing. */
    int blockSize();

    /** Opens a file by path. @throws JiomapException ENOENT, EEXIST, ENOSPC, EINVAL with a message saying why */
    Inode open(String path, int flags) throws JiomapException;

    /**
     * Unmounts: drains direct I/O on every inode (without deadlocking against caller completion), makes all
     * acknowledged data and metadata durable, and lets go of the device. Idempotent.
     */
    void unmount() throws JiomapException;
}
