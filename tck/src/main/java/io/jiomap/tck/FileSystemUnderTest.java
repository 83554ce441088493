package io.jiomap.tck;

import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.tck.observe.FsyncCall;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** How the contract mounts the filesystem under test and arranges the file it works on. */
public interface FileSystemUnderTest {
    /** A short name for messages, e.g. {@code raw}. */
    String name();

    FileSystemType type();

    default Map<String, String> mkfsOptions() {
        return Map.of();
    }

    default Map<String, String> mountOptions() {
        return Map.of();
    }

    /** What this filesystem can arrange; a test needing anything else is skipped. */
    Set<FsFeature> features();

    /**
     * Opens (creating it if needed) the file a test works on, arranged as {@code layout} says. The layout only
     * uses features this filesystem declared. The file must be at least {@link FileLayout#size()} long, exactly
     * that long when {@link FileLayout#exactSize()} is set.
     */
    OpenFile openFile(Mount mount, FileLayout layout) throws JiomapException;

    /** The fsync calls the filesystem got for {@code file}, oldest first ({@link FsFeature#OBSERVABLE_FSYNC}). */
    default List<FsyncCall> fsyncCalls(OpenFile file) {
        throw new UnsupportedOperationException(name() + " does not report fsync calls");
    }
}
