package io.jiomap.tck;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * How the file a contract test works on must look: its size, the shape of chosen ranges (everything else is MAPPED
 * up to the size), and faults to inject. Immutable; each {@code with...} returns a changed copy. The features a
 * layout needs follow from what it asks ({@link #requiredFeatures()}).
 */
public final class FileLayout {
    /** What a range of the file is. */
    public enum Shape {
        /** Written blocks. */
        MAPPED(null),
        /** Written blocks whose mapping reports DIRTY (metadata to commit before FUA alone is durable). */
        MAPPED_DIRTY(FsFeature.DIRTY_MAPPINGS),
        /** Preallocated, reads as zeros until written and converted. */
        UNWRITTEN(FsFeature.UNWRITTEN_EXTENTS),
        /** No blocks; a write allocates (NEW). */
        HOLE(FsFeature.HOLES),
        /** Blocks shared with another file: a write copies on write (SHARED, COW). */
        SHARED(FsFeature.SHARED_EXTENTS),
        /** A delayed-allocation reservation of buffered writes. */
        DELALLOC(FsFeature.DELALLOC_EXTENTS),
        /** Data inside the inode. */
        INLINE(FsFeature.INLINE_DATA),
        /** The filesystem wants this range done buffered: iomap_begin returns -ENOTBLK. */
        BUFFERED_FALLBACK(FsFeature.BUFFERED_FALLBACK);

        private final FsFeature needs;

        Shape(FsFeature needs) {
            this.needs = needs;
        }

        /** The feature a filesystem needs to arrange this shape, or null for MAPPED. */
        public FsFeature needs() {
            return needs;
        }
    }

    /** One arranged range {@code [offset, offset + length)}. */
    public record Region(long offset, long length, Shape shape) {
        public long end() {
            return offset + length;
        }
    }

    private final long size;
    private final boolean exactSize;
    private final List<Region> regions;
    private final int fsyncErrno;
    private final int endIoErrno;
    private final int writeDioFlags;
    private final long doneBefore;

    private FileLayout(long size, boolean exactSize, List<Region> regions, int fsyncErrno, int endIoErrno,
                       int writeDioFlags, long doneBefore) {
        this.size = size;
        this.exactSize = exactSize;
        this.regions = List.copyOf(regions);
        this.fsyncErrno = fsyncErrno;
        this.endIoErrno = endIoErrno;
        this.writeDioFlags = writeDioFlags;
        this.doneBefore = doneBefore;
    }

    /**
     * A file at least {@code size} bytes long, MAPPED throughout (the default setup has 1 MiB: docs/dio-contract.md,
     * "Default setup").
     */
    public static FileLayout mapped(long size) {
        return new FileLayout(size, false, List.of(), 0, 0, 0, 0);
    }

    /** The file must be exactly {@link #size()} long. */
    public FileLayout exactSize() {
        return new FileLayout(size, true, regions, fsyncErrno, endIoErrno, writeDioFlags, doneBefore);
    }

    /** Arranges {@code [offset, offset + length)} as {@code shape}; later regions must not overlap earlier ones. */
    public FileLayout with(long offset, long length, Shape shape) {
        for (Region r : regions) {
            if (offset < r.end() && r.offset() < offset + length) {
                throw new IllegalArgumentException("region [" + offset + ", " + (offset + length)
                        + ") overlaps " + r);
            }
        }
        List<Region> more = new ArrayList<>(regions);
        more.add(new Region(offset, length, shape));
        return new FileLayout(size, exactSize, more, fsyncErrno, endIoErrno, writeDioFlags, doneBefore);
    }

    /** Every fsync of the file fails with {@code -errno}. */
    public FileLayout failingFsync(int errno) {
        return new FileLayout(size, exactSize, regions, Math.abs(errno), endIoErrno, writeDioFlags, doneBefore);
    }

    /** Every end_io of the file fails with {@code -errno}. */
    public FileLayout failingEndIo(int errno) {
        return new FileLayout(size, exactSize, regions, fsyncErrno, Math.abs(errno), writeDioFlags, doneBefore);
    }

    /** The filesystem passes these engine flags (FORCE_WAIT, OVERWRITE_ONLY, PARTIAL) for every write. */
    public FileLayout withWriteDioFlags(int dioFlags) {
        return new FileLayout(size, exactSize, regions, fsyncErrno, endIoErrno, dioFlags, doneBefore);
    }

    /** The filesystem passes this done-before for every write. */
    public FileLayout withDoneBefore(long bytes) {
        return new FileLayout(size, exactSize, regions, fsyncErrno, endIoErrno, writeDioFlags, bytes);
    }

    public long size() {
        return size;
    }

    public boolean isExactSize() {
        return exactSize;
    }

    public List<Region> regions() {
        return regions;
    }

    public int fsyncErrno() {
        return fsyncErrno;
    }

    public int endIoErrno() {
        return endIoErrno;
    }

    public int writeDioFlags() {
        return writeDioFlags;
    }

    public long doneBefore() {
        return doneBefore;
    }

    /** What a filesystem needs to arrange this layout. */
    public Set<FsFeature> requiredFeatures() {
        Set<FsFeature> needs = EnumSet.noneOf(FsFeature.class);
        if (exactSize) {
            needs.add(FsFeature.EXACT_SIZE);
        }
        for (Region r : regions) {
            if (r.shape().needs() != null) {
                needs.add(r.shape().needs());
            }
            if (r.end() > size && (r.shape() == Shape.MAPPED || r.shape() == Shape.MAPPED_DIRTY)) {
                needs.add(FsFeature.MAPPED_PAST_EOF);
            }
        }
        if (fsyncErrno != 0) {
            needs.add(FsFeature.FSYNC_FAILURE);
        }
        if (endIoErrno != 0) {
            needs.add(FsFeature.END_IO_FAILURE);
        }
        if (writeDioFlags != 0 || doneBefore != 0) {
            needs.add(FsFeature.DIO_ARGUMENTS);
        }
        return needs;
    }

    @Override
    public String toString() {
        return "file of " + (exactSize ? "" : "at least ") + size + " bytes, regions " + regions;
    }
}
