package io.jiomap.testkit.contract;

import io.jiomap.tck.FsFeature;

/** The whole TCK on the raw filesystem plugin, found by name, in the one-class form a plugin writes. */
// tag::testkit-fs-tck[]
class RawFileSystemTckTest extends FileSystemTck {
    RawFileSystemTckTest() {
        super("raw", FsFeature.FALLOCATE, FsFeature.NOWAIT_LOCKING, FsFeature.WHOLE_DEVICE_FILE);
    }
}
// end::testkit-fs-tck[]
