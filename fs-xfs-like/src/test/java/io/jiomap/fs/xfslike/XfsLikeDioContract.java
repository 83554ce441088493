package io.jiomap.fs.xfslike;

import static io.jiomap.tck.DioAssertions.assertCompletedIn;
import static io.jiomap.tck.DioAssertions.assertDurable;
import static io.jiomap.tck.DioAssertions.assertEndIoOnce;
import static io.jiomap.tck.DioAssertions.assertWriteSync;
import static io.jiomap.tck.DioAssertions.theSubmission;
import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.trace.CompletionContext;
import io.jiomap.core.trace.DioFlags;
import io.jiomap.tck.Background;
import io.jiomap.tck.DeviceSetup;
import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.FileLayout;
import io.jiomap.tck.IssuedIo;
import io.jiomap.tck.Patterns;
import io.jiomap.tck.TckEnv;
import io.jiomap.tck.observe.BioRecord;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The contract for xfs-like. A few vectors are stated in terms XFS does not share, so they are checked here the XFS
 * way, each saying why: a sub-block write into a new or unwritten block waits in its submitter (unaligned
 * writes take the I/O lock exclusive, drain and force the wait: docs/filesystems.md, "xfs-like locking";
 * docs/dio-contract.md, "TV12", "TV14"); the sync of a dirty inode ends with a FUA log commit after a flush, not with a
 * flush (docs/dio-contract.md, "TV9", "Row 9b"); DIRTY covers the whole inode (docs/dio-contract.md, "TV17").
 *
 * <p>Every fixture opens its devices through {@link io.jiomap.tck.FaultingDevices}, so that once the test file is
 * arranged they can hold I/O inside themselves and fail flushes where a test asks: a device closed with I/O held
 * inside it and a failing fsync meet this journaling filesystem on every device that can be set up for them.
 */
abstract class XfsLikeDioContract extends DioContractTest {
    private static final int CALLER = CompletionMode.CALLER.iocbFlag();

    @Override
    @Test
    public void tv12_subBlockWriteIntoUnwrittenZeroesHeadAndTailAroundTheData() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS, 64 * KIB, FileLayout.Shape.UNWRITTEN));
        subBlockWriteZeroesTheEdgesAndWaits(env);
    }

    @Override
    @Test
    public void tv14_writeIntoAHoleZeroesTheSubBlockEdgesAndIsNotCallerCompleted() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT.with(POS, 64 * KIB, FileLayout.Shape.HOLE));
        subBlockWriteZeroesTheEdgesAndWaits(env);
        assertThat(env.calls().begins()).anySatisfy(m -> assertThat(m.hasMapFlag(Iomap.F_NEW))
                .as("NEW").isTrue());
    }

    @Override
    @Test
    public void row09b_sharedExtentWithDsyncGoesToTheWorkqueueAndSyncs() throws Exception {
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
        assertLogForceAfterTheData(env);
        assertWriteSync(env, POS, 4096, true);
        assertDurable(env, POS, 4096);
    }

    @Override
    @Test
    public void tv09_dsyncIntoADirtyMappingSyncsOnTheWorkqueueWithoutFua() throws Exception {
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
        assertLogForceAfterTheData(env);
        assertWriteSync(env, POS, 4096, true);
        assertDurable(env, POS, 4096);
    }

    /**
     * XFS's DIRTY is a property of the inode (its log item is pinned with more than timestamps), not of a range: a
     * file with logged-but-unstable metadata reports every mapping DIRTY. So the clean range gets no FUA either,
     * and adjacent written blocks come back as one mapping; the write then syncs with a log force.
     */
    @Override
    @Test
    public void tv17_dsyncAcrossCleanAndDirtyMappingsUsesFuaOnlyOnTheCleanOne() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, true), DEFAULT_LAYOUT
                .with(POS, 4096, FileLayout.Shape.MAPPED)
                .with(POS + 4096, 4096, FileLayout.Shape.MAPPED_DIRTY));
        env.tap().holdNext(1);
        IssuedIo w = env.write(POS, 8192, CALLER | Iocb.DSYNC);
        assertThat(w.queued()).isTrue();
        assertThat(env.calls().begins()).as("one mapping, DIRTY").singleElement()
                .satisfies(m -> assertThat(m.hasMapFlag(Iomap.F_DIRTY)).isTrue());
        assertThat(env.dataWrites()).extracting(BioRecord::fua).as("no FUA: the inode is dirty").containsOnly(false);
        assertThat(theSubmission(env).has(DioFlags.WRITE_THROUGH)).as("WRITE_THROUGH").isFalse();
        assertThat(theSubmission(env).has(DioFlags.NEED_SYNC)).as("NEED_SYNC").isTrue();
        assertThat(theSubmission(env).has(DioFlags.CALLER_COMP)).as("CALLER_COMP").isFalse();

        env.tap().releaseAll();
        assertThat(w.awaitKiComplete().result()).isEqualTo(8192);
        assertCompletedIn(env, CompletionContext.WORKQUEUE);
        assertLogForceAfterTheData(env);
        assertWriteSync(env, POS, 8192, true);
        assertDurable(env, POS, 8192);
    }

    /**
     * The sync of a dirty inode is a log force: a flush after the data (PREFLUSH), then the log commit with FUA.
     * The TCK's generic check wants a flush after the last non-zero write, which here is that FUA commit.
     */
    private static void assertLogForceAfterTheData(TckEnv env) {
        List<BioRecord> bios = env.bios();
        long data = bios.getFirst().seq();
        BioRecord flush = bios.stream().filter(b -> b.isFlush() && b.seq() > data).findFirst().orElseThrow(
                () -> new AssertionError("no flush after the data in " + bios));
        assertThat(bios).as("the log commit: a FUA write after that flush, in " + bios)
                .anyMatch(b -> b.isDataWrite() && b.fua() && b.seq() > flush.seq());
        assertThat(env.counters().flushes()).as("flushes counted").isPositive();
    }

    private void subBlockWriteZeroesTheEdgesAndWaits(TckEnv env) {
        int bs = env.fsBlockSize();
        long pos = POS + 512;
        env.tap().holdNext(3);
        Background<IssuedIo> w = tck().spawn("sub-block write", () -> env.write(pos, 1024, CALLER));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> env.bios().size() == 3);
        long block = env.deviceAddressOf(POS);
        List<BioRecord> bios = env.bios();
        assertThat(bios).extracting(BioRecord::isZeroWrite).as("zero, data, zero").containsExactly(true, false, true);
        assertThat(bios).extracting(BioRecord::address).containsExactly(block, block + 512, block + 1536);
        assertThat(bios).extracting(BioRecord::length).containsExactly(512, 1024, bs - 1536);
        assertThat(w.isDone()).as("the submitter waits for its bios (FORCE_WAIT)").isFalse();

        env.tap().releaseAll();
        assertThat(w.await().submitResult()).as("completed by the submitter").isEqualTo(1024);
        // XFS first tries the write shared as overwrite-only: the engine refuses it (EAGAIN) before any bio, then
        // the exclusive retry waits for its bios and completes in the submitter.
        assertThat(env.trace().completions()).extracting(c -> c.where())
                .containsExactly(CompletionContext.SUBMITTER, CompletionContext.WAITER);
        assertThat(env.counters().waiter()).isEqualTo(1);
        assertThat(env.counters().zeroingBios()).isEqualTo(2);
        byte[] expected = new byte[bs];
        System.arraycopy(Patterns.bytes(pos, 1024), 0, expected, 512, 1024);
        byte[] read = Arrays.copyOf(readBlock(env), bs);
        assertThat(read).isEqualTo(expected);
    }

    private static byte[] readBlock(TckEnv env) {
        try {
            return env.pread(POS, env.fsBlockSize());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
