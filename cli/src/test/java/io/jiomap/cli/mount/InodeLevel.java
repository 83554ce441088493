package io.jiomap.cli.mount;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.cli.CliRun;
import io.jiomap.cli.image.ImageDevice;
import io.jiomap.core.Mount;
import java.nio.file.Path;

/** Whether a filesystem type serves the inode-level namespace (links, modes, owners, times, xattrs) yet. */
final class InodeLevel {
    private InodeLevel() {
    }

    /** Skips the test, saying why, when the image's filesystem still answers the inode-level SPI with EOPNOTSUPP. */
    static void assume(Path image) throws JiomapException {
        try (BlockDevice dev = ImageDevice.open(CliRun.plugins(), null, image, -1)) {
            FileSystemType type = ImageDevice.detect(CliRun.plugins(), dev, null, image);
            try (Mount mount = Mount.mount(type, dev, Mount.Options.defaults())) {
                FileSystem fs = mount.fileSystem();
                try {
                    fs.getattr(fs.rootIno());
                } catch (JiomapException e) {
                    assumeTrue(e.errno() != Errno.EOPNOTSUPP, type.name() + " does not implement the inode-level "
                            + "FileSystem SPI yet: " + e.getMessage());
                    throw e;
                }
            }
        }
    }
}
