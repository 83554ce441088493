package io.jiomap.testkit;

import io.jiomap.core.ring.IoRing;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * The completions of an {@link IoRing} as conditions Awaitility can poll: each question first runs what completed
 * (deferred completions included) and reaps the CQEs into a map by user data, so the test never blocks in the ring.
 *
 * <pre>{@code
 * RingCompletions cqes = RingCompletions.of(ring);
 * ring.prepWrite(file, buffer, 0, 4096, 0, 0, 7);
 * ring.submit();
 * RingCompletions.await().until(() -> cqes.arrived(7));
 * assertThat(cqes.result(7)).isEqualTo(4096);
 * }</pre>
 *
 * A ring may only be used by the thread that created it, so the conditions must run on the test thread:
 * {@link #await()} sets that up ({@code pollInSameThread}) with a bound.
 */
public final class RingCompletions {
    /** How long {@link #await()} waits before failing: far above what working I/O needs on a loaded machine. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final IoRing ring;
    private final Map<Long, Long> results = new LinkedHashMap<>();

    private RingCompletions(IoRing ring) {
        this.ring = ring;
    }

    public static RingCompletions of(IoRing ring) {
        return new RingCompletions(ring);
    }

    // tag::ring-await[]
    /** Awaitility, polling on this thread (the ring's owner), bounded by {@link #TIMEOUT}. */
    public static ConditionFactory await() {
        return Awaitility.await().atMost(TIMEOUT).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1));
    }
    // end::ring-await[]

    /** Whether the request with this user data has completed. */
    public boolean arrived(long userData) {
        reap();
        return results.containsKey(userData);
    }

    /** Whether every one of these requests has completed. */
    public boolean allArrived(long... userData) {
        reap();
        for (long u : userData) {
            if (!results.containsKey(u)) {
                return false;
            }
        }
        return true;
    }

    /** How many completions arrived so far. */
    public int count() {
        reap();
        return results.size();
    }

    /** The CQE result (bytes or a negative errno) of a request that arrived. */
    public long result(long userData) {
        reap();
        Long r = results.get(userData);
        if (r == null) {
            throw new NoSuchElementException("no completion with user data " + userData + " yet; arrived: "
                    + results.keySet());
        }
        return r;
    }

    /** Every completion so far, user data to result, in arrival order. */
    public Map<Long, Long> results() {
        reap();
        return Map.copyOf(results);
    }

    private void reap() {
        ring.poll();
        ring.reap(results::put);
    }
}
