package io.jiomap.crash;

import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import java.time.Instant;
import java.util.List;

/**
 * One concrete step of a workload, as it ran: what a {@link Violation} lists so the workload can be replayed
 * ({@link Workloads#replay}). Offsets, lengths and sizes are in bytes and multiples of 512 (the payload unit); the
 * generators also keep them aligned to the device's logical block size, as direct I/O needs.
 */
public sealed interface Op {
    /** Creates an empty file (open with CREATE). */
    record Create(String path) implements Op {
        @Override
        public String toString() {
            return "create " + path;
        }
    }

    /** A direct write of self-identifying payloads; {@code dsync}: through a file opened O_DSYNC, then a mark. */
    record Write(String path, long offset, long length, boolean dsync) implements Op {
        @Override
        public String toString() {
            return (dsync ? "dsync-write " : "write ") + path + " [" + offset + ", +" + length + ")";
        }
    }

    /**
     * Several O_DSYNC writes to non-overlapping ranges of one file, submitted together through an io_uring-like ring
     * in caller-completion mode and reaped together, then a mark (docs/crash-consistency.md, "Workloads": concurrent
     * O_DSYNC writes through the caller-completion path).
     */
    record RingWrites(String path, List<Range> ranges) implements Op {
        public RingWrites {
            ranges = List.copyOf(ranges);
        }

        @Override
        public String toString() {
            return "ring-dsync-writes " + path + " " + ranges;
        }
    }

    /** Bytes {@code [offset, offset+length)}. */
    record Range(long offset, long length) {
        @Override
        public String toString() {
            return "[" + offset + ", +" + length + ")";
        }
    }

    /** A direct read, compared with what the model says the file holds. */
    record Read(String path, long offset, long length) implements Op {
        @Override
        public String toString() {
            return "read " + path + " [" + offset + ", +" + length + ")";
        }
    }

    record Truncate(String path, long size) implements Op {
        @Override
        public String toString() {
            return "truncate " + path + " to " + size;
        }
    }

    /** fallocate with {@link Inode} {@code FALLOC_*} mode bits (0: allocate and extend). */
    record Fallocate(String path, int mode, long offset, long length) implements Op {
        @Override
        public String toString() {
            String name = switch (mode) {
                case 0 -> "fallocate";
                case Inode.FALLOC_KEEP_SIZE -> "fallocate-keep-size";
                case Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE -> "punch-hole";
                case Inode.FALLOC_ZERO_RANGE -> "zero-range";
                case Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE -> "zero-range-keep-size";
                default -> "fallocate mode " + mode;
            };
            return name + " " + path + " [" + offset + ", +" + length + ")";
        }
    }

    /** FICLONERANGE: {@code target} at {@code targetOffset} shares {@code source}'s blocks. */
    record Clone(String source, long sourceOffset, String target, long targetOffset, long length) implements Op {
        @Override
        public String toString() {
            return "clone " + source + " [" + sourceOffset + ", +" + length + ") to " + target + " at "
                    + targetOffset;
        }
    }

    /** fsync ({@code datasync=false}) or fdatasync, then a mark. */
    record Fsync(String path, boolean datasync) implements Op {
        @Override
        public String toString() {
            return (datasync ? "fdatasync " : "fsync ") + path;
        }
    }

    /**
     * rename(2), replacing what {@code to} names; with {@link FileSystem#RENAME_NOREPLACE} it fails with EEXIST when
     * {@code to} exists (and the workload expects that failure when its model says so); with
     * {@link FileSystem#RENAME_EXCHANGE} the two names swap.
     */
    record Rename(String from, String to, int flags) implements Op {
        public Rename(String from, String to) {
            this(from, to, 0);
        }

        @Override
        public String toString() {
            return switch (flags) {
                case 0 -> "rename " + from + " to " + to;
                case FileSystem.RENAME_NOREPLACE -> "rename-noreplace " + from + " to " + to;
                case FileSystem.RENAME_EXCHANGE -> "rename-exchange " + from + " and " + to;
                default -> "rename with flags " + flags + " " + from + " to " + to;
            };
        }
    }

    /** link(2): {@code existing}'s file gets the further name {@code newPath}. */
    record Link(String existing, String newPath) implements Op {
        @Override
        public String toString() {
            return "link " + existing + " as " + newPath;
        }
    }

    /** symlink(2): a symbolic link {@code path} holding {@code target}. */
    record Symlink(String target, String path) implements Op {
        @Override
        public String toString() {
            String shown = target.length() <= 40 ? target : target.substring(0, 40) + "...";
            return "symlink " + path + " -> '" + shown + "' (" + target.length() + " chars)";
        }
    }

    /** chmod(2): the permission bits, 07777. */
    record Chmod(String path, int mode) implements Op {
        @Override
        public String toString() {
            return "chmod 0" + Integer.toOctalString(mode) + " " + path;
        }
    }

    /** chown(2). */
    record Chown(String path, int uid, int gid) implements Op {
        @Override
        public String toString() {
            return "chown " + uid + ":" + gid + " " + path;
        }
    }

    /** utimensat(2) with explicit access and modification times, ns since the epoch. */
    record Utimens(String path, long atime, long mtime) implements Op {
        @Override
        public String toString() {
            return "utimens " + path + " atime " + instant(atime) + " mtime " + instant(mtime);
        }

        private static Instant instant(long ns) {
            return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
        }
    }

    record Unlink(String path) implements Op {
        @Override
        public String toString() {
            return "unlink " + path;
        }
    }

    /** syncfs, then a mark: everything, names included, is durable. */
    record Sync() implements Op {
        @Override
        public String toString() {
            return "sync";
        }
    }
}
