package io.jiomap.tck;

import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.util.EnumSet;
import java.util.Set;

/**
 * The raw filesystem as a filesystem under test: the whole device is one MAPPED file, so it arranges nothing but
 * the default layout; its fallocate (zero range) drains, its truncate is refused (a device's size is fixed), and it
 * has no end_io. A device plugin runs the contract on it by passing the raw plugin's type (the TCK does not depend
 * on any plugin): {@code new RawFs(new RawFileSystemType())}.
 */
public final class RawFs implements FileSystemUnderTest {
    private final FileSystemType raw;

    public RawFs(FileSystemType raw) {
        this.raw = raw;
    }

    @Override
    public String name() {
        return raw.name();
    }

    @Override
    public FileSystemType type() {
        return raw;
    }

    @Override
    public Set<FsFeature> features() {
        return EnumSet.of(FsFeature.FALLOCATE, FsFeature.NOWAIT_LOCKING, FsFeature.WHOLE_DEVICE_FILE);
    }

    @Override
    public OpenFile openFile(Mount mount, FileLayout layout) throws JiomapException {
        for (FileLayout.Region r : layout.regions()) {
            if (r.shape() != FileLayout.Shape.MAPPED) {
                throw new IllegalArgumentException("the raw filesystem cannot arrange " + r);
            }
        }
        if (!layout.requiredFeatures().isEmpty()) {
            throw new IllegalArgumentException("the raw filesystem cannot arrange " + layout);
        }
        return mount.open("/tck", 0);
    }
}
