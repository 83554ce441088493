package io.jiomap.fs.xfslike;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import io.jiomap.tck.observe.DioCallLog;
import io.jiomap.tck.observe.EndIoCall;
import io.jiomap.tck.observe.IomapCall;
import io.jiomap.tck.observe.ObservedFileSystemType;
import io.jiomap.tck.observe.TappedDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The XFS rows of the decision table through the real core: what iomap_begin reports for each kind of block,
 * where the completion runs, what end_io does, and the FUA/flush choices, checked on the mount's counters.
 */
class DioMappingTest {
    private static final int BS = 4096;
    private final DioCallLog calls = new DioCallLog();
    private final Arena arena = Arena.ofShared();
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeLast.reversed()) {
            c.close();
        }
        arena.close();
    }

    private TappedDevice tap;

    private Mount mount(BlockDevice device) throws Exception {
        closeLast.add(device);
        tap = new TappedDevice(device);
        ObservedFileSystemType type = new ObservedFileSystemType(Devices.TYPE, calls);
        Mount.mkfs(type, tap, Map.of());
        Mount m = Mount.mount(type, tap, Mount.Options.defaults());
        closeLast.add(m);
        return m;
    }

    /** A 64 KiB written file, made clean by fsync, with observations reset. */
    private OpenFile writtenFile(Mount m, String path, int flags) throws Exception {
        OpenFile f = m.open(path, OpenFile.CREATE | flags);
        f.pwrite(Devices.pattern(arena, 64 * 1024, 1), 0, 64 * 1024, 0);
        f.fsync(false);
        calls.clear();
        return f;
    }

    private long ringWrite(Mount m, OpenFile f, long pos, int len, int rwFlags) {
        try (IoRing ring = IoRing.create(8, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(len, 4096);
            buf.fill((byte) 0x5a);
            assertThat(ring.prepWrite(f, buf, 0, len, pos, rwFlags, 7)).isTrue();
            // Held in the device until the submission returned, so where the completion runs never depends on
            // whether the device was faster than the submitter (docs/dio-contract.md, "TV4").
            tap.holdNext(1);
            ring.submit();
            tap.releaseAll();
            ring.waitCompletions(1);
            long[] result = new long[1];
            assertThat(ring.reap((user, res) -> result[0] = res)).isEqualTo(1);
            return result[0];
        }
    }

    private IomapCall onlyBegin() {
        assertThat(calls.begins()).hasSize(1);
        return calls.begins().getFirst();
    }

    @Test
    void overwriteOfWrittenBlocksIsMappedAndCompletedByTheCaller() throws Exception {
        Mount m = mount(Devices.memory());
        OpenFile f = writtenFile(m, "/f", 0);
        DioCounters before = m.counters();
        assertThat(ringWrite(m, f, 8192, BS, 0)).isEqualTo(BS);
        IomapCall b = onlyBegin();
        assertThat(b.type()).isEqualTo(IomapType.MAPPED);
        assertThat(b.mapFlags() & (Iomap.F_NEW | Iomap.F_DIRTY | Iomap.F_SHARED)).isZero();
        DioCounters d = m.counters().minus(before);
        assertThat(d.caller()).isEqualTo(1);
        assertThat(d.workqueue()).isZero();
        assertThat(calls.endIoCalls()).singleElement().satisfies(e -> assertThat(e.flags()).isZero());
    }

    @Test
    void holeWriteAllocatesUnwrittenNewAndTheWorkqueueConvertsIt() throws Exception {
        Mount m = mount(Devices.memory());
        OpenFile f = writtenFile(m, "/f", 0);
        f.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, 16384, 16384);
        f.fsync(false);
        calls.clear();
        DioCounters before = m.counters();
        assertThat(ringWrite(m, f, 16384, BS, 0)).isEqualTo(BS);
        IomapCall b = onlyBegin();
        assertThat(b.type()).isEqualTo(IomapType.UNWRITTEN);
        assertThat(b.hasMapFlag(Iomap.F_NEW)).isTrue();
        DioCounters d = m.counters().minus(before);
        assertThat(d.workqueue()).isEqualTo(1);
        assertThat(d.caller()).isZero();
        assertThat(calls.endIoCalls()).singleElement()
                .satisfies(e -> assertThat(e.flags()).isEqualTo(DioOps.UNWRITTEN));
        assertThat(f.fiemap(16384, BS)).singleElement()
                .satisfies(e -> assertThat(e.has(FileExtent.UNWRITTEN)).as("converted").isFalse());
        assertThat(f.fiemap(20480, 12288)).as("the rest of the hole stays a hole").isEmpty();
    }

    @Test
    void extendingWriteIsDirtyAndEndIoRaisesTheSize() throws Exception {
        Mount m = mount(Devices.memory());
        OpenFile f = writtenFile(m, "/f", 0);
        DioCounters before = m.counters();
        assertThat(ringWrite(m, f, 64 * 1024, 2 * BS, 0)).isEqualTo(2 * BS);
        IomapCall b = onlyBegin();
        assertThat(b.hasMapFlag(Iomap.F_DIRTY)).as("DIRTY: the write crosses EOF").isTrue();
        assertThat(f.size()).isEqualTo(72 * 1024);
        assertThat(m.counters().minus(before).workqueue()).isEqualTo(1);
        assertThat(m.stat("/f").size()).isEqualTo(72 * 1024);
    }

    @Test
    void overwriteAfterUnsyncedMetadataIsDirtyUntilTheLogIsForced() throws Exception {
        Mount m = mount(Devices.memory());
        OpenFile f = writtenFile(m, "/f", 0);
        f.fallocate(Inode.FALLOC_KEEP_SIZE, 128 * 1024, BS);
        calls.clear();
        ringWrite(m, f, 0, BS, 0);
        assertThat(onlyBegin().hasMapFlag(Iomap.F_DIRTY)).as("logged, not yet stable metadata").isTrue();
        f.fsync(true);
        calls.clear();
        ringWrite(m, f, 0, BS, 0);
        assertThat(onlyBegin().hasMapFlag(Iomap.F_DIRTY)).as("after fdatasync").isFalse();
    }

    @Test
    void dsyncOverwriteOnAFuaDeviceIsFuaWithoutAFlush() throws Exception {
        Mount m = mount(Devices.nvme("size=64m,vwc=on,queues=2"));
        OpenFile f = writtenFile(m, "/f", 0);
        DioCounters before = m.counters();
        assertThat(ringWrite(m, f, 8192, BS, IoRing.RWF_DSYNC)).isEqualTo(BS);
        DioCounters d = m.counters().minus(before);
        assertThat(d.fuaWrites()).isEqualTo(1);
        assertThat(d.flushes()).isZero();
        assertThat(d.caller()).isEqualTo(1);
    }

    @Test
    void dsyncOverwriteOnADeviceWithoutFuaFlushes() throws Exception {
        Mount m = mount(Devices.sata("size=64m,vwc=on"));
        OpenFile f = writtenFile(m, "/f", 0);
        DioCounters before = m.counters();
        assertThat(ringWrite(m, f, 8192, BS, IoRing.RWF_DSYNC)).isEqualTo(BS);
        DioCounters d = m.counters().minus(before);
        assertThat(d.fuaWrites()).isZero();
        assertThat(d.flushes()).as("fdatasync with nothing to log: an explicit cache flush").isEqualTo(1);
        assertThat(d.workqueue()).as("%s", d).isEqualTo(1);
    }

    @Test
    void writeToSharedBlocksCopiesOnWriteAndEndIoRemaps() throws Exception {
        Mount m = mount(Devices.memory());
        OpenFile a = writtenFile(m, "/a", 0);
        OpenFile b = m.open("/b", OpenFile.CREATE);
        b.cloneFrom(a, 0, 0, 64 * 1024);
        assertThat(b.fiemap(0, 64 * 1024)).allSatisfy(e -> assertThat(e.has(FileExtent.SHARED)).isTrue());
        b.fsync(false);
        calls.clear();
        DioCounters before = m.counters();
        assertThat(ringWrite(m, b, 8192, BS, 0)).isEqualTo(BS);
        IomapCall begin = onlyBegin();
        assertThat(begin.type()).isEqualTo(IomapType.MAPPED);
        assertThat(begin.hasMapFlag(Iomap.F_SHARED)).isTrue();
        assertThat(begin.srcType()).isEqualTo(IomapType.MAPPED);
        assertThat(calls.endIoCalls()).singleElement().extracting(EndIoCall::flags).isEqualTo(DioOps.COW);
        assertThat(m.counters().minus(before).caller()).as("6.6: SHARED keeps caller completion").isEqualTo(1);
        assertThat(b.fiemap(8192, BS)).singleElement()
                .satisfies(e -> assertThat(e.has(FileExtent.SHARED)).as("remapped to private blocks").isFalse());
        assertThat(a.fiemap(8192, BS)).singleElement()
                .satisfies(e -> assertThat(e.has(FileExtent.SHARED)).isFalse());
        MemorySegment back = arena.allocate(BS, 4096);
        a.pread(back, 0, BS, 8192);
        assertThat(Devices.bytes(back)).as("the source keeps its data")
                .isEqualTo(Devices.bytes(Devices.pattern(arena, 64 * 1024, 1).asSlice(8192, BS)));
        b.pread(back, 0, BS, 8192);
        assertThat(back.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsOnly((byte) 0x5a);
    }

    @Test
    void nowaitWriteIntoAHoleFailsWithEagainBeforeAnyAllocation() throws Exception {
        Mount m = mount(Devices.memory());
        OpenFile f = writtenFile(m, "/f", 0);
        f.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, 16384, BS);
        long free = m.fileSystem().statfs().freeBlocks();
        calls.clear();
        assertThat(ringWrite(m, f, 16384, BS, IoRing.RWF_NOWAIT)).isEqualTo(-Errno.EAGAIN);
        assertThat(m.fileSystem().statfs().freeBlocks()).isEqualTo(free);
    }

    @Test
    void subBlockWriteTakesTheExclusivePathAndWaits() throws Exception {
        Mount m = mount(Devices.memory());
        OpenFile f = writtenFile(m, "/f", 0);
        f.fallocate(Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE, 16384, BS);
        calls.clear();
        DioCounters before = m.counters();
        Iocb iocb = new Iocb().set(f.inode(), 16384 + 512, Iocb.WRITE | Iocb.DIO_CALLER_COMP,
                (io, res) -> { });
        MemorySegment buf = Devices.pattern(arena, 1024, 9);
        tap.holdNext(3);
        CompletableFuture<Long> result = CompletableFuture.supplyAsync(() -> f.inode().write(iocb, buf, 0, 1024));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> tap.heldCount() == 3);
        assertThat(result).as("the submitter waits for its bios (FORCE_WAIT)").isNotDone();
        tap.releaseAll();
        assertThat(result.get(10, TimeUnit.SECONDS)).as("completed before returning").isEqualTo(1024);
        DioCounters d = m.counters().minus(before);
        assertThat(d.waiter()).as("%s", d).isEqualTo(1);
        assertThat(d.zeroingBios()).isEqualTo(2);
        assertThat(calls.begins()).extracting(IomapCall::result).containsExactly(-Errno.EAGAIN, 0);
    }
}
