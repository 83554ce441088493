package io.jiomap.crash;

import io.jiomap.api.vfs.Inode;
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

    /** rename(2), replacing a file at {@code to}. */
    record Rename(String from, String to) implements Op {
        @Override
        public String toString() {
            return "rename " + from + " to " + to;
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
