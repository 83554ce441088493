package io.jiomap.api.vfs;

/**
 * One extent of a file's data, as FIEMAP reports it ({@code struct fiemap_extent}); byte units.
 *
 * @param logical  file offset
 * @param physical device byte address (0 with {@link #UNKNOWN})
 * @param length   bytes
 * @param flags    FIEMAP_EXTENT_* flags, with the kernel's values so output can be compared with xfs_io's
 */
public record FileExtent(long logical, long physical, long length, int flags) {
    /** The last extent of the file (FIEMAP_EXTENT_LAST). */
    public static final int LAST = 0x1;
    /** The location is not known (FIEMAP_EXTENT_UNKNOWN). */
    public static final int UNKNOWN = 0x2;
    /** Delayed allocation, not yet on disk (FIEMAP_EXTENT_DELALLOC). */
    public static final int DELALLOC = 0x4;
    /** Data inline in the inode (FIEMAP_EXTENT_DATA_INLINE). */
    public static final int DATA_INLINE = 0x200;
    /** Allocated but unwritten: reads give zeros (FIEMAP_EXTENT_UNWRITTEN). */
    public static final int UNWRITTEN = 0x800;
    /** Shared with another file (FIEMAP_EXTENT_SHARED). */
    public static final int SHARED = 0x2000;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
