package io.jiomap.tck;

import static io.jiomap.tck.DioAssertions.assertCompletedIn;
import static io.jiomap.tck.DioAssertions.assertDurable;
import static io.jiomap.tck.DioAssertions.assertEndIoOnce;
import static io.jiomap.tck.DioAssertions.theSubmission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.vfs.DeferredCompletion;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.ring.IoRing;
import io.jiomap.core.trace.CompletionContext;
import io.jiomap.core.trace.DioFlags;
import io.jiomap.tck.observe.BioRecord;
import io.jiomap.tck.observe.CompletionLog.KiComplete;
import io.jiomap.tck.observe.EndIoCall;
import io.jiomap.tck.observe.IomapCall;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where asynchronous direct-write completions run and what they do, without O_DSYNC: docs/dio-contract.md,
 * "TV1", "TV2", "TV3", "TV4", "TV10", "TV11", "TV12", "TV13", "TV14", "TV15", "TV16", "TV18", "TV25", "Row 1", "Row
 * 2", "Row 3", "Row 4", "Row 5", "Row 9", "Row 10", "Row 12", "Row 14". The device holds each bio (through the tap)
 * until the test releases it, so "the bio is still in flight" never depends on timing. Writes that a filesystem with
 * {@link FsFeature#WAITS_FOR_EXTENDING_AND_UNALIGNED_WRITES} makes synchronous are started as a {@link HeldWrite}:
 * they complete in the waiter there, on the workqueue elsewhere.
 */
public interface WriteCompletionContract extends ContractBase {
    int CALLER = CompletionMode.CALLER.iocbFlag();

    @Test
    default void tv01_pureOverwriteIsCompletedByTheCaller() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER);

        assertThat(w.submitResult()).as("submit while the bio is in flight").isEqualTo(-Errno.EIOCBQUEUED);
        long address = env.deviceAddressOf(POS);
        assertThat(env.bios()).as("bios").singleElement().satisfies(b -> {
            assertThat(b.isDataWrite()).as("a data write").isTrue();
            assertThat(b.address()).as("address").isEqualTo(address);
            assertThat(b.length()).as("length").isEqualTo(4096);
            assertThat(b.hasFlag(Bio.SYNC) && b.hasFlag(Bio.IDLE)).as("WRITE|SYNC|IDLE").isTrue();
            assertThat(b.fua()).as("FUA").isFalse();
        });
        env.tap().releaseAll();
        KiComplete kc = w.awaitKiComplete();
        assertThat(kc.result()).as("ki_complete result (meaningless: the completion is deferred)").isZero();
        assertThat(kc.deferred()).as("deferred completion handed back").isNotNull();
        assertThat(kc.inFlight()).as("i_dio_count at ki_complete").isEqualTo(1);

        // Nothing of the completion ran: only the issuer may run it, and it has not yet.
        assertThat(env.inode().dio().inFlight()).as("i_dio_count before dio_complete").isEqualTo(1);
        assertThat(w.iocb().position()).as("ki_pos before dio_complete").isEqualTo(POS);
        assertThat(env.calls().endIoCalls()).as("end_io before dio_complete").isEmpty();
        DeferredCompletion deferred = kc.deferred();
        assertThat(deferred.isPending()).as("pending, unclaimed").isTrue();

        assertThat(deferred.claim()).as("the issuer claims it").isTrue();
        assertThat(deferred.runClaimed()).as("dio_complete result").isEqualTo(4096);
        assertThat(w.iocb().position()).as("ki_pos after dio_complete").isEqualTo(POS + 4096);
        assertThat(env.inode().dio().inFlight()).as("i_dio_count after dio_complete").isZero();
        assertThat(w.log().count()).as("ki_complete calls").isEqualTo(1);
        EndIoCall endIo = assertEndIoOnce(env, 4096, 0, 0, POS);
        if (endIo != null) {
            assertThat(endIo.thread()).as("end_io runs in the issuer").isEqualTo(Thread.currentThread().getName());
        }
        assertCompletedIn(env, CompletionContext.CALLER);
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP kept").isTrue();
        DioCounters c = env.counters();
        assertThat(c.fuaWrites()).as("FUA writes").isZero();
        assertThat(c.flushes()).as("flushes").isZero();
        assertThat(c.zeroingBios()).as("zeroing bios").isZero();
        assertThat(env.pread(POS, 4096)).isEqualTo(Patterns.bytes(POS, 4096));
    }

    @Test
    default void tv01_ringRunsTheDeferredCompletionWhenItReapsAndPostsTheByteCount() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        IoRing ring = env.ring(CompletionMode.CALLER);
        MemorySegment buf = env.patterned(4096, POS);
        env.tap().holdNext(1);
        assertThat(ring.prepWrite(env.file(), buf, 0, 4096, POS, 0, 42)).isTrue();
        assertThat(ring.submit()).isEqualTo(1);
        assertThat(ring.inFlight()).as("requests in flight").isEqualTo(1);
        assertThat(ring.cqReady()).as("CQEs before the device completed").isZero();

        env.tap().releaseAll();
        env.awaitDeviceCompletions(1);
        assertThat(env.inode().dio().inFlight()).as("i_dio_count while the owner has not reaped").isEqualTo(1);
        assertThat(env.calls().endIoCalls()).as("end_io while the owner has not reaped").isEmpty();

        assertThat(DioAssertions.reap(ring, 1)).containsExactly(new Cqe(42, 4096));
        assertThat(env.inode().dio().inFlight()).isZero();
        EndIoCall endIo = assertEndIoOnce(env, 4096, 0, 0, POS);
        if (endIo != null) {
            assertThat(endIo.thread()).as("end_io runs in the ring owner").isEqualTo(Thread.currentThread().getName());
        }
        assertCompletedIn(env, CompletionContext.CALLER);
    }

    @Test
    default void tv02_withoutCallerCompletionTheWorkqueueCompletesWithTheByteCount() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CompletionMode.WORKQUEUE.iocbFlag());
        assertThat(w.submitResult()).isEqualTo(-Errno.EIOCBQUEUED);
        env.tap().releaseAll();

        KiComplete kc = w.awaitKiComplete();
        env.awaitDeviceCompletions(1);
        assertThat(kc.result()).as("ki_complete result").isEqualTo(4096);
        assertThat(kc.deferred()).as("deferred completion").isNull();
        assertThat(kc.position()).as("ki_pos at ki_complete").isEqualTo(POS + 4096);
        assertThat(kc.inFlight()).as("i_dio_count at ki_complete").isZero();
        assertThat(kc.thread()).as("ki_complete runs on a workqueue thread, not the device's nor the submitter's")
                .isNotEqualTo(env.completionThreadOf(0)).isNotEqualTo(Thread.currentThread().getName());
        assertThat(w.log().count()).isEqualTo(1);
        EndIoCall endIo = assertEndIoOnce(env, 4096, 0, 0, POS);
        if (endIo != null) {
            assertThat(endIo.thread()).as("end_io on the workqueue thread").isEqualTo(kc.thread());
        }
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
    }

    @Test
    default void tv03_syncWriteSleepsUntilItsBioCompletesAndReturnsTheByteCount() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        Background<Long> writer = tck().spawn("pwrite", () -> env.pwrite(POS, 4096));
        Waits.await("the pwrite's bio").until(() -> env.tap().heldCount() == 1);
        // Released only once the submitter waits, or the submitter would complete the dio itself
        // (docs/dio-contract.md, "TV4").
        Waits.await("the pwrite waiting for its bio")
                .until(() -> writer.isParkedIn("io.jiomap.core.dio.DirectIo", "rw"));
        assertThat(writer.isDone()).as("pwrite returned while its bio is in flight").isFalse();

        env.tap().releaseAll();
        assertThat(writer.await()).as("pwrite result").isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.WAITER);
        assertThat(theSubmission(env).result()).as("result at submission").isEqualTo(4096);
        EndIoCall endIo = assertEndIoOnce(env, 4096, 0, 0, POS);
        if (endIo != null) {
            assertThat(endIo.thread()).as("end_io runs in the woken submitter").isEqualTo(writer.thread().getName());
        }
    }

    @Test
    default void tv04_deviceCompletingInlineMakesSubmitReturnTheByteCount() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().anyWriteCache().withCompletion(DeviceCompletion.SUBMITTER),
                DEFAULT_LAYOUT);
        IssuedIo w = env.write(POS, 4096, CALLER);

        assertThat(w.submitResult()).as("submit result").isEqualTo(4096);
        assertThat(w.log().count()).as("ki_complete calls").isZero();
        assertThat(w.iocb().position()).as("ki_pos").isEqualTo(POS + 4096);
        assertThat(env.inode().dio().inFlight()).isZero();
        assertCompletedIn(env, CompletionContext.SUBMITTER);
        assertEndIoOnce(env, 4096, 0, 0, POS);

        // An io_uring-like issuer posts the CQE at submission (kiocb_done): no completion comes later.
        IoRing ring = env.ring(CompletionMode.CALLER);
        ring.prepWrite(env.file(), env.patterned(4096, POS + 4096), 0, 4096, POS + 4096, 0, 7);
        assertThat(ring.submit()).isEqualTo(1);
        assertThat(ring.cqReady()).as("CQEs ready right after submit").isEqualTo(1);
        assertThat(DioAssertions.reap(ring, 1)).containsExactly(new Cqe(7, 4096));
    }

    @Test
    default void tv10_dirtyMappingWithoutDsyncKeepsCallerCompletionAndNoFua() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.MAPPED_DIRTY));
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER);
        assertThat(w.queued()).isTrue();
        assertThat(env.calls().begins()).as("mappings").singleElement()
                .satisfies(m -> assertThat(m.hasMapFlag(Iomap.F_DIRTY)).as("DIRTY").isTrue());
        assertThat(env.dataWrites()).singleElement().satisfies(b -> assertThat(b.fua()).as("FUA").isFalse());
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP kept").isTrue();

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().deferred()).as("deferred to the caller").isNotNull();
        assertThat(w.awaitResult()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.CALLER);
        assertThat(env.flushes()).as("flushes").isEmpty();
    }

    @Test
    default void tv11_unwrittenExtentGoesToTheWorkqueueWithTheUnwrittenFlag() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.UNWRITTEN));
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER | Iocb.HIPRI);
        assertThat(w.queued()).isTrue();
        assertThat(w.iocb().hasFlag(Iocb.HIPRI)).as("HIPRI after submission").isFalse();
        assertThat(env.calls().begins()).singleElement()
                .satisfies(m -> assertThat(m.type()).isEqualTo(IomapType.UNWRITTEN));
        assertThat(env.bios()).as("bios: one data write, no zeroing").singleElement()
                .satisfies(b -> assertThat(b.isDataWrite()).isTrue());
        assertThat(theSubmission(env).has(DioOps.UNWRITTEN)).as("UNWRITTEN").isTrue();
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isFalse();

        env.tap().releaseAll();
        KiComplete kc = w.awaitKiComplete();
        assertThat(kc.deferred()).isNull();
        assertThat(kc.result()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertEndIoOnce(env, 4096, 0, DioOps.UNWRITTEN, POS);
        assertThat(env.counters().zeroingBios()).isZero();
        assertThat(env.pread(POS, 4096)).as("converted: reads the data, not zeros")
                .isEqualTo(Patterns.bytes(POS, 4096));
    }

    @Test
    default void tv12_subBlockWriteIntoUnwrittenZeroesHeadAndTailAroundTheData() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS, 64 * KIB, FileLayout.Shape.UNWRITTEN));
        int bs = env.fsBlockSize();
        assumeTrue(bs > 1536 && bs > env.logicalBlockSize(), () -> "filesystem block " + bs
                + " is not larger than the test vector's 512 + 1024 byte write: no sub-block zeroing to see");
        long pos = POS + 512;
        HeldWrite w = HeldWrite.start(tck(), env, pos, 1024, CALLER, 3);
        long block = env.deviceAddressOf(POS);
        List<BioRecord> bios = env.bios();
        assertThat(bios).as("bios in submission order").hasSize(3);
        assertThat(bios.get(0)).satisfies(b -> {
            assertThat(b.isZeroWrite()).as("head zeroing").isTrue();
            assertThat(b.address()).isEqualTo(block);
            assertThat(b.length()).isEqualTo(512);
        });
        assertThat(bios.get(1)).satisfies(b -> {
            assertThat(b.isDataWrite()).as("data").isTrue();
            assertThat(b.address()).isEqualTo(block + 512);
            assertThat(b.length()).isEqualTo(1024);
        });
        assertThat(bios.get(2)).satisfies(b -> {
            assertThat(b.isZeroWrite()).as("tail zeroing").isTrue();
            assertThat(b.address()).isEqualTo(block + 1536);
            assertThat(b.length()).isEqualTo(bs - 1536);
        });
        assertThat(bios).as("FUA on any bio").noneMatch(BioRecord::fua);

        env.tap().releaseAll();
        assertThat(w.result()).isEqualTo(1024);
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isFalse();
        assertCompletedIn(env, w.completionContext());
        assertEndIoOnce(env, 1024, 0, DioOps.UNWRITTEN, pos);
        assertThat(env.counters().zeroingBios()).isEqualTo(2);
        assertThat(env.pread(POS, bs)).isEqualTo(zeroed(bs, 512, Patterns.bytes(pos, 1024)));
    }

    @Test
    default void tv13_subBlockOverwriteOfAMappedBlockIsOneBioAndKeepsCallerCompletion() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        long pos = POS + 512;
        env.tap().holdNext(1);
        IssuedIo w = env.write(pos, 1024, CALLER);
        assertThat(w.queued()).isTrue();
        assertThat(env.bios()).as("bios: the data only").singleElement().satisfies(b -> {
            assertThat(b.isDataWrite()).isTrue();
            assertThat(b.address()).isEqualTo(env.deviceAddressOf(pos));
            assertThat(b.length()).isEqualTo(1024);
        });
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP kept").isTrue();

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().deferred()).isNotNull();
        assertThat(w.awaitResult()).isEqualTo(1024);
        assertCompletedIn(env, CompletionContext.CALLER);
        assertThat(env.counters().zeroingBios()).isZero();
        assertThat(env.pread(pos, 1024)).isEqualTo(Patterns.bytes(pos, 1024));
    }

    @Test
    default void tv14_writeIntoAHoleZeroesTheSubBlockEdgesAndIsNotCallerCompleted() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS, 64 * KIB, FileLayout.Shape.HOLE));
        int bs = env.fsBlockSize();
        assumeTrue(bs > 1536 && bs > env.logicalBlockSize(), () -> "filesystem block " + bs
                + " is not larger than a 512 + 1024 byte write: no sub-block zeroing to see");
        long pos = POS + 512;
        HeldWrite w = HeldWrite.start(tck(), env, pos, 1024, CALLER, 3);
        assertThat(env.calls().begins()).as("mappings").singleElement().satisfies(m -> {
            assertThat(m.hasMapFlag(Iomap.F_NEW)).as("NEW").isTrue();
            assertThat(m.type()).isIn(IomapType.MAPPED, IomapType.UNWRITTEN);
        });
        long block = env.deviceAddressOf(POS);
        List<BioRecord> bios = env.bios();
        assertThat(bios).extracting(BioRecord::isZeroWrite).as("zero, data, zero").containsExactly(true, false, true);
        assertThat(bios).extracting(BioRecord::address).containsExactly(block, block + 512, block + 1536);
        assertThat(bios).extracting(BioRecord::length).containsExactly(512, 1024, bs - 1536);

        env.tap().releaseAll();
        assertThat(w.result()).isEqualTo(1024);
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isFalse();
        assertCompletedIn(env, w.completionContext());
        assertThat(env.pread(POS, bs)).isEqualTo(zeroed(bs, 512, Patterns.bytes(pos, 1024)));
    }

    @Test
    default void tv14_writeIntoAHoleIsNeverFuaEvenWithDsync() throws Exception {
        // On the default setup's FUA device, where not using FUA is a decision, and a flush must follow.
        TckEnv env = tck().start(DeviceSetup.defaults(), DEFAULT_LAYOUT.with(POS, 64 * KIB, FileLayout.Shape.HOLE));
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER | Iocb.DSYNC);
        assertThat(w.queued()).isTrue();
        assertThat(env.dataWrites()).singleElement().satisfies(b -> assertThat(b.fua()).as("FUA").isFalse());
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isFalse();
        assertThat(theSubmission(env).has(DioFlags.NEED_SYNC)).as("NEED_SYNC").isTrue();

        env.tap().releaseAll();
        assertThat(w.awaitResult()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertThat(env.flushes()).as("the sync's flush").isNotEmpty();
        assertDurable(env, POS, 4096);
    }

    @Test
    default void tv15_appendAtEndOfFileIsNotCallerCompletedAndEndIoRaisesTheSize() throws Exception {
        tck().requires(FsFeature.EXTENDING_WRITES);
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        long pos = env.file().size();
        assumeTrue(pos % 4096 == 0, () -> "file size " + pos + " is not 4 KiB aligned");
        HeldWrite w = HeldWrite.start(tck(), env, pos, 4096, CALLER, 1);
        assertThat(env.file().size()).as("i_size while the data is in flight").isEqualTo(pos);

        env.tap().releaseAll();
        assertThat(w.result()).isEqualTo(4096);
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP (pos >= i_size)").isFalse();
        assertCompletedIn(env, w.completionContext());
        assertThat(env.file().size()).as("i_size after completion").isEqualTo(pos + 4096);
        assertEndIoOnce(env, 4096, 0, endIoFlagsOf(env), pos);
        assertThat(env.pread(pos, 4096)).isEqualTo(Patterns.bytes(pos, 4096));
    }

    @Test
    default void tv16_mappedExtentRunningPastEofKeepsCallerCompletionAndEndIoExtends() throws Exception {
        FileLayout layout = FileLayout.mapped(MIB).exactSize().with(MIB - 4096, 8192, FileLayout.Shape.MAPPED_DIRTY);
        TckEnv env = tck().start(layout);
        long pos = MIB - 4096;
        env.tap().holdNext(1);
        IssuedIo w = env.write(pos, 8192, CALLER);
        assertThat(w.queued()).isTrue();
        assertThat(env.calls().begins()).as("one mapping across EOF").singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(IomapType.MAPPED);
            assertThat(m.hasMapFlag(Iomap.F_NEW)).as("NEW").isFalse();
            assertThat(m.hasMapFlag(Iomap.F_DIRTY)).as("DIRTY").isTrue();
        });
        assertThat(env.bios()).as("one data bio, no zeroing").singleElement().satisfies(b -> {
            assertThat(b.isDataWrite()).isTrue();
            assertThat(b.length()).isEqualTo(8192);
            assertThat(b.fua()).isFalse();
        });
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP))
                .as("CALLER_COMP kept: the mapping starts inside EOF (the 6.6 quirk)").isTrue();

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().deferred()).isNotNull();
        assertThat(w.awaitResult()).isEqualTo(8192);
        assertCompletedIn(env, CompletionContext.CALLER);
        assertThat(env.file().size()).as("i_size raised by end_io").isEqualTo(pos + 8192);
    }

    @Test
    default void tv18_sharedExtentPassesCowToEndIoAndKeepsCallerCompletion() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.SHARED));
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER);
        assertThat(w.queued()).isTrue();
        assertThat(env.calls().begins()).singleElement()
                .satisfies(m -> assertThat(m.hasMapFlag(Iomap.F_SHARED)).as("SHARED").isTrue());
        assertThat(env.dataWrites()).singleElement().satisfies(b -> assertThat(b.fua()).as("FUA").isFalse());
        assertThat(theSubmission(env).has(DioOps.COW)).as("COW").isTrue();
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP kept (6.6)").isTrue();

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().deferred()).isNotNull();
        assertThat(w.awaitResult()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.CALLER);
        assertEndIoOnce(env, 4096, 0, DioOps.COW, POS);
        assertThat(env.pread(POS, 4096)).isEqualTo(Patterns.bytes(POS, 4096));
    }

    @Test
    default void tv25_polledWriteWithoutCallerCompletionDropsHipriAndCompletesOnTheWorkqueue() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CompletionMode.WORKQUEUE.iocbFlag() | Iocb.HIPRI);
        assertThat(w.queued()).isTrue();
        assertThat(w.iocb().hasFlag(Iocb.HIPRI)).as("HIPRI after submission").isFalse();
        assertThat(env.bios()).singleElement().satisfies(b -> assertThat(b.hasFlag(Bio.POLLED)).isFalse());

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().result()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
    }

    @Test
    default void row12_ringNeverCombinesHipriWithCallerCompletion() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        // Polled requests exist only on an IOPOLL ring (io_rw_init_file); the ring asks for caller completion too.
        IoRing ring = env.ring(CompletionMode.CALLER, IoRing.SETUP_IOPOLL);
        env.tap().holdNext(1);
        ring.prepWrite(env.file(), env.patterned(4096, POS), 0, 4096, POS, 0, 1);
        assertThat(ring.submit()).isEqualTo(1);
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP on a polled write").isFalse();

        env.tap().releaseAll();
        assertThat(DioAssertions.reap(ring, 1)).containsExactly(new Cqe(1, 4096));
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
    }

    @Test
    default void row14_forceWaitMakesAnAsyncWriteCompleteInItsSubmitter() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.withWriteDioFlags(DirectIoEngine.FORCE_WAIT));
        env.tap().holdNext(1);
        Background<IssuedIo> submit = tck().spawn("forced-wait write", () -> env.write(POS, 4096, CALLER));
        Waits.await("the write's bio").until(() -> env.tap().heldCount() == 1);
        // Released before the submitter dropped its reference, the bio of a device that completes inside submit
        // would leave the last reference, and the completion, to the submitter instead of the waiter
        // (docs/dio-contract.md, "TV4").
        Waits.await("the submitter waiting for its bio")
                .until(() -> submit.isParkedIn("io.jiomap.core.dio.DirectIo", "rw"));
        assertThat(submit.isDone()).as("returned while its bio is in flight").isFalse();

        env.tap().releaseAll();
        IssuedIo w = submit.await();
        assertThat(w.submitResult()).as("result at submission").isEqualTo(4096);
        assertThat(w.log().count()).as("ki_complete calls").isZero();
        assertCompletedIn(env, CompletionContext.WAITER);
    }

    @Test
    default void inlineDataIsCopiedInAndOutWithoutAnyBio() throws Exception {
        TckEnv env = tck().start(FileLayout.mapped(4096).with(0, 4096, FileLayout.Shape.INLINE));
        IssuedIo w = env.write(0, 512, CALLER);
        assertThat(w.submitResult()).as("completes in the submitter").isEqualTo(512);
        assertThat(env.calls().begins()).singleElement()
                .satisfies(m -> assertThat(m.type()).isEqualTo(IomapType.INLINE));
        assertThat(env.pread(0, 512)).isEqualTo(Patterns.bytes(0, 512));
        assertThat(env.bios()).as("bios").isEmpty();
        assertThat(env.inode().dio().inFlight()).isZero();
    }

    /** end_io's flags for a write the filesystem placed itself (an append): UNWRITTEN if it preallocated. */
    private static int endIoFlagsOf(TckEnv env) {
        List<IomapCall> begins = env.calls().begins();
        return !begins.isEmpty() && begins.getFirst().type() == IomapType.UNWRITTEN ? DioOps.UNWRITTEN : 0;
    }

    /** A block of {@code size} zero bytes with {@code data} at {@code at}. */
    private static byte[] zeroed(int size, int at, byte[] data) {
        byte[] b = new byte[size];
        System.arraycopy(data, 0, b, at, data.length);
        return b;
    }
}
