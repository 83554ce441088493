package io.jiomap.fs.ext4like.tck;

import io.jiomap.tck.FsFeature;
import io.jiomap.testkit.contract.FileSystemTck;

/**
 * The whole TCK on ext4-like in the testkit's one-class form, as a third-party filesystem plugin runs it: the type
 * found by name, its test file arranged through the API alone, on the TCK's scriptable devices.
 */
class Ext4LikeFileSystemTckTest extends FileSystemTck {
    Ext4LikeFileSystemTckTest() {
        super("ext4-like", FsFeature.EXACT_SIZE, FsFeature.EXTENDING_WRITES, FsFeature.WRITE_END_IO,
                FsFeature.UNWRITTEN_EXTENTS, FsFeature.HOLES, FsFeature.TRUNCATE, FsFeature.FALLOCATE,
                FsFeature.NOWAIT_LOCKING, FsFeature.WAITS_FOR_EXTENDING_AND_UNALIGNED_WRITES,
                FsFeature.NOWAIT_REFUSED_BEFORE_MAPPING);
    }
}
