/**
 * The crash-consistency harness (docs/crash-consistency.md, "The harness"): workloads run through the real core on a
 * recording device, crash states are generated from the recording, and each is mounted, fscked and compared with an
 * oracle. A library: it exports {@code io.jiomap.crash} and registers no service.
 */
module io.jiomap.crash {
    requires transitive io.jiomap.api;
    requires io.jiomap.core;
    requires transitive io.jiomap.device.toolkit;
    requires static osgi.annotation;

    exports io.jiomap.crash;
}
