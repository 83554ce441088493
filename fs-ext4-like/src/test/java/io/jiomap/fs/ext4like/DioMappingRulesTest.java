package io.jiomap.fs.ext4like;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import io.jiomap.device.memory.MemoryDeviceProvider;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import io.jiomap.fs.ext4like.inode.Volume;
import io.jiomap.fs.ext4like.mount.Ext4FileSystem;
import io.jiomap.tck.observe.DioCallLog;
import io.jiomap.tck.observe.IomapCall;
import io.jiomap.tck.observe.ObservedFileSystemType;
import io.jiomap.tck.observe.TappedDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ext4's direct-write mapping rules through the real core (docs/filesystems.md, "ext4-like direct-write mappings";
 * docs/dio-contract.md, "Row 1", "Row 3", "Row 5", "Row 6"), observed through the mappings iomap_begin returned, the
 * mount's counters and the device's bios.
 */
class DioMappingRulesTest {
    private static final long MIB = 1 << 20;
    private static final long POS = 64 * 1024;
    private static final Duration BOUND = Duration.ofSeconds(10);

    private final DioCallLog calls = new DioCallLog();
    private final Arena arena = Arena.ofShared();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private TappedDevice tap;
    private Mount mount;

    private OpenFile setUp(String deviceOptions) throws Exception {
        BlockDevice device = new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=64m," + deviceOptions));
        tap = new TappedDevice(device);
        ObservedFileSystemType type = new ObservedFileSystemType(new Ext4LikeFileSystemType(), calls);
        Mount.mkfs(type, tap, Map.of());
        mount = Mount.mount(type, tap, Mount.Options.defaults());
        closing.add(device);
        closing.add(tap);
        closing.add(mount);
        return mount.open("/f", OpenFile.CREATE);
    }

    @AfterEach
    void tearDown() throws Exception {
        tap.releaseAll();
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        arena.close();
    }

    private MemorySegment data(int length, int seed) {
        MemorySegment b = arena.allocate(length, 4096);
        for (int i = 0; i < length; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (seed + i));
        }
        return b;
    }

    private OpenFile writtenFile(String deviceOptions) throws Exception {
        OpenFile f = setUp(deviceOptions);
        f.pwrite(arena.allocate(MIB, 4096), 0, MIB, 0);
        f.fsync(false);
        calls.clear();
        tap.clearRecords();
        return f;
    }

    /** A 1 MiB file with one written block at 0, the rest a hole; the allocator's metadata already cached. */
    private OpenFile holeyFile() throws Exception {
        OpenFile f = setUp("vwc=on,fua=on");
        f.truncate(MIB);
        f.pwrite(data(4096, 1), 0, 4096, 0);
        f.fsync(false);
        calls.clear();
        return f;
    }

    private long ringWrite(OpenFile f, CompletionMode mode, long pos, int length, int rwFlags) {
        try (IoRing ring = IoRing.create(8, mode)) {
            ring.prepWrite(f, data(length, 7), 0, length, pos, rwFlags, 1);
            // Held until the submission returned, so completion never happens in the submitter (docs/dio-contract.md,
            // "TV4").
            tap.holdNext(1);
            ring.submit();
            await().atMost(BOUND).until(() -> tap.heldCount() == 1);
            tap.releaseAll();
            long[] result = new long[1];
            await().atMost(BOUND).pollInSameThread().until(() -> ring.poll() >= 1);
            ring.reap((userData, res) -> result[0] = res);
            return result[0];
        }
    }

    @Test
    void overwriteInsideEofIsMappedAndCompletesInTheCaller() throws Exception {
        OpenFile f = writtenFile("vwc=on,fua=on");
        DioCounters before = mount.counters();
        assertThat(ringWrite(f, CompletionMode.CALLER, POS, 4096, 0)).isEqualTo(4096);
        IomapCall m = calls.begins().getFirst();
        assertThat(m.type()).isEqualTo(IomapType.MAPPED);
        assertThat(m.hasMapFlag(Iomap.F_NEW) || m.hasMapFlag(Iomap.F_DIRTY)).as("NEW or DIRTY").isFalse();
        DioCounters c = mount.counters().minus(before);
        assertThat(c.caller()).as("caller completions").isEqualTo(1);
        assertThat(c.workqueue()).as("workqueue completions").isZero();
        assertThat(c.flushes()).isZero();
        assertThat(calls.endIoCalls()).singleElement().satisfies(e -> assertThat(e.flags()).isZero());
        assertThat(tap.bios()).as("only the data bio: no metadata for an overwrite").hasSize(1);
    }

    @Test
    void holeInsideEofIsAllocatedUnwrittenNewAndConvertedOnTheWorkqueue() throws Exception {
        OpenFile f = holeyFile();
        DioCounters before = mount.counters();
        assertThat(ringWrite(f, CompletionMode.CALLER, POS, 4096, 0)).isEqualTo(4096);
        IomapCall m = calls.begins().getFirst();
        assertThat(m.type()).isEqualTo(IomapType.UNWRITTEN);
        assertThat(m.hasMapFlag(Iomap.F_NEW)).as("NEW").isTrue();
        DioCounters c = mount.counters().minus(before);
        assertThat(c.workqueue()).as("workqueue completions").isEqualTo(1);
        assertThat(c.caller()).isZero();
        assertThat(calls.endIoCalls()).singleElement()
                .satisfies(e -> assertThat(e.flags()).isEqualTo(DioOps.UNWRITTEN));
        assertThat(f.fiemap(POS, 4096)).singleElement().satisfies(e -> {
            assertThat(e.logical()).isEqualTo(POS);
            assertThat(e.has(FileExtent.UNWRITTEN)).as("converted").isFalse();
        });
        assertThat(f.size()).isEqualTo(MIB);
    }

    @Test
    void writeAtEofIsWrittenNewOnTheOrphanListUntilEndIoRaisesTheSize() throws Exception {
        OpenFile f = writtenFile("vwc=on,fua=on");
        Ext4Inode inode = (Ext4Inode) f.inode();
        Ext4FileSystem fs = (Ext4FileSystem) mount.fileSystem();
        DioCounters before = mount.counters();
        tap.holdNext(1);
        CompletableFuture<Long> w = CompletableFuture.supplyAsync(() -> {
            try {
                return f.pwrite(data(4096, 3), 0, 4096, MIB);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(BOUND).until(() -> tap.heldCount() == 1);
        IomapCall m = calls.begins().getFirst();
        assertThat(m.type()).isEqualTo(IomapType.MAPPED);
        assertThat(m.hasMapFlag(Iomap.F_NEW)).as("NEW").isTrue();
        assertThat(m.hasMapFlag(Iomap.F_DIRTY)).as("DIRTY (crosses EOF, uncommitted)").isTrue();
        assertThat(f.size()).as("size while the data is in flight").isEqualTo(MIB);
        assertThat(isOrphan(fs, inode)).as("on the orphan list during the I/O").isTrue();
        tap.releaseAll();
        assertThat(w.get(BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(4096);
        assertThat(f.size()).isEqualTo(MIB + 4096);
        assertThat(isOrphan(fs, inode)).as("off the orphan list after end_io").isFalse();
        assertThat(mount.counters().minus(before).waiter()).as("ext4 waits for extending writes").isEqualTo(1);
        assertThat(calls.endIoCalls()).singleElement().satisfies(e -> assertThat(e.flags()).isZero());
    }

    /**
     * The same-thread case (docs/design-rules.md, "Rule 1"; docs/dio-contract.md, "TV30"): a ring owner with an
     * unreaped deferred completion issues an unaligned write into a hole, which takes the inode lock exclusively and
     * drains direct I/O. The drain runs the owner's own deferred completion instead of waiting for it; without that the
     * owner would wait for itself forever.
     */
    @Test
    void unalignedWriteThatDrainsRunsTheRingOwnersOwnDeferredCompletion() throws Exception {
        OpenFile f = holeyFile();
        long[] results = CompletableFuture.supplyAsync(() -> {
            try (IoRing ring = IoRing.create(8, CompletionMode.CALLER)) {
                long done = tap.completedCount();
                ring.prepWrite(f, data(4096, 1), 0, 4096, 0, 0, 1);
                // Held until the submission returned, so the completion is deferred to this ring (not
                // docs/dio-contract.md, "TV4").
                tap.holdNext(1);
                ring.submit();
                tap.releaseAll();
                await().atMost(BOUND).pollInSameThread().until(() -> tap.completedCount() > done);
                assertThat(f.inode().dio().inFlight()).as("deferred, not yet reaped").isEqualTo(1);
                ring.prepWrite(f, data(1024, 2), 0, 1024, POS + 512, 0, 2);
                ring.submit();
                assertThat(f.inode().dio().inFlight()).as("the drain ran the deferred completion").isZero();
                long[] out = new long[3];
                await().atMost(BOUND).pollInSameThread().until(() -> {
                    ring.poll();
                    ring.reap((userData, res) -> out[(int) userData] = res);
                    return out[1] != 0 && out[2] != 0;
                });
                return out;
            }
        }).get(BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(results[1]).isEqualTo(4096);
        assertThat(results[2]).isEqualTo(1024);
    }

    @Test
    void dsyncOverwriteOnAFuaDeviceIsFuaWithoutAFlush() throws Exception {
        OpenFile f = writtenFile("vwc=on,fua=on");
        DioCounters before = mount.counters();
        assertThat(ringWrite(f, CompletionMode.CALLER, POS, 4096, IoRing.RWF_DSYNC)).isEqualTo(4096);
        DioCounters c = mount.counters().minus(before);
        assertThat(c.fuaWrites()).isEqualTo(1);
        assertThat(c.flushes()).isZero();
        assertThat(c.caller()).isEqualTo(1);
    }

    @Test
    void dsyncOverwriteOnACacheWithoutFuaFlushesFromTheWorkqueue() throws Exception {
        OpenFile f = writtenFile("vwc=on,fua=off");
        DioCounters before = mount.counters();
        assertThat(ringWrite(f, CompletionMode.CALLER, POS, 4096, IoRing.RWF_DSYNC)).isEqualTo(4096);
        DioCounters c = mount.counters().minus(before);
        assertThat(c.fuaWrites()).isZero();
        assertThat(c.flushes()).isEqualTo(1);
                assertThat(c.caller()).isZero();
        assertThat(c.workqueue()).isEqualTo(1);
    }

    @Test
    void dsyncWriteIntoAHoleCommitsTheJournalSoTheDataIsReachable() throws Exception {
        OpenFile f = holeyFile();
        Ext4Inode inode = (Ext4Inode) f.inode();
        assertThat(ringWrite(f, CompletionMode.CALLER, POS, 4096, IoRing.RWF_DSYNC)).isEqualTo(4096);
        assertThat(inode.datasyncDirty()).as("conversion committed by the O_DSYNC completion").isFalse();
        assertThat(tap.isDurable(calls.deviceAddressOf(inode.ino(), POS).orElseThrow(), 4096)).isTrue();
    }

    /**
     * A write that may need end_io reserves its credits and tree blocks before the I/O and hands them to end_io in
     * the request's private slot: however the write completes (queued and reaped by the caller, waited for by an
     * extending writer, refused before its I/O), nothing stays reserved afterwards.
     */
    @Test
    void everyWriteGivesBackWhatItReservedForEndIoHoweverItCompletes() throws Exception {
        OpenFile f = holeyFile();
        Ext4FileSystem fs = (Ext4FileSystem) mount.fileSystem();
        assertThat(ringWrite(f, CompletionMode.CALLER, POS, 4096, 0)).as("queued into a hole").isEqualTo(4096);
        assertThat(f.pwrite(data(4096, 2), 0, 4096, MIB)).as("extending, waited for").isEqualTo(4096);
        assertThat(f.pwrite(data(1024, 3), 0, 1024, 2 * POS + 512)).as("unaligned into a hole").isEqualTo(1024);
        f.truncate(4 * MIB);
        f.fallocate(Inode.FALLOC_KEEP_SIZE, 3 * MIB, MIB);
        assertThat(ringWrite(f, CompletionMode.CALLER, 3 * MIB, 8192, 0)).as("into unwritten").isEqualTo(8192);
        Volume vol = fs.volume();
        assertThat(vol.allocator().reservedNodes()).as("tree blocks still set aside for end_io").isZero();
        assertThat(vol.journal().reservedCredits()).as("journal credits still reserved").isZero();
        assertThat(calls.endIoCalls()).as("end_io calls").hasSize(4);
    }

    private static boolean isOrphan(Ext4FileSystem fs, Ext4Inode inode) {
        fs.volume().journal().metaLock().lock();
        try {
            return fs.volume().orphans().containsLocked(inode);
        } finally {
            fs.volume().journal().metaLock().unlock();
        }
    }
}
