package io.jiomap.api.vfs;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import java.util.List;

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

    /*
     * The four namespace changes default to EPERM, which is what the VFS answers for a filesystem without the
     * operation (raw: one file, no directories). Filesystems with a namespace override all four.
     */

    /** Creates a directory. @throws JiomapException EEXIST, ENOENT or ENOTDIR for the parent, ENOSPC */
    default void mkdir(String path) throws JiomapException {
        throw new JiomapException(Errno.EPERM, "mkdir " + path + ": " + typeName() + " has no directories");
    }

    /** Removes an empty directory. @throws JiomapException ENOENT, ENOTDIR, ENOTEMPTY */
    default void rmdir(String path) throws JiomapException {
        throw new JiomapException(Errno.EPERM, "rmdir " + path + ": " + typeName() + " has no directories");
    }

    /**
     * Removes a file's name; its blocks are freed when the last name goes (after draining the inode's direct I/O).
     * @throws JiomapException ENOENT, EISDIR
     */
    default void unlink(String path) throws JiomapException {
        throw new JiomapException(Errno.EPERM, "unlink " + path + ": " + typeName() + " cannot remove names");
    }

    /** Renames, replacing a file at {@code to} as rename(2) does. @throws JiomapException ENOENT, EISDIR, ENOTDIR, ENOTEMPTY */
    default void rename(String from, String to) throws JiomapException {
        throw new JiomapException(Errno.EPERM, "rename " + from + ": " + typeName() + " cannot rename");
    }

    /** Lists a directory, without "." and "..", in name order. @throws JiomapException ENOENT, ENOTDIR */
    List<DirEntry> readdir(String path) throws JiomapException;

    /** Describes the file or directory at {@code path}. @throws JiomapException ENOENT */
    FileStat stat(String path) throws JiomapException;

    /** Space and inode counts. */
    FsStat statfs() throws JiomapException;

    /** Makes everything acknowledged so far durable, data and metadata (syncfs). */
    void sync() throws JiomapException;

    /**
     * Unmounts: drains direct I/O on every inode (without deadlocking against caller completion), makes all
     * acknowledged data and metadata durable, and lets go of the device. Idempotent.
     */
    void unmount() throws JiomapException;
}
