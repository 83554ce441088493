package io.jiomap.device.file;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.stream.Stream;

/** The two engines every data and queue test runs on. */
final class Engines {
    private Engines() {
    }

    static Stream<String> both() {
        return Stream.of("io_uring", "threads");
    }

    /**
     * Skips an io_uring test where the kernel refuses io_uring (a sandbox with ENOSYS or EPERM), naming why, instead of
     * failing; everywhere else the io_uring engine must work.
     */
    static void assumeAvailable(String engine) {
        if (engine.equals("io_uring")) {
            String probe = IoUringSupport.probe();
            assumeThat(probe).as("io_uring on this machine").isEqualTo("io_uring available");
        }
    }
}
