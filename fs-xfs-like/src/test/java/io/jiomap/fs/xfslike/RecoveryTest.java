package io.jiomap.fs.xfslike;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.device.toolkit.fault.PowerCutDevice;
import io.jiomap.tck.observe.TappedDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Log replay on mount after a power cut: committed transactions come back, others do not, replay is idempotent. */
class RecoveryTest {
    private static final int BS = 4096;

    @Test
    void forcedTransactionsReplayAndUnforcedOnesAreGoneAfterAPowerCut() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of());
            PowerCutDevice view = new PowerCutDevice(dev);
            Mount m = Devices.mount(view);
            OpenFile a = m.open("/a", OpenFile.CREATE);
            MemorySegment data = Devices.pattern(arena, 64 * 1024, 5);
            a.pwrite(data, 0, 64 * 1024, 0);
            a.fsync(true);
            m.open("/b", OpenFile.CREATE);
            view.powerCut();
            m.close();

            FsckReport before = Devices.TYPE.fsck(dev, Map.of());
            assertThat(before.problems()).anyMatch(p -> p.startsWith("log needs replay"));

            try (Mount again = Devices.mount(dev)) {
                assertThat(again.readdir("/")).extracting(DirEntry::name)
                        .as("/a was forced by fdatasync; /b was only in the CIL").containsExactly("a");
                OpenFile a2 = again.open("/a", 0);
                assertThat(a2.size()).isEqualTo(64 * 1024);
                MemorySegment back = arena.allocate(64 * 1024, 4096);
                a2.pread(back, 0, 64 * 1024, 0);
                assertThat(Devices.bytes(back)).isEqualTo(Devices.bytes(data));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void recoveryIsIdempotentWhenTheMachineCrashesRightAfterIt() throws Exception {
        try (BlockDevice dev = Devices.memory()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of());
            PowerCutDevice first = new PowerCutDevice(dev);
            Mount m = Devices.mount(first);
            m.mkdir("/d");
            m.open("/d/x", OpenFile.CREATE).fallocate(0, 0, 10 * BS);
            m.fileSystem().sync();
            first.powerCut();
            m.close();
            for (int i = 0; i < 2; i++) {
                PowerCutDevice again = new PowerCutDevice(dev);
                Mount r = Devices.mount(again);
                assertThat(r.stat("/d/x").size()).isEqualTo(10 * BS);
                assertThat(r.open("/d/x", 0).fiemap(0, 10 * BS)).singleElement()
                        .satisfies(e -> assertThat(e.has(FileExtent.UNWRITTEN)).isTrue());
                again.powerCut();
                r.close();
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    @Test
    void copyOnWriteStagingLeftByACrashIsFreedAtMount() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of());
            PowerCutDevice view = new PowerCutDevice(dev);
            TappedDevice tap = new TappedDevice(view);
            Mount m = Devices.mount(tap);
            OpenFile a = m.open("/a", OpenFile.CREATE);
            MemorySegment data = Devices.pattern(arena, 16 * 1024, 7);
            a.pwrite(data, 0, 16 * 1024, 0);
            OpenFile b = m.open("/b", OpenFile.CREATE);
            b.cloneFrom(a, 0, 0, 16 * 1024);
            m.fileSystem().sync();
            long freeBefore = m.fileSystem().statfs().freeBlocks();

            // The CoW write's data bio is held, so its end_io never runs; its staging allocation is forced to the log.
            tap.holdNext(1);
            io.jiomap.api.vfs.Iocb iocb = new io.jiomap.api.vfs.Iocb().set(b.inode(), 4096,
                    io.jiomap.api.vfs.Iocb.WRITE, (io, r) -> { });
            MemorySegment buf = Devices.pattern(arena, BS, 8);
            assertThat(b.inode().write(iocb, buf, 0, BS)).isEqualTo(-io.jiomap.api.Errno.EIOCBQUEUED);
            a.fsync(false);
            m.fileSystem().sync();
            assertThat(m.fileSystem().statfs().freeBlocks()).isEqualTo(freeBefore - 1);
            ((io.jiomap.api.block.SimulatesPowerLoss) dev).powerCut();
            tap.fail(0, io.jiomap.api.Errno.EIO);
            view.powerCut();
            m.close();

            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).anyMatch(p -> p.contains("CoW staging"));
            try (Mount again = Devices.mount(dev)) {
                assertThat(again.fileSystem().statfs().freeBlocks()).isEqualTo(freeBefore);
                MemorySegment back = arena.allocate(16 * 1024, 4096);
                again.open("/b", 0).pread(back, 0, 16 * 1024, 0);
                assertThat(Devices.bytes(back)).as("the clone keeps the old data").isEqualTo(Devices.bytes(data));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }

    /**
     * A CoW write moves the clone off a shared block (refcount 2 -> 1) in a transaction not yet stable; the source,
     * now sole owner, overwrites the block in place. Were that overwrite to reach the disk before the remap, a power
     * cut would show the source's new data in the clone (the crash harness found this): the overwrite waits for the
     * unsharing to be stable.
     */
    @Test
    void anOverwriteOfABlockJustUnsharedNeverShowsInTheOtherFileAfterAPowerCut() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of());
            PowerCutDevice view = new PowerCutDevice(dev);
            Mount m = Devices.mount(view);
            OpenFile src = m.open("/src", OpenFile.CREATE);
            MemorySegment original = Devices.pattern(arena, BS, 1);
            src.pwrite(original, 0, BS, 0);
            OpenFile clone = m.open("/clone", OpenFile.CREATE);
            clone.cloneFrom(src, 0, 0, BS);
            m.fileSystem().sync();
            MemorySegment cowData = Devices.pattern(arena, BS, 2);
            clone.pwrite(cowData, 0, BS, 0);
            MemorySegment overwrite = Devices.pattern(arena, BS, 3);
            src.pwrite(overwrite, 0, BS, 0);
            src.fsync(true);
            view.powerCut();
            m.close();
            try (Mount again = Devices.mount(dev)) {
                MemorySegment back = arena.allocate(BS, 4096);
                again.open("/clone", 0).pread(back, 0, BS, 0);
                assertThat(Devices.bytes(back)).as("the clone holds its old or its new data, never the source's")
                        .isIn(Devices.bytes(original), Devices.bytes(cowData));
                again.open("/src", 0).pread(back, 0, BS, 0);
                assertThat(Devices.bytes(back)).as("acknowledged by fdatasync").isEqualTo(Devices.bytes(overwrite));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }
}
