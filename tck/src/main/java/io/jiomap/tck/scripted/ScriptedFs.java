package io.jiomap.tck.scripted;

import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.tck.FileLayout;
import io.jiomap.tck.FileSystemUnderTest;
import io.jiomap.tck.FsFeature;
import io.jiomap.tck.observe.FsyncCall;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scripted filesystem as a filesystem under test: it arranges every {@link FileLayout} shape by scripting the
 * file's mappings, so it reaches every test vector the engine's features reach. The filesystem half of a fixture for
 * a device plugin.
 */
public final class ScriptedFs implements FileSystemUnderTest {
    /** The path of the file the contract works on. */
    public static final String PATH = "/tck";

    private final Duration unclaimingDrainBound;
    private final AtomicInteger unclaimingDrainTimeouts = new AtomicInteger();

    public ScriptedFs() {
        this(null);
    }

    private ScriptedFs(Duration unclaimingDrainBound) {
        this.unclaimingDrainBound = unclaimingDrainBound;
    }

    /**
     * The negative control of (docs/design-rules.md, "Rule 1"): the scripted filesystem with drains that do not
     * claim deferred completions and fail after {@code bound} ({@link ScriptedInode#drainWithoutClaiming}). The deadlock-freedom
     * tests must fail on it; that they do shows they would hang without the rule.
     */
    public static ScriptedFs withDrainsThatDoNotClaim(Duration bound) {
        return new ScriptedFs(bound);
    }

    /** How many drains that do not claim timed out, for {@link #withDrainsThatDoNotClaim}. */
    public int unclaimingDrainTimeouts() {
        return unclaimingDrainTimeouts.get();
    }

    @Override
    public String name() {
        return ScriptedFileSystemType.NAME;
    }

    @Override
    public FileSystemType type() {
        return new ScriptedFileSystemType();
    }

    /**
     * Everything but the whole-device file and ext4's write checks: it maps as the XFS-like default does, so its
     * extending and unaligned writes go to the workqueue and its NOWAIT refusals come from iomap_begin.
     */
    @Override
    public Set<FsFeature> features() {
        Set<FsFeature> features = EnumSet.allOf(FsFeature.class);
        features.removeAll(EnumSet.of(FsFeature.WHOLE_DEVICE_FILE, FsFeature.WAITS_FOR_EXTENDING_AND_UNALIGNED_WRITES,
                FsFeature.NOWAIT_REFUSED_BEFORE_MAPPING));
        return features;
    }

    @Override
    public OpenFile openFile(Mount mount, FileLayout layout) throws JiomapException {
        OpenFile file = mount.open(PATH, OpenFile.CREATE);
        ScriptedInode inode = (ScriptedInode) file.inode();
        inode.setSize(layout.size());
        for (FileLayout.Region r : layout.regions()) {
            inode.map(r.offset(), r.length(), mappingOf(r.shape()));
        }
        inode.failFsync(layout.fsyncErrno())
                .failEndIo(layout.endIoErrno())
                .setWriteDioFlags(layout.writeDioFlags())
                .setDoneBefore(layout.doneBefore());
        if (unclaimingDrainBound != null) {
            inode.drainWithoutClaiming(unclaimingDrainBound, unclaimingDrainTimeouts);
        }
        return file;
    }

    /** The scripted mapping that gives a layout shape; a hole allocates written blocks, as ext4 does past EOF. */
    public static Mapping mappingOf(FileLayout.Shape shape) {
        return switch (shape) {
            case MAPPED -> Mapping.mapped();
            case MAPPED_DIRTY -> Mapping.mapped().withFlags(Iomap.F_DIRTY);
            case UNWRITTEN -> Mapping.unwritten();
            case HOLE -> Mapping.holeAllocatingAs(IomapType.MAPPED);
            case SHARED -> Mapping.mapped().withFlags(Iomap.F_SHARED).withSrcmap(IomapType.MAPPED);
            case DELALLOC -> Mapping.delalloc();
            case INLINE -> Mapping.inline();
            case BUFFERED_FALLBACK -> Mapping.bufferedFallback();
        };
    }

    @Override
    public List<FsyncCall> fsyncCalls(OpenFile file) {
        return ((ScriptedInode) file.inode()).fsyncCalls();
    }
}
