package io.jiomap.api.vfs;

/**
 * What {@code stat} reports about a file, directory or symbolic link.
 *
 * @param ino             the inode number
 * @param generation      tells apart the inodes that held the same number over the filesystem's life: an inode
 *                        number freed and used again gets a different generation (what NFS and FUSE handles carry)
 * @param kind            regular file, directory or symbolic link
 * @param mode            the permission bits with set-user-ID, set-group-ID and sticky ({@code 07777}); the kind is
 *                        not in it
 * @param uid             the owner
 * @param gid             the group
 * @param links           the link count (a directory counts its name, its "." and each subdirectory's "..")
 * @param size            i_size in bytes (a symbolic link: the length of its target in UTF-8)
 * @param allocatedBytes  bytes of device space the file holds (data, including preallocated and past-EOF blocks;
 *                        shared blocks count for every file that maps them, as {@code st_blocks} does)
 * @param blockSize       the preferred I/O size ({@code st_blksize}): the filesystem block size
 * @param extents         the number of extents in the data fork
 * @param atime           last access, nanoseconds since the epoch
 * @param mtime           last change of the content, nanoseconds since the epoch
 * @param ctime           last change of the inode (content, attributes, links), nanoseconds since the epoch
 */
public record FileStat(long ino, long generation, FileKind kind, int mode, int uid, int gid, int links, long size,
                       long allocatedBytes, int blockSize, long extents, long atime, long mtime, long ctime) {
    /** The permission bits {@link #mode} may hold. */
    public static final int MODE_MASK = 07777;
    public static final int S_ISUID = 04000;
    public static final int S_ISGID = 02000;
    public static final int S_ISVTX = 01000;

    public FileStat {
        if ((mode & ~MODE_MASK) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits outside 07777");
        }
    }

    public boolean isDirectory() {
        return kind == FileKind.DIRECTORY;
    }
}
