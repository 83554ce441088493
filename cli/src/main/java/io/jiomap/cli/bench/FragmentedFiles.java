package io.jiomap.cli.bench;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Builds the two files of the fragmented scenario through the filesystem API: one of exactly {@code n} one-block
 * written extents, and one of the same size in as few extents as the filesystem allows.
 *
 * <p>The fragmented file is made without a million small writes: its blocks are preallocated one at a time from the
 * last to the first, so each lands just after the one preallocated before it. Logical order and physical order then
 * run opposite ways and no two neighbouring blocks continue each other, so no record can merge. Large sequential
 * writes then turn every unwritten block into written data, which keeps each block its own extent. The result is
 * checked with fiemap: a filesystem whose allocator placed blocks otherwise fails the build instead of measuring a
 * different file.
 */
final class FragmentedFiles {
    static final String FRAGMENTED = "/fragmented";
    static final String CONTIGUOUS = "/contiguous";
    private static final int WRITE_CHUNK = 1 << 20;

    private FragmentedFiles() {
    }

    /** Creates {@link #FRAGMENTED} with {@code n} written extents of one {@code blockSize} block each. */
    static OpenFile buildFragmented(Mount mount, long n, int blockSize) throws JiomapException {
        OpenFile f = mount.open(FRAGMENTED, OpenFile.CREATE | OpenFile.EXCLUSIVE);
        for (long i = n - 1; i >= 0; i--) {
            // Mode 0: preallocate, raising the size (the first call sets it to n blocks).
            f.fallocate(0, i * blockSize, blockSize);
        }
        writeAll(f, n * blockSize);
        f.fsync(false);
        requireExtents(f, n, n);
        return f;
    }

    /** Creates {@link #CONTIGUOUS}: {@code n} blocks preallocated in one call, then written. */
    static OpenFile buildContiguous(Mount mount, long n, int blockSize) throws JiomapException {
        OpenFile f = mount.open(CONTIGUOUS, OpenFile.CREATE | OpenFile.EXCLUSIVE);
        f.fallocate(0, 0, n * blockSize);
        writeAll(f, n * blockSize);
        f.fsync(false);
        return f;
    }

    /** Writes {@code [0, size)} with large sequential writes of a non-zero pattern. */
    private static void writeAll(OpenFile f, long size) throws JiomapException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment chunk = arena.allocate(WRITE_CHUNK, 4096);
            chunk.fill((byte) 0xa5);
            for (long pos = 0; pos < size; pos += WRITE_CHUNK) {
                long len = Math.min(WRITE_CHUNK, size - pos);
                long done = f.pwrite(chunk, 0, len, pos);
                if (done != len) {
                    throw new JiomapException(Errno.EIO, "write at " + pos + " of " + f.path()
                            + " was short (" + done + " of " + len + " bytes) while building the file");
                }
            }
        }
    }

    /** The file's extents as fiemap reports them, none unwritten: how many, or a failure saying what was found. */
    static long requireExtents(OpenFile f, long minimum, long maximum) {
        long size = f.size();
        List<FileExtent> map = f.fiemap(0, size);
        long unwritten = map.stream().filter(e -> e.has(FileExtent.UNWRITTEN)).count();
        long mapped = map.stream().mapToLong(FileExtent::length).sum();
        if (map.size() < minimum || map.size() > maximum || unwritten > 0 || mapped != size) {
            throw new IllegalStateException(f.path() + " on " + f.mount().fileSystem().typeName() + " has "
                    + map.size() + " extents (" + unwritten + " unwritten) mapping " + mapped + " of " + size
                    + " bytes; the fragmented scenario needs " + (minimum == maximum ? "exactly " + minimum
                    : minimum + " to " + maximum) + " written extents covering the file");
        }
        return map.size();
    }

    /** Extents of a file as fiemap reports them. */
    static long extentCount(OpenFile f) {
        return f.fiemap(0, f.size()).size();
    }
}
