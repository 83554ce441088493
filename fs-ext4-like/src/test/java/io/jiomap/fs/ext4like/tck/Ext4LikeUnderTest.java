package io.jiomap.fs.ext4like.tck;

import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.fs.ext4like.Ext4LikeFileSystemType;
import io.jiomap.tck.FileLayout;
import io.jiomap.tck.FileSystemUnderTest;
import io.jiomap.tck.FsFeature;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;

/**
 * The ext4-like filesystem as the TCK's filesystem under test. It arranges what ext4 can: written (MAPPED) ranges by
 * writing them, HOLEs by leaving them out, UNWRITTEN ranges with fallocate(KEEP_SIZE), any i_size with truncate,
 * and then commits the journal so every mapping starts clean (not DIRTY). It does not declare DIRTY_MAPPINGS: ext4's
 * DIRTY is a property of the whole inode (its datasync transaction), so one range cannot be DIRTY beside a clean one.
 * It declares ext4's write checks: extending and unaligned non-overwrite writes wait in their submitter, and a NOWAIT
 * write that is not a pure overwrite is refused before any mapping (ext4_dio_write_checks).
 *
 * <p>Every fixture of this package opens its devices through {@link io.jiomap.tck.FaultingDevices}, so that once the
 * test file is arranged they can hold I/O inside themselves and fail flushes where a test asks: a device closed with
 * I/O held inside it and a failing fsync meet this journaling filesystem on every device that can be set up for them.
 */
public final class Ext4LikeUnderTest implements FileSystemUnderTest {
    public static final String PATH = "/tck";
    private static final int CHUNK = 1 << 20;

    @Override
    public String name() {
        return Ext4LikeFileSystemType.NAME;
    }

    @Override
    public FileSystemType type() {
        return new Ext4LikeFileSystemType();
    }

    @Override
    public Set<FsFeature> features() {
        return EnumSet.of(FsFeature.EXACT_SIZE, FsFeature.EXTENDING_WRITES, FsFeature.WRITE_END_IO,
                FsFeature.UNWRITTEN_EXTENTS, FsFeature.HOLES, FsFeature.TRUNCATE, FsFeature.FALLOCATE,
                FsFeature.NOWAIT_LOCKING, FsFeature.WAITS_FOR_EXTENDING_AND_UNALIGNED_WRITES,
                FsFeature.NOWAIT_REFUSED_BEFORE_MAPPING);
    }

    @Override
    public OpenFile openFile(Mount mount, FileLayout layout) throws JiomapException {
        OpenFile file = mount.open(PATH, OpenFile.CREATE);
        long size = layout.size();
        int bs = mount.fileSystem().blockSize();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment zeros = arena.allocate(CHUNK, 4096);
            long end = (size + bs - 1) / bs * bs;
            for (long at = 0; at < end; ) {
                long next = Math.min(end, at + CHUNK);
                FileLayout.Region r = regionAt(layout, at);
                if (r != null) {
                    at = Math.max(at + 1, r.end()) + (bs - Math.max(at + 1, r.end()) % bs) % bs;
                    continue;
                }
                for (FileLayout.Region other : layout.regions()) {
                    if (other.offset() > at && other.offset() < next) {
                        next = other.offset() / bs * bs;
                    }
                }
                if (next <= at) {
                    next = at + bs;
                }
                file.pwrite(zeros, 0, next - at, at);
                at = next;
            }
        }
        for (FileLayout.Region r : layout.regions()) {
            if (r.shape() == FileLayout.Shape.UNWRITTEN) {
                file.fallocate(Inode.FALLOC_KEEP_SIZE, r.offset(), r.length());
            } else if (r.shape() != FileLayout.Shape.HOLE) {
                throw new IllegalArgumentException("ext4-like cannot arrange " + r);
            }
        }
        file.truncate(size);
        // Commit everything so that the mappings the test sees are clean (not DIRTY).
        file.fsync(false);
        return file;
    }

    private static FileLayout.Region regionAt(FileLayout layout, long at) {
        for (FileLayout.Region r : layout.regions()) {
            if (r.offset() <= at && at < r.end()) {
                return r;
            }
        }
        return null;
    }
}
