package io.jiomap.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.jiomap.tck.scripted.ScriptedDevices;
import io.jiomap.tck.scripted.ScriptedFs;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The negative control of {@link DeadlockFreedomContract}, as the crash checker's broken variants are for the
 * checker: the same tests on the scripted filesystem whose drains do not claim deferred completions
 * ({@link ScriptedFs#withDrainsThatDoNotClaim}). Every test whose drain meets a completion nobody reaps must fail,
 * its drain timing out with direct I/O still in flight: without the claim rule those tests would hang, and their
 * bound turns the hang into a failure. The fsync test passes here too, because no fsync of jiomap's filesystems
 * waits for direct I/O: it shows fsync leaves the deferred completions to the ring, and cannot fail by this rule.
 */
class DrainsThatDoNotClaimTimeOutTest {
    /** How long a drain that does not claim waits before it fails. */
    private static final Duration BOUND = Duration.ofSeconds(1);

    private final ScriptedFs brokenDrains = ScriptedFs.withDrainsThatDoNotClaim(BOUND);
    private TckSession session;
    private final DeadlockFreedomContract contract = () -> session;

    private void open() {
        session = new TckSession(new TckFixture(brokenDrains, new ScriptedDevices()));
    }

    @AfterEach
    void closeSession() {
        if (session != null) {
            // What the broken drain left in flight is released here; whether that cleanup is clean is not the
            // subject of these tests.
            try {
                session.close();
            } catch (AssertionError leftOver) {
                // Expected after a failed drain.
            }
        }
    }

    private void assertTheDrainTimesOut(Executable contractTest) {
        open();
        Throwable failure = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, contractTest,
                "the test passed with drains that do not claim: it cannot show the rule");
        assertThat(brokenDrains.unclaimingDrainTimeouts()).as("drains that timed out with direct I/O in flight"
                + " (the test failed with: %s)", failure).isPositive();
    }

    @Test
    void ringOwnerFallocatingHangsWithoutTheRule() {
        assertTheDrainTimesOut(contract::tv30a_ringOwnerFallocatingWithUnreapedDeferredCompletionsRunsThemItself);
    }

    @Test
    void ringOwnerTruncatingHangsWithoutTheRule() {
        assertTheDrainTimesOut(contract::tv30a_ringOwnerTruncatingWithUnreapedDeferredCompletionsRunsThemItself);
    }

    @Test
    void drainerAcrossThreadsHangsWithoutTheRule() {
        assertTheDrainTimesOut(contract::tv30b_drainerRunsTheDeferredCompletionOfAnIssuerBlockedOnTheInodeLock);
    }

    @Test
    void drainsRacingARingOwnerHangWithoutTheRule() {
        assertTheDrainTimesOut(contract::tv30_drainsRacingARingOwnerRunEveryDeferredCompletionExactlyOnce);
    }

    @Test
    void unmountHangsWithoutTheRule() {
        assertTheDrainTimesOut(contract::tv30c_unmountWithUnreapedDeferredCompletionsFinishesAndTheRingPostsThemLater);
    }

    @Test
    void ringOwnerFsyncingPassesWithoutTheRuleBecauseFsyncDoesNotDrain() {
        open();
        assertThatCode(contract::tv30a_ringOwnerFsyncingWithUnreapedDeferredCompletionsReturns)
                .doesNotThrowAnyException();
        assertThat(brokenDrains.unclaimingDrainTimeouts()).as("drains that timed out").isZero();
    }
}
