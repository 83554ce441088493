package io.jiomap.tck;

import static io.jiomap.tck.DioAssertions.assertCompletedIn;
import static io.jiomap.tck.DioAssertions.assertDurable;
import static io.jiomap.tck.DioAssertions.theSubmission;
import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.ring.IoRing;
import io.jiomap.core.trace.CompletionContext;
import io.jiomap.core.trace.DioFlags;
import io.jiomap.tck.observe.CompletionLog.KiComplete;
import org.junit.jupiter.api.Test;

/**
 * The Linux 6.19 completion mode ({@link CompletionMode#IRQ_OVERWRITE}): a pure overwrite completes in the
 * device's completion context; anything that may need work (unwritten conversion, allocation, copy-on-write, a size
 * update, an O_DSYNC sync FUA cannot cover, an error) goes to the workqueue (docs/dio-contract.md,
 * "B4 later kernels").
 */
public interface IrqOverwriteContract extends ContractBase {
    int IRQ = CompletionMode.IRQ_OVERWRITE.iocbFlag();

    @Test
    default void inlineMode_pureOverwriteCompletesInTheDeviceCompletionContext() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, IRQ);
        assertThat(w.queued()).isTrue();
        assertThat(theSubmission(env).has(DioFlags.IRQ_COMP)).as("IRQ_COMP").isTrue();
        env.tap().releaseAll();

        KiComplete kc = w.awaitKiComplete();
        env.awaitDeviceCompletions(1);
        assertThat(kc.result()).isEqualTo(4096);
        assertThat(kc.deferred()).isNull();
        assertThat(kc.thread()).as("ki_complete inside the device's completion").isEqualTo(env.completionThreadOf(0));
        assertCompletedIn(env, CompletionContext.IRQ);
    }

    @Test
    default void inlineMode_ringPostsAPureOverwriteCompletedByTheDevice() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        IoRing ring = env.ring(CompletionMode.IRQ_OVERWRITE);
        env.tap().holdNext(1);
        ring.prepWrite(env.file(), env.patterned(4096, POS), 0, 4096, POS, 0, 5);
        assertThat(ring.submit()).isEqualTo(1);
        env.tap().releaseAll();
        assertThat(DioAssertions.reap(ring, 1)).containsExactly(new Cqe(5, 4096));
        assertCompletedIn(env, CompletionContext.IRQ);
        assertThat(env.pread(POS, 4096)).isEqualTo(Patterns.bytes(POS, 4096));
    }

    @Test
    default void inlineMode_unwrittenWriteGoesToTheWorkqueue() throws Exception {
        goesToTheWorkqueue(tck().start(DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.UNWRITTEN)), POS, 0);
    }

    @Test
    default void inlineMode_writeIntoAHoleGoesToTheWorkqueue() throws Exception {
        goesToTheWorkqueue(tck().start(DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.HOLE)), POS, 0);
    }

    @Test
    default void inlineMode_sharedWriteGoesToTheWorkqueue() throws Exception {
        goesToTheWorkqueue(tck().start(DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.SHARED)), POS, 0);
    }

    /** Off the device's completion context: to the workqueue, or to the waiter where extending writes wait. */
    @Test
    default void inlineMode_extendingWriteIsNotCompletedInline() throws Exception {
        tck().requires(FsFeature.EXTENDING_WRITES);
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        long size = env.file().size();
        long pos = size - size % 4096;
        HeldWrite w = HeldWrite.start(tck(), env, pos, 4096, IRQ, 1);
        env.tap().releaseAll();
        assertThat(w.result()).isEqualTo(4096);
        assertThat(theSubmission(env).has(DioFlags.IRQ_COMP)).as("IRQ_COMP").isFalse();
        assertCompletedIn(env, w.completionContext());
        assertThat(env.file().size()).isGreaterThan(size);
        assertThat(env.pread(pos, 4096)).isEqualTo(Patterns.bytes(pos, 4096));
    }

    @Test
    default void inlineMode_dsyncWithoutFuaGoesToTheWorkqueue() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, false), DEFAULT_LAYOUT);
        goesToTheWorkqueue(env, POS, Iocb.DSYNC);
        assertThat(env.flushes()).as("the sync's flush").isNotEmpty();
        assertDurable(env, POS, 4096);
    }

    @Test
    default void inlineMode_dsyncCoveredByFuaStaysInline() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, true), DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, IRQ | Iocb.DSYNC);
        assertThat(w.queued()).isTrue();
        assertThat(env.bios()).singleElement().satisfies(b -> assertThat(b.fua()).as("FUA").isTrue());
        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().result()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.IRQ);
        assertThat(env.flushes()).isEmpty();
        assertDurable(env, POS, 4096);
    }

    @Test
    default void inlineMode_failedWriteGoesToTheWorkqueue() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, IRQ);
        assertThat(w.queued()).isTrue();
        env.tap().fail(0, Errno.EIO);
        assertThat(w.awaitKiComplete().result()).isEqualTo(-Errno.EIO);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertThat(w.iocb().position()).isEqualTo(POS);
    }

    /** A 4 KiB write in inline mode at {@code pos} is queued, loses IRQ_COMP and completes on the workqueue. */
    private static void goesToTheWorkqueue(TckEnv env, long pos, int extraFlags) throws Exception {
        env.tap().holdNext(16);
        IssuedIo w = env.write(pos, 4096, IRQ | extraFlags);
        assertThat(w.queued()).isTrue();
        assertThat(theSubmission(env).has(DioFlags.IRQ_COMP)).as("IRQ_COMP").isFalse();
        env.tap().releaseAll();
        KiComplete kc = w.awaitKiComplete();
        assertThat(kc.deferred()).isNull();
        assertThat(kc.result()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertThat(env.pread(pos, 4096)).isEqualTo(Patterns.bytes(pos, 4096));
    }
}
