package io.jiomap.api.vfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InodeDioTest {
    /** A deferred completion that ends one in-flight direct I/O when it runs, as the core's does. */
    static final class Deferred extends DeferredCompletion {
        final InodeDio inode;
        final AtomicInteger runs = new AtomicInteger();
        final AtomicReference<Thread> ranOn = new AtomicReference<>();
        final long result;

        Deferred(InodeDio inode, long result) {
            this.inode = inode;
            this.result = result;
        }

        @Override
        protected long complete() {
            runs.incrementAndGet();
            ranOn.set(Thread.currentThread());
            inode.end();
            return result;
        }
    }

    static final class Issuer implements IocbCompletion {
        final AtomicInteger wakeups = new AtomicInteger();

        @Override
        public void complete(Iocb iocb, long result) {
        }

        @Override
        public void wakeup() {
            wakeups.incrementAndGet();
        }
    }

    @Test
    void drainRunsUnclaimedDeferredCompletionsOnTheDrainingThread() {
        InodeDio inode = new InodeDio();
        Issuer issuer = new Issuer();
        inode.begin();
        Deferred d = new Deferred(inode, 4096);
        d.defer(inode, issuer);

        // The issuer never reaps: the drain must run its deferred completion itself (docs/dio-contract.md, "TV30").
        assertThat(inode.waitForDrain(10, TimeUnit.SECONDS)).isTrue();

        assertThat(d.runs).hasValue(1);
        assertThat(d.ranOn.get()).isSameAs(Thread.currentThread());
        assertThat(d.isDone()).isTrue();
        assertThat(d.result()).isEqualTo(4096);
        assertThat(issuer.wakeups).hasValue(1);
        assertThat(inode.inFlight()).isZero();
    }

    @Test
    void aCompletionClaimedByTheIssuerIsNotRunAgainByTheDrainer() {
        InodeDio inode = new InodeDio();
        inode.begin();
        Deferred d = new Deferred(inode, 512);
        d.defer(inode, new Issuer());

        assertThat(d.claim()).isTrue();
        assertThat(d.claim()).isFalse();
        assertThat(d.runClaimed()).isEqualTo(512);
        assertThat(inode.waitForDrain(10, TimeUnit.SECONDS)).isTrue();

        assertThat(d.runs).hasValue(1);
    }

    @Test
    void drainWaitsForDeviceIoAndRunsCompletionsDeferredWhileItWaits() {
        InodeDio inode = new InodeDio();
        Issuer issuer = new Issuer();
        inode.begin();
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> inode.waitForDrain(30, TimeUnit.SECONDS));
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !drained.isDone());

        // The "device" finishes now and defers the completion to an issuer that never reaps.
        Deferred d = new Deferred(inode, 4096);
        d.defer(inode, issuer);

        await().atMost(Duration.ofSeconds(10)).until(drained::isDone);
        assertThat(drained.join()).isTrue();
        assertThat(d.runs).hasValue(1);
        assertThat(d.ranOn.get()).isNotSameAs(Thread.currentThread());
    }

    @Test
    void drainTimesOutWhileDeviceIoIsStillInFlight() {
        InodeDio inode = new InodeDio();
        inode.begin();

        assertThat(inode.waitForDrain(20, TimeUnit.MILLISECONDS)).isFalse();

        inode.end();
        assertThat(inode.waitForDrain(1, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void exactlyOneOfManyRacingClaimersRunsEachCompletion() throws Exception {
        for (int round = 0; round < 200; round++) {
            InodeDio inode = new InodeDio();
            inode.begin();
            Deferred d = new Deferred(inode, 1);
            d.defer(inode, new Issuer());
            CompletableFuture<Void> issuer = CompletableFuture.runAsync(() -> {
                if (d.claim()) {
                    d.runClaimed();
                }
            });
            assertThat(inode.waitForDrain(10, TimeUnit.SECONDS)).isTrue();
            issuer.get(10, TimeUnit.SECONDS);
            assertThat(d.runs).hasValue(1);
        }
    }

    /** A completion whose inode can be changed, as an iocb's is reused for another file. */
    static final class Reusable extends DeferredCompletion {
        InodeDio inode;
        final AtomicInteger runs = new AtomicInteger();

        @Override
        protected long complete() {
            runs.incrementAndGet();
            inode.end();
            return 1;
        }
    }

    @Test
    void aCompletionReusedForAnotherInodeIsFoundByThatInodesDrain() {
        InodeDio first = new InodeDio();
        InodeDio second = new InodeDio();
        Reusable d = new Reusable();
        d.inode = first;
        first.begin();
        d.defer(first, new Issuer());
        assertThat(d.claim()).isTrue();
        d.runClaimed();

        // Reused: the issuer's next request is on the second inode, and this time the issuer never reaps.
        d.inode = second;
        second.begin();
        d.defer(second, new Issuer());

        assertThat(first.waitForDrain(5, TimeUnit.SECONDS)).isTrue();
        assertThat(d.runs).hasValue(1);
        assertThat(second.waitForDrain(5, TimeUnit.SECONDS)).isTrue();
        assertThat(d.runs).hasValue(2);
    }

    @Test
    void aCompletionDeferredAgainOnTheSameInodeIsClaimableAgain() {
        InodeDio inode = new InodeDio();
        Reusable d = new Reusable();
        d.inode = inode;
        for (int i = 1; i <= 3; i++) {
            inode.begin();
            d.defer(inode, new Issuer());
            assertThat(inode.waitForDrain(5, TimeUnit.SECONDS)).isTrue();
            assertThat(d.runs).hasValue(i);
        }
    }
}
