package io.jiomap.api.vfs;

/**
 * What {@code stat} reports about a file or directory.
 *
 * @param ino             the inode number
 * @param kind            regular file or directory
 * @param size            i_size in bytes
 * @param allocatedBytes  bytes of device space the file holds (data, including preallocated and past-EOF blocks;
 *                        shared blocks count for every file that maps them, as {@code st_blocks} does)
 * @param links           the link count
 * @param blockSize       the preferred I/O size ({@code st_blksize}): the filesystem block size
 * @param extents         the number of extents in the data fork
 */
public record FileStat(long ino, FileKind kind, long size, long allocatedBytes, int links, int blockSize,
                       long extents) {
}
