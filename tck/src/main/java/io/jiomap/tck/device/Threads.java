package io.jiomap.tck.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

/** Which threads a device started, so a test can prove a stopped device leaks none. */
final class Threads {
    private Threads() {
    }

    static Set<Thread> live() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /** Waits (bounded) until every thread started since {@code before}, except {@code own}, has ended. */
    static void awaitNoneStartedSince(Set<Thread> before, Thread own) {
        DeviceIo.eventually().untilAsserted(() -> assertThat(live()).filteredOn(t -> !before.contains(t) && t != own)
                .as("threads the device left running").isEmpty());
    }
}
