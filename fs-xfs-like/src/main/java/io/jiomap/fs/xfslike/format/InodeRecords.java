package io.jiomap.fs.xfslike.format;

/**
 * Sizes of the checkpoint's inode and directory records (FORMAT.md "Checkpoint regions"): what the checkpoint
 * encoder writes and what the metadata reservation bounds the checkpoint by.
 */
public final class InodeRecords {
    /** Extents kept inside the inode record (EXTENTS format); more go to extent blocks (XFS's BTREE format). */
    public static final int INLINE_EXTENTS = 8;
    /** An inode record without its inline extents. */
    public static final int INODE_FIXED = 78;
    /** One extent record, inline or in an extent block. */
    public static final int EXTENT = 16;
    /** The largest inode record: the fixed part and a full inline extent list. */
    public static final int MAX_INODE = INODE_FIXED + INLINE_EXTENTS * EXTENT;
    /** The longest name of a directory entry, in UTF-8 bytes. */
    public static final int NAME_MAX = 255;
    /** A directory entry record without its name: the child inode and the name length. */
    public static final int ENTRY_FIXED = 10;
    /** The largest directory entry record. */
    public static final int MAX_ENTRY = ENTRY_FIXED + NAME_MAX;
    /** The longest symbolic link target, in UTF-8 bytes (PATH_MAX - 1). */
    public static final int SYMLINK_MAX = 4095;
    /** An inode extras record without its target and attributes: the target length and the attribute count. */
    public static final int EXTRAS_FIXED = 4;
    /** One extended attribute in the extras record without its name and value: their lengths. */
    public static final int XATTR_FIXED = 5;
    /**
     * The attribute space of one inode: its extended attributes' names, values and {@link #XATTR_FIXED} bytes each
     * together (a change that would pass it answers ENOSPC). One value of the largest size the VFS allows fits.
     */
    public static final int XATTR_SPACE = 128 * 1024;
    /** A chunk record of an extras segment without its bytes: inode, offset, length. */
    public static final int EXTRAS_CHUNK_FIXED = 14;

    private InodeRecords() {
    }

    /** Whether an inode with {@code extents} data extents keeps them in its record. */
    public static boolean isInline(int extents) {
        return extents <= INLINE_EXTENTS;
    }

    /** The bytes of the inode record of an inode with {@code extents} data extents. */
    public static int inodeBytes(int extents) {
        return INODE_FIXED + (isInline(extents) ? EXTENT * extents : 0);
    }

    /** The blocks of {@code records} fixed-size records of {@code size} bytes, at least one (an empty segment). */
    public static long fixedBlocks(long records, int size, int payload) {
        long perBlock = payload / size;
        return Math.max(1, (records + perBlock - 1) / perBlock);
    }

    /**
     * At most how many blocks records of at most {@code maxRecord} bytes, {@code totalBytes} in all, fill when each
     * goes into the current block if it fits and starts a new block otherwise: every block but the last was left
     * with less room than the record that did not fit, so each holds more than {@code payload - maxRecord} bytes.
     */
    public static long packedBlocksBound(long totalBytes, int maxRecord, int payload) {
        return 1 + totalBytes / (payload - maxRecord + 1);
    }
}
