package io.jiomap.api.vfs;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import java.util.List;

/**
 * A mounted filesystem, as a filesystem plugin implements it: the superblock's operations and the inode-level
 * namespace. Paths are the core's ({@code Mount} walks them over {@link #lookup}); what a filesystem implements here
 * names every object by inode number.
 */
public interface FileSystem {
    /** The type name, e.g. {@code raw}. */
    String typeName();

    /** The device it lives on (as the filesystem sees it, through the core's block layer). */
    BlockDevice device();

    /** The filesystem block size: the unit of allocation and of sub-block zeroing. */
    int blockSize();

    /*
     * The inode-level namespace. The core walks paths, checks names and enforces the rename rules (a directory never
     * moves under itself, kinds must match, RENAME_NOREPLACE and RENAME_EXCHANGE), the set-group-ID inheritance
     * and the xattr namespace, and it serialises every namespace change of a mount. A filesystem therefore
     * implements each change as one primitive on inode numbers whose preconditions the core has already checked;
     * it still refuses, with EIO and what it found, a precondition it finds broken (a name absent or present against
     * the core's check), because that means the image and the core disagree.
     *
     * Every change updates ctime of what it changed and mtime and ctime of each directory whose entries changed,
     * and is durable after sync() or an fsync of the inode (the filesystem's log decides when before that).
     */

    /** The root directory's inode number. */
    long rootIno();

    /**
     * The inode number of {@code name} in the directory {@code dir}, or 0 when there is no such name. Never called
     * with "." or "..".
     *
     * @throws JiomapException ENOENT if {@code dir} no longer exists, ENOTDIR if it is not a directory
     */
    long lookup(long dir, String name) throws JiomapException;

    /** The directory that holds directory {@code dir} (the root holds itself). @throws JiomapException ENOENT, ENOTDIR */
    long parent(long dir) throws JiomapException;

    /** Describes inode {@code ino}. @throws JiomapException ENOENT if it no longer exists */
    FileStat getattr(long ino) throws JiomapException;

    /**
     * Up to {@code max} entries of directory {@code dir} in name order (UTF-8 byte order), starting after the name
     * {@code after} ({@code null}: from the first), without "." and "..". A listing taken in pieces while the
     * directory changes returns each entry that stayed at most once.
     *
     * @throws JiomapException ENOENT, ENOTDIR
     */
    List<DirEntry> readdir(long dir, String after, int max) throws JiomapException;

    /** Creates an empty regular file {@code name} in {@code dir}, absent until now. @return its attributes */
    FileStat create(long dir, String name, int mode, int uid, int gid) throws JiomapException;

    /** Creates an empty directory {@code name} in {@code dir}, absent until now. @return its attributes */
    FileStat mkdir(long dir, String name, int mode, int uid, int gid) throws JiomapException;

    /**
     * Creates a symbolic link {@code name} in {@code dir} holding {@code target} (mode 0777, as Linux reports).
     *
     * @throws JiomapException ENAMETOOLONG if the filesystem cannot hold a target that long (the core refuses more
     *                         than 4095 bytes itself), ENOSPC
     */
    FileStat symlink(long dir, String name, String target, int uid, int gid) throws JiomapException;

    /** The target of symbolic link {@code ino}. @throws JiomapException EINVAL if it is not a symbolic link */
    String readlink(long ino) throws JiomapException;

    /**
     * Adds the name {@code name} in {@code dir}, absent until now, for the non-directory {@code ino}.
     *
     * @throws JiomapException EMLINK at the filesystem's link limit
     */
    FileStat link(long ino, long dir, String name) throws JiomapException;

    /**
     * Removes the name {@code name}, which names a non-directory, from {@code dir}. When the inode's last link goes
     * and it is not open it is freed; an open one lives on until its last {@link #release} (an orphan, which mount
     * frees if a crash came first).
     */
    void unlink(long dir, String name) throws JiomapException;

    /** Removes the name {@code name}, which names an empty directory, from {@code dir}, and frees the directory. */
    void rmdir(long dir, String name) throws JiomapException;

    /** rename: fail with EEXIST if the new name exists (RENAME_NOREPLACE). */
    int RENAME_NOREPLACE = 1;
    /** rename: swap the two names, both of which exist (RENAME_EXCHANGE). */
    int RENAME_EXCHANGE = 1 << 1;

    /**
     * Moves {@code fromName} of {@code fromDir} to {@code toName} of {@code toDir} in one transaction. Without flags
     * an existing {@code toName} is replaced (the core has checked that the kinds match and a replaced directory is
     * empty; the replaced inode loses a link as by {@link #unlink}/{@link #rmdir}); with {@link #RENAME_EXCHANGE} the
     * two names swap their inodes (and a moved directory's parent changes). The core calls this only when the two
     * names are different inodes.
     */
    void rename(long fromDir, String fromName, long toDir, String toName, int flags) throws JiomapException;

    /** Changes attributes ({@link SetAttr}); a size change drains the file's direct I/O first. @return the result */
    FileStat setattr(long ino, SetAttr attr) throws JiomapException;

    /**
     * Opens regular file {@code ino} for I/O: every opener of an inode gets the same object, so they share its
     * locks and in-flight direct-I/O count. Each open is ended by one {@link #release}.
     *
     * @throws JiomapException ENOENT if it no longer exists, EISDIR for a directory, ELOOP for a symbolic link
     */
    Inode open(long ino) throws JiomapException;

    /** Ends one {@link #open} of {@code inode}; the last release of an inode without links frees it. */
    void release(Inode inode) throws JiomapException;

    /** setxattr: fail with EEXIST if the attribute exists (XATTR_CREATE). */
    int XATTR_CREATE = 1;
    /** setxattr: fail with ENODATA if the attribute does not exist (XATTR_REPLACE). */
    int XATTR_REPLACE = 1 << 1;

    /**
     * The value of extended attribute {@code name} (the core has checked its namespace, {@code user.} for now).
     *
     * @throws JiomapException ENODATA if the inode has no such attribute
     */
    byte[] getxattr(long ino, String name) throws JiomapException;

    /** The names of the inode's extended attributes, in name order. */
    List<String> listxattr(long ino) throws JiomapException;

    /**
     * Sets extended attribute {@code name} ({@link #XATTR_CREATE}, {@link #XATTR_REPLACE}).
     *
     * @throws JiomapException EEXIST, ENODATA as the flags say; ENOSPC when the inode's attribute space is full
     */
    void setxattr(long ino, String name, byte[] value, int flags) throws JiomapException;

    /** Removes extended attribute {@code name}. @throws JiomapException ENODATA if there is none */
    void removexattr(long ino, String name) throws JiomapException;

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
