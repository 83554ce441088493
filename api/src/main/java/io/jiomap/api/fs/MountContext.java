package io.jiomap.api.fs;

import io.jiomap.api.iomap.DirectIoEngine;
import java.util.Map;

/** What the core hands a filesystem when it mounts it. */
public interface MountContext {
    /** The generic direct-I/O path for this mount: its completion workqueue and counters belong to this mount. */
    DirectIoEngine directIo();

    /** Mount options ({@code key=value}); a filesystem refuses unknown ones with EINVAL. */
    Map<String, String> options();
}
