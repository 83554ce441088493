package io.jiomap.tck;

import static io.jiomap.tck.DioAssertions.assertCompletedIn;
import static io.jiomap.tck.DioAssertions.theCompletion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.api.block.Bio;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.trace.CompletionContext;
import io.jiomap.core.trace.DioFlags;
import io.jiomap.tck.observe.CompletionLog.KiComplete;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Direct reads: they complete in the device's completion context, stop at EOF, and read holes and unwritten extents
 * as zeros without I/O; a polled read of one bio completes in the poller. docs/dio-contract.md, "TV19", "TV20", "TV21",
 * "TV22", "TV23", "TV24", "Row 11", "Row 12".
 */
public interface ReadContract extends ContractBase {

    @Test
    default void tv19_asyncReadCompletesInsideTheDeviceCompletion() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        assertThat(env.pwrite(POS, 8192)).isEqualTo(8192);
        env.resetObservations();

        env.tap().holdNext(1);
        // The issuer opts into caller completion; reads never use it (docs/dio-contract.md, "B3").
        IssuedIo r = env.read(POS, 8192, CompletionMode.CALLER.iocbFlag());
        assertThat(r.queued()).isTrue();
        assertThat(env.bios()).as("one read bio").singleElement().satisfies(b -> {
            assertThat(b.isRead()).isTrue();
            assertThat(b.length()).isEqualTo(8192);
        });
        env.tap().releaseAll();

        KiComplete kc = r.awaitKiComplete();
        env.awaitDeviceCompletions(1);
        assertThat(kc.result()).isEqualTo(8192);
        assertThat(kc.deferred()).as("deferred completion").isNull();
        assertThat(kc.position()).as("ki_pos at ki_complete").isEqualTo(POS + 8192);
        assertThat(kc.thread()).as("ki_complete runs inside the device's completion of the bio")
                .isEqualTo(env.completionThreadOf(0));
        assertCompletedIn(env, CompletionContext.IRQ);
        assertThat(theCompletion(env).has(DioFlags.INLINE_COMP)).as("INLINE_COMP").isTrue();
        assertThat(theCompletion(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP on a read").isFalse();
        assertThat(r.buffer().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Patterns.bytes(POS, 8192));
        assertThat(env.calls().endIoCalls()).as("end_io for a read").isEmpty();
    }

    @Test
    default void tv20_readAtOrPastTheEndOfFileReturnsZeroWithoutIo() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        int lbs = env.logicalBlockSize();
        long eof = Math.ceilDiv(env.file().size(), lbs) * (long) lbs;
        for (long pos : new long[] {eof, eof + MIB}) {
            IssuedIo r = env.read(pos, 4096, 0);
            assertThat(r.submitResult()).as("read at " + pos).isZero();
            assertThat(r.log().count()).as("ki_complete calls").isZero();
            assertThat(r.iocb().position()).as("ki_pos").isEqualTo(pos);
            assertThat(env.pread(pos, 4096)).as("pread at " + pos).isEmpty();
        }
        assertThat(env.bios()).as("bios").isEmpty();
        assertThat(env.calls().begins()).as("mapping calls").isEmpty();
        assertThat(env.trace().completions()).as("no dio was set up").isEmpty();
        assertThat(env.inode().dio().inFlight()).isZero();
    }

    @Test
    default void tv21_readAcrossEndOfFileIsClippedToTheFileSize() throws Exception {
        TckEnv env = tck().start(FileLayout.mapped(6000).exactSize());
        env.tap().holdNext(1);
        IssuedIo r = env.read(4096, 4096, 0);
        assertThat(r.queued()).isTrue();
        assertThat(env.reads()).as("one bio for the whole block").singleElement()
                .satisfies(b -> assertThat(b.length()).isEqualTo(4096));
        env.tap().releaseAll();

        KiComplete kc = r.awaitKiComplete();
        assertThat(kc.result()).as("bytes before EOF").isEqualTo(6000 - 4096);
        assertThat(kc.position()).as("ki_pos").isEqualTo(6000);
        assertThat(env.pread(4096, 4096)).as("pread").hasSize(6000 - 4096);
    }

    @Test
    default void readAcrossEndOfFileReturnsOnlyTheBytesBeforeIt() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        long size = env.file().size();
        assumeTrue(size % 4096 == 0, () -> "file size " + size + " is not 4 KiB aligned");
        assertThat(env.pwrite(size - 4096, 4096)).isEqualTo(4096);
        assertThat(env.pread(size - 4096, 8192)).isEqualTo(Patterns.bytes(size - 4096, 4096));
    }

    @Test
    default void tv22_readOfAHoleIsZeroFilledWithoutIo() throws Exception {
        readsZerosWithoutIo(tck().start(DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.HOLE)));
    }

    @Test
    default void tv22_readOfAnUnwrittenExtentIsZeroFilledWithoutIo() throws Exception {
        readsZerosWithoutIo(tck().start(DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.UNWRITTEN)));
    }

    private static void readsZerosWithoutIo(TckEnv env) {
        MemorySegment buf = env.patterned(4096, 99);
        IssuedIo r = env.read(POS, 4096, 0, buf);
        assertThat(r.submitResult()).as("completes synchronously although the iocb is async").isEqualTo(4096);
        assertThat(r.log().count()).as("ki_complete calls").isZero();
        assertThat(buf.toArray(ValueLayout.JAVA_BYTE)).as("zero-filled").isEqualTo(new byte[4096]);
        assertThat(env.bios()).as("bios").isEmpty();
        assertThat(r.iocb().position()).isEqualTo(POS + 4096);
        assertThat(env.inode().dio().inFlight()).isZero();
        assertCompletedIn(env, CompletionContext.SUBMITTER);
    }

    /** Skips a polling rule on a device without poll queues, naming why. */
    private static void assumePolling(TckEnv env) {
        assumeTrue(env.device().capabilities().polling(), () -> "device '" + env.fixture().devices().name()
                + "' has no poll queues as opened here (capabilities().polling() is false)");
    }

    /** Polls {@code bio} on this thread until the request has called ki_complete (bounded). */
    private static void pollUntilCompleted(IssuedIo io) {
        Waits.await("the polled read to complete").until(() -> {
            Bio b = io.iocb().polledBio();
            if (b != null) {
                b.poll(0);
            }
            return io.log().calls().size() > 0;
        });
    }

    @Test
    default void tv23_polledReadOfOneBioIsPolledAndCompletesInThePoller() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        assumePolling(env);
        assertThat(env.pwrite(POS, 4096)).isEqualTo(4096);
        env.resetObservations();

        IssuedIo r = env.read(POS, 4096, Iocb.HIPRI);
        assertThat(r.queued()).isTrue();
        Bio polled = r.iocb().polledBio();
        assertThat(polled).as("iocb->private holds the polled bio").isNotNull();
        assertThat(env.bios()).as("one read bio, polled").singleElement().satisfies(b -> {
            assertThat(b.isRead()).isTrue();
            assertThat(b.hasFlag(Bio.POLLED)).isTrue();
        });

        pollUntilCompleted(r);
        KiComplete kc = r.awaitKiComplete();
        assertThat(kc.result()).isEqualTo(4096);
        assertThat(kc.thread()).as("ki_complete runs in the poller").isEqualTo(Thread.currentThread().getName());
        assertThat(r.iocb().polledBio()).as("private reset at completion").isNull();
        assertCompletedIn(env, CompletionContext.IRQ);
        assertThat(r.buffer().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Patterns.bytes(POS, 4096));
    }

    @Test
    default void tv24_polledReadNeedingTwoBiosPollsNoBio() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().anyWriteCache().withMaxTransfer(4096), DEFAULT_LAYOUT);
        assumePolling(env);
        assertThat(env.pwrite(POS, 8192)).isEqualTo(8192);
        env.resetObservations();

        env.tap().holdNext(2);
        IssuedIo r = env.read(POS, 8192, Iocb.HIPRI);
        assertThat(r.queued()).isTrue();
        assertThat(r.iocb().hasFlag(Iocb.HIPRI)).as("HIPRI after submission").isFalse();
        assertThat(r.iocb().polledBio()).isNull();
        assertThat(env.bios()).as("two read bios, neither polled").hasSize(2)
                .allSatisfy(b -> assertThat(b.hasFlag(Bio.POLLED)).isFalse());

        env.tap().releaseAll();
        assertThat(r.awaitResult()).isEqualTo(8192);
        assertCompletedIn(env, CompletionContext.IRQ);
        assertThat(r.buffer().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Patterns.bytes(POS, 8192));
    }

    @Test
    default void tv24_polledReadOverTwoMappingsNeverPollsTheSecond() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS + 4096, 4096, FileLayout.Shape.MAPPED_DIRTY));
        assumePolling(env);
        assertThat(env.pwrite(POS, 8192)).isEqualTo(8192);
        env.resetObservations();

        IssuedIo r = env.read(POS, 8192, Iocb.HIPRI);
        assumeTrue(env.calls().begins().size() == 2, () -> "the filesystem mapped the two regions as "
                + env.calls().begins().size() + " mapping(s)");
        assertThat(r.iocb().hasFlag(Iocb.HIPRI)).as("HIPRI cleared after the first mapping").isFalse();
        // Only the first mapping can be polled (docs/dio-contract.md, "B1 step 9"); the second mapping's bio never is.
        assertThat(env.reads()).hasSize(2);
        assertThat(env.reads().get(1).hasFlag(Bio.POLLED)).as("the second mapping's bio polled").isFalse();

        pollUntilCompleted(r);
        assertThat(r.awaitResult()).isEqualTo(8192);
        assertThat(r.iocb().polledBio()).isNull();
        assertThat(r.buffer().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Patterns.bytes(POS, 8192));
    }
}
