package io.jiomap.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.core.trace.CompletionContext;
import io.jiomap.tck.observe.CompletionLog.KiComplete;

/**
 * A direct write whose bios the tap holds, started the way the filesystem under test completes it: queued (the submit
 * returns -EIOCBQUEUED and ki_complete reports later, from the workqueue) on most filesystems; still inside its
 * submitter, which waits for the bios and completes the write itself, on a filesystem with
 * {@link FsFeature#WAITS_FOR_EXTENDING_AND_UNALIGNED_WRITES}. For writes that filesystem makes wait: extending ones
 * and unaligned ones that are not overwrites of written blocks.
 */
public final class HeldWrite {
    private final IssuedIo queued;
    private final Background<IssuedIo> waiting;
    private IssuedIo done;

    private HeldWrite(IssuedIo queued, Background<IssuedIo> waiting) {
        this.queued = queued;
        this.waiting = waiting;
    }

    /**
     * Holds the write's {@code bios} bios and starts it; returns once they are all held (and, where the submitter
     * waits, once it waits for them, so that their release leaves the completion to the waiter).
     */
    public static HeldWrite start(TckSession tck, TckEnv env, long pos, int length, int flags, int bios) {
        env.tap().holdNext(bios);
        if (!tck.has(FsFeature.WAITS_FOR_EXTENDING_AND_UNALIGNED_WRITES)) {
            IssuedIo w = env.write(pos, length, flags);
            assertThat(w.queued()).as("the submit returned -EIOCBQUEUED while its bios are in flight").isTrue();
            return new HeldWrite(w, null);
        }
        Background<IssuedIo> submit = tck.spawn("write the submitter waits for", () -> env.write(pos, length, flags));
        Waits.await(bios + " held bios").until(() -> env.tap().heldCount() == bios);
        Waits.await("the submitter waiting for its bios")
                .until(() -> submit.isParkedIn("io.jiomap.core.dio.DirectIo", "rw"));
        assertThat(submit.isDone()).as("the submitter returned while its bios are in flight").isFalse();
        return new HeldWrite(null, submit);
    }

    /** Where the write completes: the waiter where the submitter waits, else the workqueue (never the caller). */
    public CompletionContext completionContext() {
        return waiting != null ? CompletionContext.WAITER : CompletionContext.WORKQUEUE;
    }

    /**
     * Once the test released the bios: the write's result, from its submitter where it waited (with no ki_complete
     * call), else from ki_complete (with no completion deferred to the caller).
     */
    public long result() {
        if (waiting != null) {
            done = waiting.await();
            assertThat(done.log().count()).as("ki_complete calls of a write its submitter waited for").isZero();
            return done.submitResult();
        }
        done = queued;
        KiComplete kc = queued.awaitKiComplete();
        assertThat(kc.deferred()).as("a completion deferred to the caller").isNull();
        return kc.result();
    }

    /** The write, once {@link #result()} returned. */
    public IssuedIo io() {
        if (done == null) {
            throw new IllegalStateException("the write's result was not awaited yet: call result() first");
        }
        return done;
    }
}
