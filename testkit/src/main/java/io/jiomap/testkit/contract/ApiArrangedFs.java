package io.jiomap.testkit.contract;

import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.tck.FileLayout;
import io.jiomap.tck.FileSystemUnderTest;
import io.jiomap.tck.FsFeature;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Any filesystem type as a TCK {@link FileSystemUnderTest}, its test file arranged through the API alone: written
 * zeros where the layout wants MAPPED blocks, nothing where it wants a HOLE, {@code fallocate} for UNWRITTEN, a clone
 * of a second file for SHARED, {@code truncate} for an exact size; then an fsync, so no mapping reports uncommitted
 * metadata. What cannot be arranged that way (DIRTY, DELALLOC and INLINE mappings, the ENOTBLK fallback, injected
 * fsync or end_io failures, engine arguments, observing fsync) is refused if declared: a filesystem wanting those
 * tests writes its own {@link FileSystemUnderTest}.
 */
public final class ApiArrangedFs implements FileSystemUnderTest {
    /** The file the contract works on. */
    public static final String PATH = "/tck";
    /** The source of SHARED ranges. */
    public static final String CLONE_SOURCE = "/tck-clone-source";
    private static final Set<FsFeature> ARRANGEABLE = EnumSet.of(FsFeature.EXACT_SIZE, FsFeature.EXTENDING_WRITES,
            FsFeature.WRITE_END_IO, FsFeature.UNWRITTEN_EXTENTS, FsFeature.HOLES, FsFeature.SHARED_EXTENTS,
            FsFeature.TRUNCATE, FsFeature.FALLOCATE, FsFeature.NOWAIT_LOCKING, FsFeature.WHOLE_DEVICE_FILE,
            FsFeature.WAITS_FOR_EXTENDING_AND_UNALIGNED_WRITES, FsFeature.NOWAIT_REFUSED_BEFORE_MAPPING);
    private static final int CHUNK = 1 << 20;

    private final FileSystemType type;
    private final Set<FsFeature> features;
    private final Map<String, String> mkfsOptions;
    private final Map<String, String> mountOptions;
    private final Runnable afterArranging;

    public ApiArrangedFs(FileSystemType type, Set<FsFeature> features, Map<String, String> mkfsOptions,
                         Map<String, String> mountOptions) {
        this(type, features, mkfsOptions, mountOptions, () -> { });
    }

    /** @param afterArranging runs once the test file is arranged and synced (e.g. to start holding bios) */
    ApiArrangedFs(FileSystemType type, Set<FsFeature> features, Map<String, String> mkfsOptions,
                  Map<String, String> mountOptions, Runnable afterArranging) {
        Set<FsFeature> cannot = EnumSet.noneOf(FsFeature.class);
        cannot.addAll(features);
        cannot.removeAll(ARRANGEABLE);
        if (!cannot.isEmpty()) {
            throw new IllegalArgumentException("the test kit arranges files through the API only and cannot arrange "
                    + cannot + " for " + type.name() + "; implement io.jiomap.tck.FileSystemUnderTest for those and"
                    + " extend io.jiomap.tck.DioContractTest");
        }
        this.type = type;
        this.features = Set.copyOf(features);
        this.mkfsOptions = Map.copyOf(mkfsOptions);
        this.mountOptions = Map.copyOf(mountOptions);
        this.afterArranging = afterArranging;
    }

    @Override
    public String name() {
        return type.name();
    }

    @Override
    public FileSystemType type() {
        return type;
    }

    @Override
    public Map<String, String> mkfsOptions() {
        return mkfsOptions;
    }

    @Override
    public Map<String, String> mountOptions() {
        return mountOptions;
    }

    @Override
    public Set<FsFeature> features() {
        return features;
    }

    @Override
    public OpenFile openFile(Mount mount, FileLayout layout) throws JiomapException {
        OpenFile file = mount.open(PATH, OpenFile.CREATE);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment zeros = arena.allocate(CHUNK, 4096);
            long mappedEnd = layout.size();
            for (FileLayout.Region r : layout.regions()) {
                mappedEnd = Math.max(mappedEnd, r.end());
            }
            // Direct writes are whole blocks: an unaligned size is written up to its block's end, then truncated.
            int bs = mount.fileSystem().blockSize();
            writeMapped(file, zeros, 0, (mappedEnd + bs - 1) / bs * bs, layout);
            OpenFile source = null;
            for (FileLayout.Region r : layout.regions()) {
                switch (r.shape()) {
                    case MAPPED, HOLE -> { }
                    case UNWRITTEN -> file.fallocate(0, r.offset(), r.length());
                    case SHARED -> {
                        if (source == null) {
                            source = mount.open(CLONE_SOURCE, OpenFile.CREATE);
                        }
                        zeroFill(source, zeros, r.offset(), r.end());
                        source.fsync(false);
                        file.cloneFrom(source, r.offset(), r.offset(), r.length());
                    }
                    default -> throw new IllegalArgumentException(type.name() + " through the API cannot arrange "
                            + r);
                }
            }
        }
        if (layout.isExactSize() ? file.size() != layout.size() : file.size() < layout.size()) {
            file.truncate(layout.size());
        }
        file.fsync(false);
        afterArranging.run();
        return file;
    }

    /** Writes zeros over {@code [start, end)} except the regions that must not be written blocks. */
    private static void writeMapped(OpenFile file, MemorySegment zeros, long start, long end, FileLayout layout)
            throws JiomapException {
        long pos = start;
        for (FileLayout.Region r : layout.regions().stream()
                .sorted(Comparator.comparingLong(FileLayout.Region::offset)).toList()) {
            if (r.shape() == FileLayout.Shape.MAPPED) {
                continue;
            }
            zeroFill(file, zeros, pos, Math.min(r.offset(), end));
            pos = Math.max(pos, r.end());
        }
        zeroFill(file, zeros, pos, end);
    }

    private static void zeroFill(OpenFile file, MemorySegment zeros, long from, long to) throws JiomapException {
        for (long pos = from; pos < to; ) {
            long n = Math.min(CHUNK, to - pos);
            pos += file.pwrite(zeros, 0, n, pos);
        }
    }
}
