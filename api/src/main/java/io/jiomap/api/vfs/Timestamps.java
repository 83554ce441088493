package io.jiomap.api.vfs;

import java.time.Instant;

/**
 * The clock of inode times and the rules for when they change, written once for every filesystem.
 *
 * <ul>
 * <li>A write changes mtime and ctime; a namespace change changes ctime of the inode and mtime and ctime of each
 *     directory whose entries changed; an attribute change changes ctime.</li>
 * <li>A read changes atime only as {@code relatime} says ({@link #atimeDue}), so reads do not turn into metadata
 *     writes.</li>
 * <li>Times a data write or read changed are kept in memory and reach the disk with the inode's next logged change,
 *     fsync or unmount (the kernel's {@code lazytime}); a crash may lose them, never data.</li>
 * </ul>
 */
public final class Timestamps {
    /** relatime: an atime older than this is refreshed even when it is newer than mtime and ctime. */
    public static final long RELATIME_MAX_AGE_NS = 24L * 3600 * 1_000_000_000L;

    private Timestamps() {
    }

    /** Now, in nanoseconds since the epoch (to the clock's precision). */
    public static long now() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** relatime: whether a read at {@code now} must refresh atime. */
    public static boolean atimeDue(long atime, long mtime, long ctime, long now) {
        return atime <= mtime || atime <= ctime || now - atime >= RELATIME_MAX_AGE_NS;
    }
}
