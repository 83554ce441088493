package io.jiomap.crash;

/**
 * The kinds of op a generated workload may use ({@link Workloads#fsx}, {@link Workloads#bounded}). Pick the set a
 * filesystem supports: {@code FsxOp.all()}, {@code FsxOp.all().without(FsxOp.CLONE)} for one without reflink,
 * {@link #dataOnly()} for raw (no metadata, fixed size, one file), {@link #posix()} for one that keeps POSIX metadata
 * (hard links, symbolic links, mode, owner, times, the rename flags).
 */
public enum FsxOp {
    /** A direct write aligned to the filesystem block size, anywhere in the file (may extend it). */
    WRITE,
    /** A direct write aligned to the logical block size but not to the filesystem block (sub-block zeroing). */
    SUB_BLOCK_WRITE,
    /** A direct write at or past the end of the file, leaving a hole when past it (size update at completion). */
    EXTENDING_WRITE,
    /** A write through a file opened O_DSYNC: its range is durable when it returns. */
    DSYNC_WRITE,
    /**
     * Two to eight O_DSYNC writes to non-overlapping ranges of one file, in flight together through an io_uring-like
     * ring in caller-completion mode (FUA vs flush, IOMAP_F_DIRTY, deferred completions).
     */
    RING_WRITES,
    /** A direct read, compared with the model. */
    READ,
    /** Truncate, up or down. */
    TRUNCATE,
    /** fallocate mode 0: allocate, extending the size. */
    FALLOCATE,
    /** fallocate with KEEP_SIZE: preallocate, possibly past the end. */
    FALLOCATE_KEEP_SIZE,
    /** fallocate PUNCH_HOLE | KEEP_SIZE. */
    PUNCH_HOLE,
    /** fallocate ZERO_RANGE. */
    ZERO_RANGE,
    /** FICLONERANGE between two files or within one; a filesystem answering EOPNOTSUPP is a violation. */
    CLONE,
    FSYNC,
    FDATASYNC,
    /** syncfs: the only op that makes a name durable here (the api has no directory fsync). */
    SYNC,
    /** Create a new file. */
    CREATE,
    /** Rename a file, to a new name or over another file. */
    RENAME,
    UNLINK,
    /** A further name for a file (hard link); the link count must match the names after a crash. */
    LINK,
    /** A symbolic link with a target of 1 to 4095 bytes, relative, absolute or dangling; read back exactly. */
    SYMLINK,
    /** chmod with any of the 07777 bits. */
    CHMOD,
    /** chown to another owner and group (which clears set-user-ID, as the namespace's rule says). */
    CHOWN,
    /** utimens with explicit access and modification times. */
    UTIMENS,
    /** rename with RENAME_NOREPLACE: to a fresh name, or onto an existing one, which must fail with EEXIST. */
    RENAME_NOREPLACE,
    /** rename with RENAME_EXCHANGE: two names swap, both or neither after a crash. */
    RENAME_EXCHANGE;

    /** The POSIX metadata kinds: what {@link #posix()} adds to {@link #all()}. */
    private static final FsxOp[] POSIX = {LINK, SYMLINK, CHMOD, CHOWN, UTIMENS, RENAME_NOREPLACE, RENAME_EXCHANGE};

    /**
     * Every data and namespace kind of the base file api: writes, reads, truncate, fallocate, clone, the persistence
     * kinds, create, rename, unlink. Not the POSIX metadata kinds, which a filesystem without that metadata cannot
     * keep ({@link #posix()}).
     */
    public static FsxOps all() {
        return FsxOps.of(values()).without(POSIX);
    }

    /** {@link #all()} and the POSIX metadata kinds: link, symlink, chmod, chown, utimens, the two rename flags. */
    public static FsxOps posix() {
        return FsxOps.of(values());
    }

    /** The given op kinds. */
    public static FsxOps of(FsxOp... ops) {
        return FsxOps.of(ops);
    }

    /**
     * What a filesystem without metadata supports (raw: the device as one file of fixed size): block and sub-block
     * writes, O_DSYNC writes (single and through a ring), reads, fsync, fdatasync and sync. Use it with
     * {@code files(1)}.
     */
    public static FsxOps dataOnly() {
        return FsxOps.of(WRITE, SUB_BLOCK_WRITE, DSYNC_WRITE, RING_WRITES, READ, FSYNC, FDATASYNC, SYNC);
    }
}
