package io.jiomap.api.iomap;

/** What a range of a file is backed by (the kernel's IOMAP_HOLE ... IOMAP_INLINE). */
public enum IomapType {
    /** No blocks: reads give zeros; a direct write here is a filesystem bug (EIO). */
    HOLE,
    /** Reserved for delayed allocation by buffered writes; direct I/O seeing it fails with EIO. */
    DELALLOC,
    /** Written blocks at {@link Iomap#address()}. */
    MAPPED,
    /** Allocated blocks that read as zeros until converted by end_io. */
    UNWRITTEN,
    /** Data kept inside the inode. */
    INLINE
}
