package io.jiomap.tck.scripted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.tck.Patterns;
import io.jiomap.tck.observe.CompletionLog;
import io.jiomap.tck.observe.EndIoCall;
import io.jiomap.tck.observe.IomapCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScriptedFileSystemTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long MIB = 1 << 20;

    private final Arena arena = Arena.ofShared();
    private final ScriptedDevice device = ScriptedDevice.builder().capacity(8 * MIB)
            .completion(ScriptedDevice.Completion.SUBMITTER).build();
    private Mount mount;

    @AfterEach
    void close() throws Exception {
        // Whatever a test left held must complete, or the unmount's flush would wait for it forever.
        device.stopHolding();
        if (mount != null) {
            mount.close();
        }
        device.close();
        arena.close();
    }

    private ScriptedFileSystem mount(Map<String, String> options) throws JiomapException {
        mount = Mount.mount(new ScriptedFileSystemType(), device, Mount.Options.defaults().withFsOptions(options));
        return (ScriptedFileSystem) mount.fileSystem();
    }

    private OpenFile file(String path) throws JiomapException {
        if (mount == null) {
            mount(Map.of());
        }
        OpenFile f = mount.open(path, OpenFile.CREATE);
        ((ScriptedInode) f.inode()).setSize(MIB);
        return f;
    }

    private static ScriptedInode inode(OpenFile f) {
        return (ScriptedInode) f.inode();
    }

    private MemorySegment data(int length, long seed) {
        MemorySegment s = arena.allocate(length, 4096);
        Patterns.fill(s, 0, length, seed);
        return s;
    }

    @Test
    void beginReportsExactlyTheScriptedTypeFlagsAddressAndSrcmap() throws Exception {
        OpenFile f = file("/a");
        inode(f).setBaseAddress(MIB)
                .map(64 * 1024, 4096, Mapping.mapped().withFlags(Iomap.F_SHARED | Iomap.F_DIRTY)
                        .shiftedBy(8192).withSrcmap(IomapType.MAPPED));
        assertThat(f.pwrite(data(4096, 1), 0, 4096, 64 * 1024)).isEqualTo(4096);
        IomapCall begin = inode(f).calls().begins().getFirst();
        assertThat(begin.type()).isEqualTo(IomapType.MAPPED);
        assertThat(begin.mapFlags()).isEqualTo(Iomap.F_SHARED | Iomap.F_DIRTY);
        assertThat(begin.mapOffset()).isEqualTo(64 * 1024);
        assertThat(begin.mapLength()).isEqualTo(4096);
        assertThat(begin.mapAddress()).isEqualTo(MIB + 64 * 1024 + 8192);
        assertThat(begin.srcType()).isEqualTo(IomapType.MAPPED);
        assertThat(begin.hasIomapFlag(IomapOps.WRITE | IomapOps.DIRECT)).isTrue();
        assertThat(device.data(MIB + 64 * 1024 + 8192, 4096)).isEqualTo(Patterns.bytes(1, 4096));
    }

    @Test
    void limitedMappingsSplitOneRequestIntoSeveral() throws Exception {
        OpenFile f = file("/a");
        inode(f).map(0, 64 * 1024, Mapping.mapped().limitedTo(4096));
        assertThat(f.pwrite(data(8192, 2), 0, 8192, 4096)).isEqualTo(8192);
        assertThat(inode(f).calls().begins()).extracting(IomapCall::mapOffset, IomapCall::mapLength)
                .containsExactly(tuple(4096L, 4096L),
                        tuple(8192L, 4096L));
        assertThat(inode(f).calls().ends()).extracting(IomapCall::written).containsExactly(4096L, 4096L);
        assertThat(f.pread(data(8192, 0), 0, 8192, 4096)).isEqualTo(8192);
    }

    @Test
    void theSlotABeginSetsIsSeenByEveryLaterCallOfItsRequestAndByItsOwnEndIoOnly() throws Exception {
        device.setCompletion(ScriptedDevice.Completion.HELD);
        OpenFile f = file("/a");
        inode(f).map(0, 64 * 1024, Mapping.mapped().limitedTo(4096));
        CompletionLog log = new CompletionLog();
        Iocb first = new Iocb().set(f.inode(), 0, Iocb.WRITE, log);
        Iocb second = new Iocb().set(f.inode(), 16384, Iocb.WRITE, log);
        assertThat(f.inode().write(first, data(8192, 1), 0, 8192)).isEqualTo(-Errno.EIOCBQUEUED);
        assertThat(f.inode().write(second, data(4096, 2), 0, 4096)).isEqualTo(-Errno.EIOCBQUEUED);
        device.release(device.heldCount() - 1);
        device.releaseAll();
        await("both completions").atMost(TIMEOUT).until(() -> log.count() == 2);

        List<String> trace = inode(f).slotTrace();
        assertThat(trace.subList(0, 6)).as("submission: the slot a begin set reaches every later begin and end")
                .containsExactly("begin@0:null", "end@0:request 1", "begin@4096:request 1", "end@4096:request 1",
                        "begin@16384:null", "end@16384:request 2");
        assertThat(trace.subList(6, 8)).as("each end_io, run later by the workqueue, sees its own request's slot")
                .containsExactly("end_io@16384:request 2", "end_io@0:request 1");

        device.setCompletion(ScriptedDevice.Completion.SUBMITTER);
        first.set(f.inode(), 32768, Iocb.WRITE, null);
        assertThat(f.inode().write(first, data(4096, 3), 0, 4096)).isEqualTo(4096);
        assertThat(inode(f).slotTrace().get(8)).as("a reused iocb's next request starts with the slot cleared")
                .isEqualTo("begin@32768:null");

        inode(f).passToWrites("reserved before rw");
        assertThat(f.pwrite(data(4096, 4), 0, 4096, 40960)).isEqualTo(4096);
        assertThat(inode(f).slotTrace().subList(11, 14)).as("rw's fsPrivate is the slot's starting value")
                .containsExactly("begin@40960:reserved before rw", "end@40960:reserved before rw",
                        "end_io@40960:reserved before rw");
    }

    @Test
    void aStaleMappingIsMappedAgainAtTheSamePositionAndTheDataLandsWhereTheFreshMappingSays() throws Exception {
        OpenFile f = file("/a");
        inode(f).setBaseAddress(MIB).map(0, 64 * 1024, Mapping.mapped()).goStaleOnNextMapping(0, 64 * 1024, 2 * MIB);
        assertThat(f.pwrite(data(8192, 5), 0, 8192, 4096)).isEqualTo(8192);

        assertThat(inode(f).calls().begins()).extracting(IomapCall::pos, c -> c.hasMapFlag(Iomap.F_STALE))
                .as("the second begin asks for the same position, and gets a valid mapping")
                .containsExactly(tuple(4096L, true), tuple(4096L, false));
        assertThat(inode(f).calls().ends()).extracting(IomapCall::pos, IomapCall::written)
                .as("the stale mapping processed nothing").containsExactly(tuple(4096L, 0L), tuple(4096L, 8192L));
        assertThat(device.data(MIB + 2 * MIB + 4096, 8192)).as("written through the fresh mapping")
                .isEqualTo(Patterns.bytes(5, 8192));
        assertThat(device.data(MIB + 4096, 8192)).as("nothing written through the stale mapping")
                .isEqualTo(new byte[8192]);
        MemorySegment back = data(8192, 0);
        assertThat(f.pread(back, 0, 8192, 4096)).isEqualTo(8192);
        assertThat(back.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(Patterns.bytes(5, 8192));
    }

    @Test
    void aMappingEndMarksStaleCountsWhatItProcessedAndTheRestIsMappedAgain() throws Exception {
        OpenFile f = file("/a");
        inode(f).setBaseAddress(MIB).map(0, 64 * 1024, Mapping.mapped().limitedTo(4096))
                .markStaleAtEnd(8192);
        assertThat(f.pwrite(data(12288, 6), 0, 12288, 4096)).isEqualTo(12288);
        assertThat(inode(f).calls().begins()).extracting(IomapCall::pos)
                .as("each position mapped once: processed bytes of a stale mapping count")
                .containsExactly(4096L, 8192L, 12288L);
        assertThat(device.data(MIB + 4096, 12288)).isEqualTo(Patterns.bytes(6, 12288));
    }

    @Test
    void aBeginErrnoScriptedUnderNowaitOnlyFailsNowaitRequests() throws Exception {
        OpenFile f = file("/a");
        inode(f).map(0, 4096, Mapping.mapped().failingBeginUnderNowait(Errno.EAGAIN));
        Iocb nowait = new Iocb().set(f.inode(), 0, Iocb.WRITE | Iocb.NOWAIT, null);
        assertThat(f.inode().write(nowait, data(4096, 1), 0, 4096)).isEqualTo(-Errno.EAGAIN);
        assertThat(f.pwrite(data(4096, 1), 0, 4096, 0)).isEqualTo(4096);
        inode(f).map(0, 4096, Mapping.mapped().failingBegin(Errno.ENOSPC));
        assertThatThrownBy(() -> f.pwrite(data(4096, 1), 0, 4096, 0)).isInstanceOfSatisfying(
                JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
    }

    @Test
    void aHoleIsAllocatedNewByAWriteOnceAndRefusedUnderNowait() throws Exception {
        OpenFile f = file("/a");
        inode(f).map(0, 64 * 1024, Mapping.holeAllocatingAs(IomapType.UNWRITTEN));
        Iocb nowait = new Iocb().set(f.inode(), 4096, Iocb.WRITE | Iocb.NOWAIT, null);
        assertThat(f.inode().write(nowait, data(512, 1), 0, 512)).isEqualTo(-Errno.EAGAIN);
        assertThat(inode(f).mappingAt(4096).type()).as("nothing allocated").isEqualTo(IomapType.HOLE);

        assertThat(f.pwrite(data(512, 1), 0, 512, 4096 + 512)).isEqualTo(512);
        IomapCall alloc = inode(f).calls().begins().getLast();
        assertThat(alloc.type()).isEqualTo(IomapType.UNWRITTEN);
        assertThat(alloc.hasMapFlag(Iomap.F_NEW)).isTrue();
        assertThat(alloc.mapOffset()).as("whole blocks").isEqualTo(4096);
        assertThat(alloc.mapLength()).isEqualTo(4096);
        assertThat(inode(f).mappingAt(4096).type()).as("converted by end_io").isEqualTo(IomapType.MAPPED);
        assertThat(inode(f).mappingAt(8192).type()).as("the rest of the hole").isEqualTo(IomapType.HOLE);

        assertThat(f.pwrite(data(4096, 2), 0, 4096, 4096)).isEqualTo(4096);
        assertThat(inode(f).calls().begins().getLast().hasMapFlag(Iomap.F_NEW)).as("allocated once").isFalse();
    }

    @Test
    void writesTheScriptLeavesInAHoleOrPutsOutsideTheDeviceFailWithEio() throws Exception {
        OpenFile f = file("/a");
        inode(f).map(0, 4096, Mapping.hole());
        inode(f).map(4096, 4096, Mapping.mapped().shiftedBy(device.capabilities().capacityBytes()));
        for (long pos : new long[] {0, 4096}) {
            assertThatThrownBy(() -> f.pwrite(data(4096, 1), 0, 4096, pos)).as("write at " + pos)
                    .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
        }
    }

    @Test
    void endIoConvertsWrittenUnwrittenBlocksEndsCowAndRaisesTheSize() throws Exception {
        OpenFile f = file("/a");
        inode(f).map(0, 16384, Mapping.unwritten()).map(16384, 4096, Mapping.mapped().withFlags(Iomap.F_SHARED));
        assertThat(f.pwrite(data(1024, 1), 0, 1024, 4096 + 512)).isEqualTo(1024);
        assertThat(inode(f).mappingAt(4096).type()).isEqualTo(IomapType.MAPPED);
        assertThat(inode(f).mappingAt(0).type()).isEqualTo(IomapType.UNWRITTEN);
        assertThat(inode(f).mappingAt(8192).type()).isEqualTo(IomapType.UNWRITTEN);

        assertThat(f.pwrite(data(4096, 2), 0, 4096, 16384)).isEqualTo(4096);
        assertThat(inode(f).mappingAt(16384).hasFlag(Iomap.F_SHARED)).as("COW ended").isFalse();

        assertThat(f.pwrite(data(4096, 3), 0, 4096, MIB)).isEqualTo(4096);
        assertThat(f.size()).as("raised past EOF").isEqualTo(MIB + 4096);
        List<EndIoCall> calls = inode(f).calls().endIoCalls();
        assertThat(calls).extracting(EndIoCall::flags).containsExactly(DioOps.UNWRITTEN, DioOps.COW, 0);
        assertThat(calls).extracting(EndIoCall::iocbPosition).containsExactly(4096L + 512, 16384L, MIB);
    }

    @Test
    void injectedEndIoAndFsyncFailuresAreReturnedAndRecorded() throws Exception {
        OpenFile f = file("/a");
        inode(f).failEndIo(Errno.ENOSPC);
        assertThatThrownBy(() -> f.pwrite(data(4096, 1), 0, 4096, 0)).isInstanceOfSatisfying(
                JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
        inode(f).failEndIo(0).failFsync(Errno.EIO);
        assertThat(f.inode().fsync(0, 4095, true)).isEqualTo(-Errno.EIO);
        inode(f).failFsync(0);
        assertThat(f.inode().fsync(0, Long.MAX_VALUE, false)).isZero();
        assertThat(inode(f).fsyncCalls()).extracting(c -> c.datasync() + ":" + c.result())
                .containsExactly("true:-5", "false:0");
        assertThat(device.bios().getLast().isFlush()).as("a successful fsync flushes").isTrue();
    }

    @Test
    void truncateAndFallocateDrainDirectIoFirstAndChangeTheFile() throws Exception {
        device.setCompletion(ScriptedDevice.Completion.HELD);
        OpenFile f = file("/a");
        CompletionLog log = new CompletionLog();
        Iocb iocb = new Iocb().set(f.inode(), 0, Iocb.WRITE, log);
        assertThat(f.inode().write(iocb, data(4096, 1), 0, 4096)).isEqualTo(-Errno.EIOCBQUEUED);
        Thread drainer = Thread.ofPlatform().start(() -> f.inode().truncate(2 * MIB));
        await("truncate to wait for the drain").atMost(TIMEOUT).until(() ->
                drainer.getState() == Thread.State.WAITING || drainer.getState() == Thread.State.TIMED_WAITING);
        assertThat(f.size()).as("nothing changed before the drain").isEqualTo(MIB);
        device.releaseAll();
        drainer.join();
        assertThat(f.size()).isEqualTo(2 * MIB);
        assertThat(inode(f).drainCalls()).singleElement().satisfies(d -> {
            assertThat(d.operation()).isEqualTo("truncate");
            assertThat(d.inFlightBefore()).isEqualTo(1);
            assertThat(d.inFlightAfter()).isZero();
        });

        device.setCompletion(ScriptedDevice.Completion.SUBMITTER);
        assertThat(f.inode().fallocate(Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE, 0, 8192)).isZero();
        assertThat(inode(f).mappingAt(0).type()).isEqualTo(IomapType.UNWRITTEN);
        assertThat(f.inode().fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, 0, 4096)).isZero();
        assertThat(inode(f).mappingAt(0).allocateAs()).isEqualTo(IomapType.MAPPED);
        assertThat(f.inode().fallocate(0, 0, 4096)).isZero();
        assertThat(inode(f).mappingAt(0).type()).isEqualTo(IomapType.UNWRITTEN);
        assertThat(f.inode().fallocate(0, 2 * MIB, 4096)).isZero();
        assertThat(f.size()).as("grown without KEEP_SIZE").isEqualTo(2 * MIB + 4096);
        assertThat(f.inode().fallocate(Inode.FALLOC_PUNCH_HOLE, 0, 4096)).isEqualTo(-Errno.EOPNOTSUPP);
        assertThat(f.inode().fallocate(0, 100, 4096)).isEqualTo(-Errno.EINVAL);
        assertThat(inode(f).drainCalls()).extracting(DrainCall::operation)
                .containsExactly("truncate", "fallocate", "fallocate", "fallocate", "fallocate");
    }

    @Test
    void drainingOneFileLeavesAnotherFilesDeferredCompletionsToTheirIssuer() throws Exception {
        device.setCompletion(ScriptedDevice.Completion.HELD);
        OpenFile a = file("/a");
        OpenFile b = file("/b");
        inode(b).setBaseAddress(4 * MIB);
        CompletionLog log = new CompletionLog();
        int caller = CompletionMode.CALLER.iocbFlag() | Iocb.WRITE;
        Iocb ia = new Iocb().set(a.inode(), 0, caller, log);
        Iocb ib = new Iocb().set(b.inode(), 0, caller, log);
        assertThat(a.inode().write(ia, data(4096, 1), 0, 4096)).isEqualTo(-Errno.EIOCBQUEUED);
        assertThat(b.inode().write(ib, data(4096, 2), 0, 4096)).isEqualTo(-Errno.EIOCBQUEUED);
        device.releaseAll();
        assertThat(log.calls()).extracting(CompletionLog.KiComplete::deferred).doesNotContainNull().hasSize(2);

        assertThat(a.inode().truncate(MIB)).isZero();
        assertThat(ia.deferred().isDone()).as("a's completion, run by a's drainer").isTrue();
        assertThat(log.wakeups()).as("the issuer told to collect it").isEqualTo(1);
        assertThat(ib.deferred().isPending()).as("b's completion is still b's issuer's to run").isTrue();
        assertThat(b.inode().dio().inFlight()).isEqualTo(1);
        assertThat(ia.deferred().result()).isEqualTo(4096);
        assertThat(ib.deferred().claim()).isTrue();
        assertThat(ib.deferred().runClaimed()).isEqualTo(4096);
        assertThat(b.inode().dio().inFlight()).isZero();
    }

    @Test
    void createMakesAFileInTheRootThatLookupReaddirAndOpenFind() throws Exception {
        ScriptedFileSystem fs = mount(Map.of());
        long root = ScriptedFileSystem.ROOT_INO;
        assertThat(fs.lookup(root, "x")).isZero();
        FileStat x = fs.create(root, "x", 0600, 7, 8);
        assertThat(fs.lookup(root, "x")).isEqualTo(x.ino());
        assertThat(fs.getattr(x.ino())).extracting(FileStat::mode, FileStat::uid, FileStat::gid)
                .containsExactly(0600, 7, 8);
        assertThat(fs.readdir(root, null, 10)).extracting(DirEntry::name).containsExactly("x");
        Inode inode = fs.open(x.ino());
        assertThat(fs.file("/x")).containsSame((ScriptedInode) inode);
    }

    @Test
    void openThroughTheMountCreatesAndRefusesMissingOrExclusiveExistingFiles() throws Exception {
        mount(Map.of());
        assertThatThrownBy(() -> mount.open("/x", 0)).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        Inode x = mount.open("/x", OpenFile.CREATE).inode();
        assertThat(mount.open("/x", 0).inode()).isSameAs(x);
        assertThatThrownBy(() -> mount.open("/x", OpenFile.CREATE | OpenFile.EXCLUSIVE))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
    }

    @Test
    void theFlatFileSystemRefusesDirectoriesWithEperm() throws Exception {
        mount(Map.of());
        assertThatThrownBy(() -> mount.mkdir("/d")).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EPERM));
    }

    @Test
    void mountTakesAValidBlockSizeAndRefusesAnythingElseSayingWhy() throws Exception {
        assertThatThrownBy(() -> Mount.mount(new ScriptedFileSystemType(), device,
                Mount.Options.defaults().withFsOptions(Map.of("block-size", "3000"))))
                .hasMessageContaining("block-size=3000").hasMessageContaining("power of two");
        assertThatThrownBy(() -> Mount.mount(new ScriptedFileSystemType(), device,
                Mount.Options.defaults().withFsOptions(Map.of("colour", "blue"))))
                .hasMessageContaining("colour");
        assertThat(mount(Map.of("block-size", "8192")).blockSize()).isEqualTo(8192);
    }

    @Test
    void unmountDrainsEveryFileAndRefusesLaterOpens() throws Exception {
        device.setCompletion(ScriptedDevice.Completion.THREAD);
        OpenFile a = file("/a");
        OpenFile b = file("/b");
        CompletionLog log = new CompletionLog();
        a.inode().write(new Iocb().set(a.inode(), 0, Iocb.WRITE, log), data(4096, 1), 0, 4096);
        ScriptedFileSystem fs = (ScriptedFileSystem) mount.fileSystem();
        mount.close();
        assertThat(a.inode().dio().inFlight()).isZero();
        assertThat(inode(a).drainCalls()).extracting(DrainCall::operation).containsExactly("unmount");
        assertThat(inode(b).drainCalls()).extracting(DrainCall::operation).containsExactly("unmount");
        assertThat(fs.isUnmounted()).isTrue();
        assertThatThrownBy(() -> fs.open(a.inode().ino())).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV));
    }
}
