package io.jiomap.fs.faulty;

import io.jiomap.tck.FsFeature;
import io.jiomap.testkit.contract.FileSystemTck;
import java.util.Map;

/** The whole TCK on faulty over raw, with no fault asked for: it must pass exactly as raw does. */
// tag::faulty-tck[]
class FaultyOverRawTckTest extends FileSystemTck {
    FaultyOverRawTckTest() {
        super("faulty", FsFeature.FALLOCATE, FsFeature.NOWAIT_LOCKING, FsFeature.WHOLE_DEVICE_FILE);
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
// end::faulty-tck[]
