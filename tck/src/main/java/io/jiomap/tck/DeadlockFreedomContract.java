package io.jiomap.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.vfs.Inode;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.ring.IoRing;
import io.jiomap.tck.observe.EndIoCall;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/**
 * Holding deferred (caller) completions never deadlocks a drain (docs/design-rules.md, "Rule 1"; docs/dio-contract.md,
 * "TV30"), on the same thread, across threads, or at unmount, and a device going away ends the I/O it had instead of
 * hanging it. Each test would hang without the claimable-deferred-completion rule; the risky part runs on its own
 * thread and is awaited with a bound, so a regression fails the test instead of hanging the build. Each also checks
 * that every deferred completion ran exactly once and that its issuer still got the right result. That the drains would hang
 * without the rule is shown by running these tests on drains that do not claim, which must time out
 * ({@code DrainsThatDoNotClaimTimeOutTest} in the TCK's own tests).
 */
public interface DeadlockFreedomContract extends ContractBase {
    /** Writes each ring owner keeps deferred. */
    int WRITES = 4;

    /** What a ring owner saw around the drain it ran itself. */
    record OwnerReport(int issued, int inFlightBeforeDrain, int endIoBeforeDrain, int drainResult,
                       int inFlightAfterDrain, List<Cqe> cqes, int laterCqes, String thread) {
    }

    @Test
    default void tv30a_ringOwnerFallocatingWithUnreapedDeferredCompletionsRunsThemItself() throws Exception {
        tck().requires(FsFeature.FALLOCATE);
        ownerDrainsItsOwnDeferredCompletions(true,
                inode -> inode.fallocate(Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE, DRAIN_RANGE, 4096));
    }

    @Test
    default void tv30a_ringOwnerTruncatingWithUnreapedDeferredCompletionsRunsThemItself() throws Exception {
        tck().requires(FsFeature.TRUNCATE);
        ownerDrainsItsOwnDeferredCompletions(true, inode -> inode.truncate(inode.size()));
    }

    /**
     * fsync by a ring owner holding deferred completions returns, and the completions stay for its ring. This one
     * cannot fail by the claim rule on a filesystem whose fsync does not wait for direct I/O (none of jiomap's does,
     * as none of Linux's does): it guards against an fsync that would start waiting for them. The other drains of
     * this contract fail without the rule ({@code DrainsThatDoNotClaimTimeOutTest} in the TCK's tests).
     */
    @Test
    default void tv30a_ringOwnerFsyncingWithUnreapedDeferredCompletionsReturns() throws Exception {
        ownerDrainsItsOwnDeferredCompletions(false, inode -> inode.fsync(0, Long.MAX_VALUE, false));
    }

    /**
     * The jiomap extension {@link CompletionMode#CALLER_POLL}: the owner's writes are polled bios it never polls
     * before it drains; the device reaps them late, their completions are deferred to the owner, and the owner's
     * own drain runs them. Without the late reaping the drain would wait forever for bios only the owner polls.
     */
    @Test
    default void tv30a_pollingRingOwnerTruncatingWithUnpolledWritesFinishes() throws Exception {
        tck().requires(FsFeature.TRUNCATE);
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        org.junit.jupiter.api.Assumptions.assumeTrue(env.device().capabilities().polling(), () -> "device '"
                + env.fixture().devices().name() + "' has no poll queues as opened here");
        Background<OwnerReport> owner = tck().spawn("polling ring owner", () -> {
            IoRing ring = IoRing.create(2 * WRITES, CompletionMode.CALLER_POLL);
            try {
                int issued = submitWrites(env, ring, 0, WRITES);
                int before = env.inode().dio().inFlight();
                int drained = env.inode().truncate(env.inode().size());
                int after = env.inode().dio().inFlight();
                List<Cqe> cqes = DioAssertions.reap(ring, WRITES);
                return new OwnerReport(issued, before, 0, drained, after, cqes, ring.poll(),
                        Thread.currentThread().getName());
            } finally {
                ring.close();
            }
        });
        OwnerReport r = owner.await();

        assertThat(r.issued()).as("writes submitted").isEqualTo(WRITES);
        assertThat(r.inFlightBeforeDrain()).as("polled writes in flight before the drain").isEqualTo(WRITES);
        assertThat(r.drainResult()).as("truncate result").isZero();
        assertThat(r.inFlightAfterDrain()).as("direct I/O in flight after the drain").isZero();
        assertCqesOfWrites(r.cqes(), 0, WRITES);
        assertThat(r.laterCqes()).as("CQEs posted a second time").isZero();
        assertEndIoRanOnceEach(env, WRITES, r.thread());
        assertThat(env.dataWrites()).as("polled data writes").hasSize(WRITES)
                .allSatisfy(b -> assertThat(b.hasFlag(io.jiomap.api.block.Bio.POLLED)).isTrue());
        assertWritesReadBack(env, 0, WRITES);
    }

    private void ownerDrainsItsOwnDeferredCompletions(boolean drains, ToIntFunction<Inode> operation)
            throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        env.tap().holdNext(WRITES);
        Background<OwnerReport> owner = tck().spawn("ring owner", () -> {
            IoRing ring = IoRing.create(2 * WRITES, CompletionMode.CALLER);
            try {
                int issued = submitWrites(env, ring, 0, WRITES);
                // Every bio is held, so every write is queued; let the device complete them all. Their
                // completions are then deferred to this thread, which does not reap before it drains.
                env.tap().releaseAll();
                env.awaitDeviceCompletions(WRITES);
                int before = env.inode().dio().inFlight();
                int endIoBefore = env.calls().endIoCount();
                int drained = operation.applyAsInt(env.inode());
                int after = env.inode().dio().inFlight();
                List<Cqe> cqes = DioAssertions.reap(ring, WRITES);
                int later = ring.poll();
                return new OwnerReport(issued, before, endIoBefore, drained, after, cqes, later,
                        Thread.currentThread().getName());
            } finally {
                ring.close();
            }
        });
        OwnerReport r = owner.await();

        assertThat(r.issued()).as("writes submitted").isEqualTo(WRITES);
        assertThat(r.inFlightBeforeDrain()).as("deferred, unreaped completions before the drain").isEqualTo(WRITES);
        assertThat(r.endIoBeforeDrain()).as("end_io calls before the drain").isZero();
        assertThat(r.drainResult()).as("the operation's result").isZero();
        if (drains) {
            assertThat(r.inFlightAfterDrain()).as("direct I/O in flight after the drain").isZero();
        }
        assertCqesOfWrites(r.cqes(), 0, WRITES);
        assertThat(r.laterCqes()).as("CQEs posted a second time").isZero();
        assertEndIoRanOnceEach(env, WRITES, drains ? r.thread() : null);
        assertThat(env.counters().caller()).as("completions deferred to the caller").isEqualTo(WRITES);
        assertThat(env.inode().dio().inFlight()).isZero();
        assertWritesReadBack(env, 0, WRITES);
    }

    @Test
    default void tv30b_drainerRunsTheDeferredCompletionOfAnIssuerBlockedOnTheInodeLock() throws Exception {
        tck().requires(FsFeature.FALLOCATE);
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        CountDownLatch deferredReady = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean submittingAgain = new AtomicBoolean();
        env.tap().holdNext(1);
        Background<List<Cqe>> ringA = tck().spawn("ring A", () -> {
            IoRing ring = IoRing.create(8, CompletionMode.CALLER);
            try {
                submitWrites(env, ring, 0, 1);
                env.tap().releaseAll();
                env.awaitDeviceCompletions(1);
                deferredReady.countDown();
                // Now A holds a deferred completion on the inode and does not reap it.
                if (!go.await(TckSession.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the test never let ring A go on");
                }
                submittingAgain.set(true);
                // Blocks on the inode lock, which B holds exclusively while it drains.
                submitWrites(env, ring, 2, 1);
                return DioAssertions.reap(ring, 2);
            } finally {
                ring.close();
            }
        });
        assertThat(deferredReady.await(TckSession.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .as("ring A's first write completed by the device").isTrue();

        // Another issuer's write, kept in flight, so that B's drain has device I/O to wait for.
        env.tap().holdNext(1);
        IssuedIo other = env.write(writePos(1), 4096, CompletionMode.WORKQUEUE.iocbFlag());
        assertThat(other.queued()).isTrue();
        Background<Integer> drainerB = tck().spawn("drainer B",
                () -> env.inode().fallocate(Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE, DRAIN_RANGE, 4096));
        // B holds the lock and drains: it must run A's deferred completion itself, since A will not.
        Waits.await("drainer B to run ring A's deferred completion")
                .until(() -> env.inode().dio().inFlight() == 1);

        go.countDown();
        Waits.await("ring A to block on the inode lock B holds")
                .until(() -> submittingAgain.get() && ringA.isBlocked());
        assertThat(drainerB.isDone()).as("B still draining (the other write is in flight)").isFalse();

        env.tap().releaseAll();
        assertThat(drainerB.await()).as("fallocate result").isZero();
        assertCqesOfWrites(ringA.await(), 0L, 2L);
        assertThat(other.awaitResult()).isEqualTo(4096);
        assertEndIoRanOnceEach(env, 3, null);
        if (env.has(FsFeature.WRITE_END_IO)) {
            assertThat(env.calls().endIoCalls()).as("ring A's first write completed by drainer B")
                    .filteredOn(c -> c.iocbPosition() == writePos(0))
                    .singleElement().extracting(EndIoCall::thread).isEqualTo(drainerB.thread().getName());
        }
        assertThat(env.inode().dio().inFlight()).isZero();
        assertWritesReadBack(env, 0, 3);
    }

    @Test
    default void tv30c_unmountWithUnreapedDeferredCompletionsFinishesAndTheRingPostsThemLater() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        CountDownLatch deferredReady = new CountDownLatch(1);
        CountDownLatch reap = new CountDownLatch(1);
        env.tap().holdNext(WRITES);
        Background<List<Cqe>> owner = tck().spawn("ring owner", () -> {
            IoRing ring = IoRing.create(2 * WRITES, CompletionMode.CALLER);
            try {
                submitWrites(env, ring, 0, WRITES);
                env.tap().releaseAll();
                env.awaitDeviceCompletions(WRITES);
                deferredReady.countDown();
                if (!reap.await(TckSession.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the test never let the ring owner reap");
                }
                return DioAssertions.reap(ring, WRITES);
            } finally {
                ring.close();
            }
        });
        assertThat(deferredReady.await(TckSession.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(env.inode().dio().inFlight()).as("deferred, unreaped").isEqualTo(WRITES);

        Background<Void> unmount = tck().spawn("unmount", () -> {
            env.mount().close();
            return null;
        });
        unmount.await();
        assertThat(env.inode().dio().inFlight()).as("drained by the unmount").isZero();
        assertEndIoRanOnceEach(env, WRITES, unmount.thread().getName());

        reap.countDown();
        assertCqesOfWrites(owner.await(), 0, WRITES);
        assertEndIoRanOnceEach(env, WRITES, unmount.thread().getName());
    }

    @Test
    default void tv30c_ioThroughAFileKeptOpenAcrossUnmountEndsInsteadOfHanging() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        tck().spawn("unmount", () -> {
            env.mount().close();
            return null;
        }).await();
        // The file handle outlives the mount. Whatever the engine does with a request on it now (refuse it, or
        // do it), the request must end: a completion handed to a workqueue that no longer runs never would.
        env.tap().holdNext(2);
        IssuedIo w = env.write(POS, 4096, CompletionMode.WORKQUEUE.iocbFlag());
        IssuedIo r = env.read(POS, 4096, 0);
        env.tap().releaseAll();
        // Nothing here waits for more than one bio, so a short bound keeps a failing run short.
        Waits.await("the write and the read on the unmounted filesystem to end").atMost(Duration.ofSeconds(3))
                .until(() -> (!w.queued() || w.log().count() > 0) && (!r.queued() || r.log().count() > 0));
        assertThat(env.inode().dio().inFlight()).as("direct I/O left in flight").isZero();
    }

    @Test
    default void tv30c_deviceClosedWithIoInFlightInsideItFailsThatIoInsteadOfHanging() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().anyWriteCache().withCompletion(DeviceCompletion.HELD),
                DEFAULT_LAYOUT);
        CountDownLatch closed = new CountDownLatch(1);
        Background<List<Cqe>> owner = tck().spawn("ring owner", () -> {
            IoRing ring = IoRing.create(2 * WRITES, CompletionMode.CALLER);
            try {
                submitWrites(env, ring, 0, WRITES);
                if (!closed.await(TckSession.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the test never closed the device");
                }
                return DioAssertions.reap(ring, WRITES);
            } finally {
                ring.close();
            }
        });
        Waits.await("every write held inside the device")
                .until(() -> env.holdingDevice().heldCount() == WRITES);
        Background<Void> close = tck().spawn("device close", () -> {
            env.device().close();
            return null;
        });
        close.await();
        closed.countDown();

        List<Cqe> cqes = owner.await();
        assertThat(cqes).as("one CQE per write").extracting(Cqe::userData)
                .containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
        assertThat(cqes).as("every write in flight at close failed").allSatisfy(c ->
                assertThat(c.result()).as("result of write " + c.userData()).isNegative());
        assertThat(env.inode().dio().inFlight()).isZero();
    }

    @Test
    default void tv30c_deviceClosedUnderLoadEndsEveryRequestWithoutHanging() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        int queued = WRITES;
        int total = 2 * WRITES;
        CountDownLatch submitted = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // The first writes stay queued in the block layer (the tap), the rest reach the device.
        env.tap().holdNext(queued);
        Background<List<Cqe>> owner = tck().spawn("ring owner", () -> {
            IoRing ring = IoRing.create(2 * total, CompletionMode.CALLER);
            try {
                submitWrites(env, ring, 0, total);
                submitted.countDown();
                if (!closed.await(TckSession.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the test never closed the device");
                }
                return DioAssertions.reap(ring, total);
            } finally {
                ring.close();
            }
        });
        assertThat(submitted.await(TckSession.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        // Closing hands the queued bios to the closed device, which must fail them.
        Background<Void> close = tck().spawn("device close", () -> {
            env.tap().close();
            return null;
        });
        close.await();
        closed.countDown();

        List<Cqe> cqes = owner.await();
        assertThat(cqes).extracting(Cqe::userData).as("one CQE per write")
                .containsExactlyInAnyOrderElementsOf(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L));
        assertThat(cqes).as("each write either completed or failed").allSatisfy(c ->
                assertThat(c.result() == 4096 || c.result() < 0).as("result " + c.result()).isTrue());
        assertThat(cqes).filteredOn(c -> c.userData() < queued).as("writes still queued at close")
                .allSatisfy(c -> assertThat(c.result()).as("result of write " + c.userData()).isNegative());
        assertThat(env.inode().dio().inFlight()).isZero();
    }

    @Test
    default void tv30_drainsRacingARingOwnerRunEveryDeferredCompletionExactlyOnce() throws Exception {
        tck().requires(FsFeature.FALLOCATE);
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        int total = 2000;
        int depth = 16;
        AtomicBoolean ownerDone = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger drains = new java.util.concurrent.atomic.AtomicInteger();
        Background<int[]> owner = tck().spawn("ring owner", () -> {
            IoRing ring = IoRing.create(depth, CompletionMode.CALLER);
            try {
                MemorySegment buf = ring.allocateBuffer(4096L * depth, 4096);
                Patterns.fill(buf, 0, 4096L * depth, POS);
                int[] counts = new int[3]; // submitted, reaped, wrong results
                BitSet seen = new BitSet(total);
                while (counts[1] < total) {
                    while (counts[0] < total && ring.inFlight() + ring.sqReady() < depth) {
                        int slot = counts[0] % depth;
                        ring.prepWrite(env.file(), buf, 4096L * slot, 4096, writePos(slot), 0, counts[0]);
                        counts[0]++;
                    }
                    ring.submit();
                    if (counts[0] == total && drains.get() == 0) {
                        // A fast owner could finish before the drainer's first fallocate: keep the last batch in
                        // flight until one drain has raced it, so the race this test is about always happens.
                        Waits.await("a drain racing the owner's last writes").until(() -> drains.get() > 0);
                    }
                    ring.waitCompletions(1);
                    ring.reap((userData, result) -> {
                        counts[1]++;
                        if (result != 4096 || seen.get((int) userData)) {
                            counts[2]++;
                        }
                        seen.set((int) userData);
                    });
                }
                return counts;
            } finally {
                ownerDone.set(true);
                ring.close();
            }
        });
        Background<Integer> drainer = tck().spawn("drainer", () -> {
            while (!ownerDone.get()) {
                int r = env.inode().fallocate(Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE, DRAIN_RANGE, 4096);
                if (r != 0) {
                    throw new AssertionError("fallocate returned " + r);
                }
                drains.incrementAndGet();
            }
            return drains.get();
        });
        int[] counts = owner.await();
        assertThat(drainer.await()).as("drains that raced the owner").isPositive();
        assertThat(counts[0]).as("writes submitted").isEqualTo(total);
        assertThat(counts[1]).as("CQEs reaped").isEqualTo(total);
        assertThat(counts[2]).as("CQEs with a wrong result or posted twice").isZero();
        if (env.has(FsFeature.WRITE_END_IO)) {
            assertThat(env.calls().endIoCount()).as("end_io calls: exactly one per write").isEqualTo(total);
        }
        assertThat(env.counters().completions()).as("completions: exactly one per write").isEqualTo(total);
        assertThat(env.inode().dio().inFlight()).isZero();
    }

    /** Where write {@code i} of these tests goes: 4 KiB apart from {@link #POS}. */
    private static long writePos(int i) {
        return POS + 4096L * i;
    }

    /** Prepares and submits {@code count} 4 KiB writes numbered {@code first...}, user data = number. */
    private static int submitWrites(TckEnv env, IoRing ring, int first, int count) {
        MemorySegment buf = ring.allocateBuffer(4096L * count, 4096);
        for (int i = 0; i < count; i++) {
            int n = first + i;
            Patterns.fill(buf, 4096L * i, 4096, writePos(n));
            if (!ring.prepWrite(env.file(), buf, 4096L * i, 4096, writePos(n), 0, n)) {
                throw new AssertionError("ring full");
            }
        }
        return ring.submit();
    }

    private static void assertCqesOfWrites(List<Cqe> cqes, int first, int count) {
        long[] expected = new long[count];
        for (int i = 0; i < count; i++) {
            expected[i] = first + i;
        }
        assertCqesOfWrites(cqes, expected);
    }

    private static void assertCqesOfWrites(List<Cqe> cqes, long... userData) {
        assertThat(cqes).as("CQEs: each write exactly once, with its byte count")
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(userData).mapToObj(u -> new Cqe(u, 4096)).toList());
    }

    /** end_io ran exactly {@code count} times, on {@code thread} if given, if the filesystem has one. */
    private static void assertEndIoRanOnceEach(TckEnv env, int count, String thread) {
        if (!env.has(FsFeature.WRITE_END_IO)) {
            assertThat(env.calls().endIoCalls()).isEmpty();
            return;
        }
        List<EndIoCall> calls = env.calls().endIoCalls();
        assertThat(calls).as("end_io calls: once per write").hasSize(count);
        assertThat(calls).extracting(EndIoCall::iocbPosition).doesNotHaveDuplicates();
        if (thread != null) {
            assertThat(calls).extracting(EndIoCall::thread).as("run by the drainer").containsOnly(thread);
        }
    }

    private static void assertWritesReadBack(TckEnv env, int first, int count) throws Exception {
        for (int n = first; n < first + count; n++) {
            assertThat(env.pread(writePos(n), 4096)).as("data of write " + n)
                    .isEqualTo(Patterns.bytes(writePos(n), 4096));
        }
    }
}
