package io.jiomap.tck;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * The one way the contract waits: bounded by {@link TckSession#TIMEOUT}, polled every millisecond from the first
 * instant, on the waiting thread itself (a ring may only be polled by its owner).
 */
final class Waits {
    private Waits() {
    }

    /** A bounded wait; {@code what} names what is awaited in the failure message. */
    static ConditionFactory await(String what) {
        return Awaitility.await(what)
                .atMost(TckSession.TIMEOUT)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .pollInSameThread();
    }
}
