package io.jiomap.api.vfs;

import io.jiomap.api.Errno;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A file of a mounted filesystem, with the operations the core and its issuers call.
 *
 * <p>Read and write follow the kernel's {@code read_iter}/{@code write_iter}: the filesystem takes its locks and
 * calls the core's {@link io.jiomap.api.iomap.DirectIoEngine}. They return bytes, {@code -EIOCBQUEUED} (the iocb's
 * completion reports later) or a negative errno; they never throw for an I/O error.
 *
 * <p>Everything that must see no direct I/O in flight (truncate, fallocate, clone, unmount) calls
 * {@link InodeDio#waitForDrain()} on {@link #dio()} after keeping new direct I/O out.
 */
public abstract class Inode {
    /** fallocate: do not change the file size (FALLOC_FL_KEEP_SIZE). */
    public static final int FALLOC_KEEP_SIZE = 0x01;
    /** fallocate: deallocate the range (FALLOC_FL_PUNCH_HOLE, with KEEP_SIZE). */
    public static final int FALLOC_PUNCH_HOLE = 0x02;
    /** fallocate: remove the range and shift what follows down (FALLOC_FL_COLLAPSE_RANGE, block-aligned). */
    public static final int FALLOC_COLLAPSE_RANGE = 0x08;
    /** fallocate: make the range read as zeros (FALLOC_FL_ZERO_RANGE). */
    public static final int FALLOC_ZERO_RANGE = 0x10;
    /** fallocate: insert a hole at the offset and shift what follows up (FALLOC_FL_INSERT_RANGE, block-aligned). */
    public static final int FALLOC_INSERT_RANGE = 0x20;
    /** fallocate: give the range blocks of its own where they are shared (FALLOC_FL_UNSHARE_RANGE). */
    public static final int FALLOC_UNSHARE_RANGE = 0x40;

    private final InodeDio dio = new InodeDio();

    /** The in-flight direct-I/O count and deferred completions of this inode. */
    public final InodeDio dio() {
        return dio;
    }

    public abstract FileSystem fileSystem();

    /** The inode number. */
    public abstract long ino();

    /** The file size in bytes (i_size). */
    public abstract long size();

    /** Reads {@code length} bytes at {@code iocb.position()} into {@code buffer[offset...]}. */
    public abstract long read(Iocb iocb, MemorySegment buffer, long offset, long length);

    /** Writes {@code length} bytes at {@code iocb.position()} from {@code buffer[offset...]}. */
    public abstract long write(Iocb iocb, MemorySegment buffer, long offset, long length);

    /**
     * Makes {@code [start, end]} durable: the data and, for {@code datasync}, the metadata needed to read it back;
     * without {@code datasync} all inode metadata too. Called by the direct-I/O path for O_DSYNC/O_SYNC writes
     * that could not be made durable by FUA ({@code generic_write_sync}).
     *
     * @return 0 or a negative errno
     */
    public abstract int fsync(long start, long end, boolean datasync);

    /** Sets the file size. @return 0 or a negative errno */
    public abstract int truncate(long size);

    /** Allocates, punches or zeroes a range ({@code FALLOC_*} modes). @return 0 or a negative errno */
    public abstract int fallocate(int mode, long offset, long length);

    /** Describes this file. */
    public abstract FileStat stat();

    /**
     * The extents that cover {@code [start, start+length)} (FIEMAP): holes are left out, adjacent extents with the
     * same flags may be reported merged, the file's last extent carries {@link FileExtent#LAST}.
     */
    public abstract List<FileExtent> fiemap(long start, long length);

    /**
     * Makes {@code [dstOffset, dstOffset+length)} of this file share the blocks of {@code [srcOffset, ...)} of
     * {@code source} (FICLONERANGE); both files' direct I/O is drained first. Offsets and length must be
     * block-aligned, except that a length reaching the source's EOF may end there.
     *
     * <p>A filesystem without shared extents keeps this default, which answers EOPNOTSUPP as the VFS does for a
     * filesystem without {@code remap_file_range} (ext4).
     *
     * @return 0 or a negative errno (EOPNOTSUPP, EINVAL for misaligned or overlapping ranges, EXDEV across
     *         filesystems, ENOSPC)
     */
    public int cloneRange(Inode source, long srcOffset, long dstOffset, long length) {
        return -Errno.EOPNOTSUPP;
    }
}
