package io.jiomap.tck;

/**
 * What a filesystem under test can arrange or does, beyond the baseline every filesystem has (a file whose first
 * {@link FileLayout#size()} bytes are MAPPED, written blocks, at least that long). A contract test that needs a
 * feature the fixture does not declare is skipped, with a message naming the feature, never passed silently.
 */
public enum FsFeature {
    /** The file can be given any i_size, not only the one the filesystem imposes (the raw device's capacity). */
    EXACT_SIZE("give a file any i_size"),
    /** A write at or past EOF grows the file: end_io raises i_size to its end (docs/dio-contract.md, "TV15"). */
    EXTENDING_WRITES("grow a file by writing at or past its end"),
    /**
     * Extending direct writes, and unaligned ones that are not overwrites of written blocks, are synchronous: the
     * filesystem passes FORCE_WAIT, so the submitter waits and the completion runs in the waiter instead of the
     * workqueue (ext4, docs/dio-contract.md, "Row 4", "Row 5"). Tests of such writes expect the waiter with it, the
     * workqueue without it.
     */
    WAITS_FOR_EXTENDING_AND_UNALIGNED_WRITES("make extending and unaligned non-overwrite writes wait in the submitter"),
    /**
     * A NOWAIT write that is not a pure overwrite of written blocks is refused with EAGAIN by the filesystem's write
     * checks, before any of it is mapped (ext4_dio_write_checks); without it the refusal comes from iomap_begin, for
     * the first mapping that would allocate (XFS, docs/dio-contract.md, "TV27").
     */
    NOWAIT_REFUSED_BEFORE_MAPPING("refuse a NOWAIT write that is not a pure overwrite before mapping it"),
    /** The filesystem passes an end_io to the engine for direct writes (raw passes none: nothing to do). */
    WRITE_END_IO("run an end_io for direct writes"),
    /** A range can be made to report IOMAP_F_DIRTY: metadata must be committed to reach the data. */
    DIRTY_MAPPINGS("report DIRTY mappings (uncommitted metadata)"),
    /** A range can be preallocated UNWRITTEN; end_io converts what was written. */
    UNWRITTEN_EXTENTS("preallocate UNWRITTEN extents"),
    /**
     * A range can be a hole: reads give zeros without I/O, a write allocates and reports the mapping NEW, and a
     * NOWAIT write there fails with EAGAIN before any I/O because allocation may block (XFS, docs/dio-contract.md,
     * "TV27").
     */
    HOLES("leave holes that a write allocates (NEW)"),
    /** A range can be shared (reflink): a write reports SHARED and end_io ends copy-on-write (COW flag). */
    SHARED_EXTENTS("share extents (reflink, copy-on-write)"),
    /** A range can be reserved by delayed allocation, which direct I/O must refuse with EIO. */
    DELALLOC_EXTENTS("report DELALLOC reservations"),
    /** A range can hold its data inside the inode (INLINE). */
    INLINE_DATA("keep data inline in the inode"),
    /** A range can make iomap_begin return -ENOTBLK: "do this part buffered" (ext4 on indirect files). */
    BUFFERED_FALLBACK("fall back to buffered I/O with ENOTBLK"),
    /**
     * A written, not-NEW mapping can run past EOF (the 6.6 caller-completion quirk of docs/dio-contract.md, "TV16").
     * 
     */
    MAPPED_PAST_EOF("report a MAPPED extent running past EOF"),
    /** fsync can be made to fail with a chosen errno (docs/dio-contract.md, "TV34"). */
    FSYNC_FAILURE("make fsync fail"),
    /**
     * end_io can be made to fail with a chosen errno. A filesystem that cannot arrange it need not declare it: on any
     * filesystem with {@link #WRITE_END_IO} the TCK runs the filesystem's end_io and reports its success to the
     * engine as the errno ({@link io.jiomap.tck.observe.ObservedFileSystemType#failEndIo}), as fs-faulty does.
     */
    END_IO_FAILURE("make end_io fail"),
    /** The fixture can list the fsync calls the filesystem got, with their range and datasync flag. */
    OBSERVABLE_FSYNC("report the fsync calls it got"),
    /** The test can choose the engine flags (FORCE_WAIT, OVERWRITE_ONLY) and done-before the filesystem passes. */
    DIO_ARGUMENTS("pass engine flags and done-before chosen by the test"),
    /** truncate keeps new direct I/O out and drains the inode's direct I/O. */
    TRUNCATE("truncate (draining direct I/O)"),
    /** fallocate(ZERO_RANGE | KEEP_SIZE) keeps new direct I/O out and drains the inode's direct I/O. */
    FALLOCATE("fallocate ZERO_RANGE (draining direct I/O)"),
    /**
     * A NOWAIT read or write fails with EAGAIN instead of waiting for the inode lock (docs/dio-contract.md, "Row 13").
     * 
     */
    NOWAIT_LOCKING("refuse NOWAIT I/O with EAGAIN while the inode lock is taken"),
    /**
     * The file is the whole device (raw): i_size is the capacity, a write at or past it fails with ENOSPC and a
     * write crossing it is shortened to it.
     */
    WHOLE_DEVICE_FILE("expose the whole device as the file");

    private final String description;

    FsFeature(String description) {
        this.description = description;
    }

    /** What a filesystem with this feature can do, for skip messages. */
    public String description() {
        return description;
    }
}
