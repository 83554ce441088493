package io.jiomap.tck.observe;

/**
 * One call of {@code Inode.fsync}.
 *
 * @param ino      the inode
 * @param start    first byte of the range
 * @param end      last byte of the range (inclusive, as in the kernel's {@code vfs_fsync_range})
 * @param datasync fdatasync (true) or a full fsync (false)
 * @param result   what it returned
 * @param thread   the thread it ran on
 */
public record FsyncCall(long ino, long start, long end, boolean datasync, int result, String thread) {
}
