package io.jiomap.device.file;

import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.fs.raw.RawFileSystemType;
import io.jiomap.tck.FileLayout;
import io.jiomap.tck.FileSystemUnderTest;
import io.jiomap.tck.FsFeature;
import java.util.EnumSet;
import java.util.Set;

/**
 * The raw filesystem as a filesystem under test: the whole device is one MAPPED file, so it arranges nothing but
 * the default layout; its fallocate (zero range) drains, its truncate is refused (a device's size is fixed), and it
 * has no end_io.
 */
final class RawFsUnderTest implements FileSystemUnderTest {
    @Override
    public String name() {
        return RawFileSystemType.NAME;
    }

    @Override
    public FileSystemType type() {
        return new RawFileSystemType();
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
        return mount.open("/dev/tck", 0);
    }
}
