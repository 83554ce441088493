package io.jiomap.tck;

import static io.jiomap.tck.DioAssertions.assertCompletedIn;
import static io.jiomap.tck.DioAssertions.assertEndIoOnce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.trace.CompletionContext;
import io.jiomap.tck.observe.BioRecord;
import io.jiomap.tck.observe.IomapCall;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Failures and refusals: NOWAIT, OVERWRITE_ONLY, bio errors, partial results, buffered fallback and failing
 * filesystem callbacks (docs/dio-contract.md, "TV27", "TV28", "TV31", "TV32",
 * "TV33", "Row 13").
 */
public interface ErrorContract extends ContractBase {
    int CALLER = CompletionMode.CALLER.iocbFlag();

    @Test
    default void tv27_nowaitWriteNeedingAllocationFailsWithEagainBeforeAnyBio() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.HOLE));
        IssuedIo w = env.write(POS, 4096, CALLER | Iocb.NOWAIT);
        assertThat(w.submitResult()).as("submit result").isEqualTo(-Errno.EAGAIN);
        assertThat(w.log().count()).as("ki_complete calls").isZero();
        assertThat(env.bios()).as("bios").isEmpty();
        assertThat(env.inode().dio().inFlight()).isZero();
        if (tck().has(FsFeature.NOWAIT_REFUSED_BEFORE_MAPPING)) {
            assertThat(env.calls().begins()).as("refused by the write checks, before any mapping").isEmpty();
        } else {
            assertThat(env.calls().begins()).as("iomap_begin refused the NOWAIT allocation").singleElement()
                    .satisfies(b -> {
                        assertThat(b.hasIomapFlag(IomapOps.NOWAIT)).as("NOWAIT passed down").isTrue();
                        assertThat(b.result()).isEqualTo(-Errno.EAGAIN);
                    });
        }

        // Without NOWAIT (io_uring's retry from a worker) the same write allocates and succeeds.
        IssuedIo retry = env.write(POS, 4096, CALLER);
        assertThat(retry.awaitResult()).isEqualTo(4096);
        assertThat(env.calls().begins().getLast().hasMapFlag(Iomap.F_NEW)).as("allocated: NEW").isTrue();
        assertThat(env.pread(POS, 4096)).isEqualTo(Patterns.bytes(POS, 4096));
    }

    @Test
    default void tv28_overwriteOnlyPastEndOfFileFailsWithEagainBeforeAnyMapping() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.withWriteDioFlags(DirectIoEngine.OVERWRITE_ONLY));
        long size = env.file().size();
        IssuedIo w = env.write(size - 4096, 8192, CALLER);
        assertThat(w.submitResult()).as("submit result").isEqualTo(-Errno.EAGAIN);
        assertThat(env.calls().begins()).as("mapping calls").isEmpty();
        assertThat(env.bios()).as("bios").isEmpty();
        assertThat(env.inode().dio().inFlight()).isZero();

        IssuedIo inside = env.write(POS, 4096, CALLER);
        assertThat(inside.awaitResult()).as("a pure overwrite inside EOF still works").isEqualTo(4096);
        assertThat(env.calls().begins()).singleElement()
                .satisfies(b -> assertThat(b.hasIomapFlag(IomapOps.OVERWRITE_ONLY)).as("OVERWRITE_ONLY").isTrue());
    }

    @Test
    default void tv31_aFailedSecondBioFailsTheWriteWithEioAndLeavesThePosition() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().anyWriteCache().withMaxTransfer(4096), DEFAULT_LAYOUT);
        env.tap().holdNext(2);
        IssuedIo w = env.write(POS, 8192, CALLER);
        assertThat(w.queued()).isTrue();
        assertThat(env.bios()).as("split at the max transfer").extracting(BioRecord::length)
                .containsExactly(4096, 4096);

        env.tap().release(0);
        env.tap().fail(0, Errno.EIO);
        assertThat(w.awaitResult()).as("result").isEqualTo(-Errno.EIO);
        assertThat(w.iocb().position()).as("ki_pos").isEqualTo(POS);
        assertThat(env.inode().dio().inFlight()).as("i_dio_count dropped").isZero();
        assertEndIoOnce(env, 8192, Errno.EIO, 0, POS);
    }

    @Test
    default void tv31_theFirstBioErrorWinsOverLaterOnes() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().anyWriteCache().withMaxTransfer(4096), DEFAULT_LAYOUT);
        env.tap().holdNext(2);
        IssuedIo w = env.write(POS, 8192, CompletionMode.WORKQUEUE.iocbFlag());
        assertThat(w.queued()).isTrue();

        env.tap().fail(1, Errno.EIO);
        env.tap().fail(0, Errno.ENOSPC);
        assertThat(w.awaitResult()).as("the first error to arrive").isEqualTo(-Errno.EIO);
        assertThat(w.iocb().position()).isEqualTo(POS);
        assertEndIoOnce(env, 8192, Errno.EIO, 0, POS);
    }

    @Test
    default void failedReadBioFailsTheReadWithEioAndLeavesThePosition() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo r = env.read(POS, 4096, 0);
        assertThat(r.queued()).isTrue();
        env.tap().fail(0, Errno.EIO);
        assertThat(r.awaitResult()).isEqualTo(-Errno.EIO);
        assertThat(r.iocb().position()).isEqualTo(POS);
        assertThat(env.inode().dio().inFlight()).isZero();
    }

    @Test
    default void tv32_doneBeforeIsAddedToTheResultButNotToThePosition() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.withDoneBefore(8192));
        IssuedIo w = env.write(POS, 4096, CALLER);
        assertThat(w.awaitResult()).isEqualTo(8192 + 4096);
        assertThat(w.iocb().position()).isEqualTo(POS + 4096);
    }

    @Test
    default void tv33_fallbackToBufferedAfterOneMappingWaitsAndReturnsThePartialCount() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT
                .with(POS, 4096, FileLayout.Shape.MAPPED)
                .with(POS + 4096, 4096, FileLayout.Shape.BUFFERED_FALLBACK));
        env.tap().holdNext(1);
        Background<IssuedIo> submit = tck().spawn("write falling back", () -> env.write(POS, 8192, CALLER));
        Waits.await("the first mapping's bio").until(() -> env.tap().heldCount() == 1);
        // Released only once the submitter waits: a bio ending before the submission reference goes would make the
        // submitter complete the dio itself, which is the SUBMITTER row, not this vector.
        Waits.await("the submitter to wait for the submitted part")
                .until(() -> submit.isParkedIn("io.jiomap.core.dio.DirectIo", "rw"));
        assertThat(submit.isDone()).as("returned while the submitted part is in flight").isFalse();

        env.tap().releaseAll();
        IssuedIo w = submit.await();
        assertThat(w.submitResult()).as("the partial count, for the caller to finish buffered").isEqualTo(4096);
        assertThat(w.log().count()).as("ki_complete calls").isZero();
        List<IomapCall> begins = env.calls().begins();
        assertThat(begins).extracting(IomapCall::result).containsExactly(0, -Errno.ENOTBLK);
        assertCompletedIn(env, CompletionContext.WAITER);
        assertThat(w.iocb().position()).isEqualTo(POS + 4096);
    }

    @Test
    default void row13_nowaitWriteWhileTheInodeLockIsTakenFailsWithEagain() throws Exception {
        tck().requires(FsFeature.NOWAIT_LOCKING, FsFeature.FALLOCATE);
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo inFlight = env.write(POS, 4096, CompletionMode.WORKQUEUE.iocbFlag());
        assertThat(inFlight.queued()).isTrue();
        Background<Integer> drainer = tck().spawn("fallocate",
                () -> env.inode().fallocate(Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE, DRAIN_RANGE, 4096));
        Waits.await("fallocate to hold the inode lock and wait for the drain").until(drainer::isBlocked);

        Background<long[]> nowait = tck().spawn("NOWAIT I/O", () -> new long[] {
                env.write(POS + 8192, 4096, CALLER | Iocb.NOWAIT).submitResult(),
                env.read(POS + 8192, 4096, Iocb.NOWAIT).submitResult()});
        assertThat(nowait.await()).as("NOWAIT write and read results").containsExactly(-Errno.EAGAIN, -Errno.EAGAIN);
        assertThat(env.bios()).as("bios: only the one in flight").hasSize(1);
        assertThat(drainer.isDone()).as("fallocate still draining").isFalse();

        env.tap().releaseAll();
        assertThat(drainer.await()).isZero();
        assertThat(inFlight.awaitResult()).isEqualTo(4096);
    }

    /**
     * Half over written blocks, half over a hole: the whole write fails with EAGAIN and the position stays. Where
     * iomap_begin refuses, the first mapping's bio was already submitted and the refusal waits for it; where the
     * write checks refuse, nothing was mapped.
     */
    @Test
    default void row13_nowaitWritePartlyNeedingAllocationFailsWholeWithEagain() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS + 4096, 4096, FileLayout.Shape.HOLE));
        if (tck().has(FsFeature.NOWAIT_REFUSED_BEFORE_MAPPING)) {
            IssuedIo w = env.write(POS, 8192, CALLER | Iocb.NOWAIT);
            assertThat(w.submitResult()).as("submit result").isEqualTo(-Errno.EAGAIN);
            assertThat(env.calls().begins()).as("mappings").isEmpty();
            assertThat(env.bios()).as("bios").isEmpty();
            assertThat(w.iocb().position()).isEqualTo(POS);
        } else {
            env.tap().holdNext(1);
            IssuedIo w = env.write(POS, 8192, CALLER | Iocb.NOWAIT);
            assertThat(w.queued()).as("the first mapping's bio is in flight").isTrue();
            assertThat(env.calls().begins()).extracting(IomapCall::result).containsExactly(0, -Errno.EAGAIN);

            env.tap().releaseAll();
            assertThat(w.awaitResult()).isEqualTo(-Errno.EAGAIN);
            assertThat(w.iocb().position()).isEqualTo(POS);
        }
        assertThat(env.inode().dio().inFlight()).isZero();
    }

    @Test
    default void directIoOnADelallocReservationFailsWithEio() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.DELALLOC));
        assertThatThrownBy(() -> env.pwrite(POS, 4096)).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
        assertThatThrownBy(() -> env.pread(POS, 4096)).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
        assertThat(env.bios()).as("bios").isEmpty();
        assertThat(env.inode().dio().inFlight()).isZero();
    }

    @Test
    default void failedEndIoFailsTheWriteAndLeavesThePosition() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.failingEndIo(Errno.ENOSPC));
        IssuedIo w = env.write(POS, 4096, CALLER);
        assertThat(w.awaitResult()).isEqualTo(-Errno.ENOSPC);
        assertThat(w.iocb().position()).isEqualTo(POS);
        assertThat(env.inode().dio().inFlight()).isZero();
    }
}
