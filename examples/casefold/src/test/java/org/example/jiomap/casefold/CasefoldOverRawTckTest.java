package org.example.jiomap.casefold;

import io.jiomap.tck.FsFeature;
import io.jiomap.testkit.contract.FileSystemTck;
import java.util.Map;

// tag::casefold-tck[]
/**
 * The direct-I/O contract (the TCK) through the wrapper: casefold changes names only, so over raw it must pass exactly
 * as raw does, with raw's features. (The namespace, which the TCK does not touch, is CasefoldNamespaceTest's.)
 */
class CasefoldOverRawTckTest extends FileSystemTck {
    CasefoldOverRawTckTest() {
        super(CasefoldFileSystemType.NAME, FsFeature.FALLOCATE, FsFeature.NOWAIT_LOCKING, FsFeature.WHOLE_DEVICE_FILE);
    }

    @Override
    protected Map<String, String> mkfsOptions() {
        return Map.of("over", "raw");
    }

    @Override
    protected Map<String, String> mountOptions() {
        return Map.of("over", "raw");
    }
}
// end::casefold-tck[]
