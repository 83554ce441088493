package io.jiomap.tck;

import static io.jiomap.tck.DioAssertions.assertCompletedIn;
import static io.jiomap.tck.DioAssertions.assertDurable;
import static io.jiomap.tck.DioAssertions.assertEndIoOnce;
import static io.jiomap.tck.DioAssertions.assertNoWriteSync;
import static io.jiomap.tck.DioAssertions.assertWriteSync;
import static io.jiomap.tck.DioAssertions.theSubmission;
import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.OpenFile;
import io.jiomap.core.trace.CompletionContext;
import io.jiomap.core.trace.DioFlags;
import io.jiomap.tck.observe.BioRecord;
import io.jiomap.tck.observe.CompletionLog.KiComplete;
import io.jiomap.tck.observe.TraceLog;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * O_DSYNC and O_SYNC direct writes: when FUA is enough, when a sync (a flush) must follow, and where each completes.
 * docs/dio-contract.md, "TV5", "TV6", "TV7", "TV8", "TV9", "TV17", "TV34", "Row 6", "Row 7", "Row 8", "Row 9b",
 * "Row 10b". Every acknowledged sync write is checked
 * to be durable on the device (docs/design-rules.md, "Rule 5"), by the tap's model of the device's write cache.
 */
public interface SyncWriteContract extends ContractBase {
    int CALLER = CompletionMode.CALLER.iocbFlag();

    @Test
    default void tv05_dsyncOverwriteOnAFuaDeviceWritesFuaAndStaysWithTheCaller() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, true), DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER | Iocb.DSYNC);
        assertThat(w.queued()).isTrue();
        assertThat(env.bios()).singleElement().satisfies(b -> assertThat(b.fua()).as("FUA").isTrue());
        TraceLog.Submission s = theSubmission(env);
        assertThat(s.has(DioFlags.WRITE_THROUGH)).as("WRITE_THROUGH").isTrue();
        assertThat(s.has(DioFlags.NEED_SYNC)).as("NEED_SYNC").isFalse();
        assertThat(s.has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isTrue();

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().deferred()).isNotNull();
        assertThat(w.awaitResult()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.CALLER);
        assertThat(env.flushes()).as("flushes").isEmpty();
        assertThat(env.counters().fuaWrites()).isEqualTo(1);
        assertNoWriteSync(env);
        assertDurable(env, POS, 4096);
    }

    @Test
    default void tv06_dsyncOnADeviceWithoutWriteCacheNeedsNeitherFuaNorFlush() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(false, false), DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER | Iocb.DSYNC);
        assertThat(w.queued()).isTrue();
        assertThat(env.bios()).as("the block layer strips FUA for a device without a cache").singleElement()
                .satisfies(b -> assertThat(b.fua()).as("FUA reaching the device").isFalse());
        TraceLog.Submission s = theSubmission(env);
        assertThat(s.has(DioFlags.WRITE_THROUGH)).as("WRITE_THROUGH").isTrue();
        assertThat(s.has(DioFlags.NEED_SYNC)).as("NEED_SYNC").isFalse();
        assertThat(s.has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isTrue();

        env.tap().releaseAll();
        assertThat(w.awaitResult()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.CALLER);
        assertThat(env.flushes()).as("flushes").isEmpty();
        assertThat(env.counters().fuaWrites()).as("FUA writes reaching the device").isZero();
        assertNoWriteSync(env);
        assertDurable(env, POS, 4096);
    }

    @Test
    default void tv07_dsyncOnCacheWithoutFuaGoesToTheWorkqueueAndFlushes() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, false), DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER | Iocb.DSYNC);
        assertThat(w.queued()).isTrue();
        assertThat(env.bios()).singleElement().satisfies(b -> assertThat(b.fua()).as("FUA").isFalse());
        TraceLog.Submission s = theSubmission(env);
        assertThat(s.has(DioFlags.NEED_SYNC)).as("NEED_SYNC").isTrue();
        assertThat(s.has(DioFlags.WRITE_THROUGH)).as("WRITE_THROUGH").isFalse();
        assertThat(s.has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isFalse();

        env.tap().releaseAll();
        KiComplete kc = w.awaitKiComplete();
        assertThat(kc.deferred()).isNull();
        assertThat(kc.result()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertFlushAfterTheData(env);
        assertWriteSync(env, POS, 4096, true);
        assertDurable(env, POS, 4096);
    }

    @Test
    default void tv08_osyncNeverUsesFuaAndRunsAFullFsyncOnTheWorkqueue() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, true), DEFAULT_LAYOUT);
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER | Iocb.DSYNC | Iocb.SYNC);
        assertThat(w.queued()).isTrue();
        assertThat(env.bios()).singleElement().satisfies(b -> assertThat(b.fua()).as("FUA").isFalse());
        TraceLog.Submission s = theSubmission(env);
        assertThat(s.has(DioFlags.WRITE_THROUGH)).as("WRITE_THROUGH").isFalse();
        assertThat(s.has(DioFlags.NEED_SYNC)).as("NEED_SYNC").isTrue();
        assertThat(s.has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isFalse();

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().result()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertFlushAfterTheData(env);
        assertWriteSync(env, POS, 4096, false);
        assertDurable(env, POS, 4096);
    }

    @Test
    default void tv09_dsyncIntoADirtyMappingSyncsOnTheWorkqueueWithoutFua() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, true),
                DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.MAPPED_DIRTY));
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER | Iocb.DSYNC);
        assertThat(w.queued()).isTrue();
        assertThat(env.bios()).singleElement().satisfies(b -> assertThat(b.fua()).as("FUA").isFalse());
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isFalse();
        assertThat(theSubmission(env).has(DioFlags.NEED_SYNC)).as("NEED_SYNC").isTrue();

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().result()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertFlushAfterTheData(env);
        assertWriteSync(env, POS, 4096, true);
        assertDurable(env, POS, 4096);
    }

    @Test
    default void tv17_dsyncAcrossCleanAndDirtyMappingsUsesFuaOnlyOnTheCleanOne() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, true), DEFAULT_LAYOUT
                .with(POS, 4096, FileLayout.Shape.MAPPED)
                .with(POS + 4096, 4096, FileLayout.Shape.MAPPED_DIRTY));
        env.tap().holdNext(2);
        IssuedIo w = env.write(POS, 8192, CALLER | Iocb.DSYNC);
        assertThat(w.queued()).isTrue();
        assertThat(env.calls().begins()).as("two mappings").hasSize(2);
        List<BioRecord> data = env.dataWrites();
        assertThat(data).extracting(BioRecord::address)
                .containsExactly(env.deviceAddressOf(POS), env.deviceAddressOf(POS + 4096));
        assertThat(data).extracting(BioRecord::fua).as("FUA on A (clean), not on B (dirty)")
                .containsExactly(true, false);
        TraceLog.Submission s = theSubmission(env);
        assertThat(s.has(DioFlags.WRITE_THROUGH)).as("WRITE_THROUGH, cleared by B").isFalse();
        assertThat(s.has(DioFlags.NEED_SYNC)).as("NEED_SYNC").isTrue();
        assertThat(s.has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isFalse();

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().result()).isEqualTo(8192);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertFlushAfterTheData(env);
        assertWriteSync(env, POS, 8192, true);
        assertDurable(env, POS, 8192);
    }

    @Test
    default void row09b_sharedExtentWithDsyncGoesToTheWorkqueueAndSyncs() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, true),
                DEFAULT_LAYOUT.with(POS, 4096, FileLayout.Shape.SHARED));
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER | Iocb.DSYNC);
        assertThat(w.queued()).isTrue();
        assertThat(env.bios()).singleElement().satisfies(b -> assertThat(b.fua()).as("FUA").isFalse());
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isFalse();

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().result()).isEqualTo(4096);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertEndIoOnce(env, 4096, 0, DioOps.COW, POS);
        assertFlushAfterTheData(env);
        assertWriteSync(env, POS, 4096, true);
        assertDurable(env, POS, 4096);
    }

    @Test
    default void tv34_failedSyncAfterADsyncWriteReportsTheSyncErrorButAdvancesThePosition() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, false),
                DEFAULT_LAYOUT.failingFsync(Errno.EIO));
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 4096, CALLER | Iocb.DSYNC);
        assertThat(w.queued()).isTrue();
        env.tap().releaseAll();

        assertThat(w.awaitResult()).as("the sync's error replaces the byte count").isEqualTo(-Errno.EIO);
        assertThat(env.trace().syncs()).as("the write's sync").singleElement().satisfies(sync -> {
            assertThat(sync.start()).as("sync start").isEqualTo(POS);
            assertThat(sync.end()).as("sync end (inclusive)").isEqualTo(POS + 4096 - 1);
            assertThat(sync.result()).as("what the filesystem's fsync returned").isEqualTo(-Errno.EIO);
        });
        assertThat(w.iocb().position()).as("ki_pos: the data was written").isEqualTo(POS + 4096);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertThat(env.inode().dio().inFlight()).isZero();
        assertThat(env.pread(POS, 4096)).isEqualTo(Patterns.bytes(POS, 4096));
    }

    @Test
    default void openFileWithDsyncMakesEveryWriteADsyncWrite() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, true), DEFAULT_LAYOUT);
        OpenFile dsync = env.mount().open(env.file().path(), OpenFile.DSYNC);
        assertThat(dsync.inode()).as("the same file").isSameAs(env.inode());
        assertThat(dsync.pwrite(env.patterned(4096, POS), 0, 4096, POS)).isEqualTo(4096);
        assertThat(env.dataWrites()).singleElement().satisfies(b -> assertThat(b.fua()).as("FUA").isTrue());
        assertDurable(env, POS, 4096);
    }

    /**
     * A flush reached the device after every write of the file's data, and a sync write's data is flushed. Writes
     * elsewhere (a journal commit logging the times a write changed, FUA itself) are not the file's data.
     */
    private static void assertFlushAfterTheData(TckEnv env) {
        List<BioRecord> bios = env.bios();
        List<FileExtent> mapped = env.inode().fiemap(0, Long.MAX_VALUE);
        long lastData = bios.stream().filter(BioRecord::isDataWrite)
                .filter(b -> mapped.stream().anyMatch(e -> b.address() < e.physical() + e.length()
                        && e.physical() < b.address() + b.length()))
                .mapToLong(BioRecord::seq).max()
                .orElseThrow(() -> new AssertionError("no write of the file's data in " + bios));
        assertThat(bios).as("a flush after the last data write, in " + bios)
                .anyMatch(b -> b.isFlush() && b.seq() > lastData);
        assertThat(env.counters().flushes()).as("flushes counted").isPositive();
    }

}
