package io.jiomap.fs.xfslike;

import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.tck.FileLayout;
import io.jiomap.tck.FileSystemUnderTest;
import io.jiomap.tck.FsFeature;
import io.jiomap.tck.Patterns;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;

/**
 * The XFS-like filesystem as the TCK's filesystem under test. Shapes are made with the filesystem's own operations,
 * as a user would: MAPPED by writing, HOLE by punching, UNWRITTEN by zero-range (punch + unwritten preallocation),
 * SHARED by cloning the range into a sibling file; then an fsync, so that nothing is DIRTY. A MAPPED_DIRTY region
 * is written like MAPPED, and then the inode gets a logged, unforced change that is more than timestamps (a block
 * preallocated past EOF): XFS reports DIRTY for the whole inode then, the MAPPED ranges of the same file included.
 */
final class XfsLikeUnderTest implements FileSystemUnderTest {
    static final String PATH = "/tck";

    @Override
    public String name() {
        return XfsLikeFileSystemType.NAME;
    }

    @Override
    public FileSystemType type() {
        return new XfsLikeFileSystemType();
    }

    @Override
    public Set<FsFeature> features() {
        return EnumSet.of(FsFeature.EXACT_SIZE, FsFeature.EXTENDING_WRITES, FsFeature.WRITE_END_IO,
                FsFeature.UNWRITTEN_EXTENTS, FsFeature.HOLES, FsFeature.SHARED_EXTENTS, FsFeature.TRUNCATE,
                FsFeature.FALLOCATE, FsFeature.NOWAIT_LOCKING, FsFeature.DIRTY_MAPPINGS);
    }

    @Override
    public OpenFile openFile(Mount mount, FileLayout layout) throws JiomapException {
        OpenFile file = mount.open(PATH, OpenFile.CREATE);
        int bs = mount.fileSystem().blockSize();
        long rounded = (layout.size() + bs - 1) / bs * bs;
        int chunk = 1 << 20;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(chunk, 4096);
            for (long at = 0; at < rounded; at += chunk) {
                int n = (int) Math.min(chunk, rounded - at);
                Patterns.fill(buf, 0, n, at);
                file.pwrite(buf, 0, n, at);
            }
        }
        if (layout.size() != rounded) {
            file.truncate(layout.size());
        }
        int shadow = 0;
        for (FileLayout.Region r : layout.regions()) {
            switch (r.shape()) {
                case MAPPED, MAPPED_DIRTY -> { }
                case HOLE -> file.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, r.offset(), r.length());
                case UNWRITTEN -> file.fallocate(Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE, r.offset(),
                        r.length());
                case SHARED -> {
                    OpenFile other = mount.open(PATH + "-shared-" + shadow++, OpenFile.CREATE);
                    other.cloneFrom(file, r.offset(), r.offset(), r.length());
                }
                default -> throw new IllegalArgumentException("xfs-like cannot arrange " + r);
            }
        }
        file.fsync(false);
        if (layout.regions().stream().anyMatch(r -> r.shape() == FileLayout.Shape.MAPPED_DIRTY)) {
            file.fallocate(Inode.FALLOC_KEEP_SIZE, rounded + (1 << 20), bs);
        }
        return file;
    }
}
