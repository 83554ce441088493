package io.jiomap.fs.ext4like;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.device.memory.MemoryDeviceProvider;
import io.jiomap.device.toolkit.fault.PowerCutDevice;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import io.jiomap.fs.ext4like.inode.OrphanList;
import io.jiomap.fs.ext4like.inode.Volume;
import io.jiomap.fs.ext4like.meta.Journal;
import io.jiomap.fs.ext4like.mount.Ext4FileSystem;
import io.jiomap.tck.observe.TappedDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Power cuts at chosen points: journal replay on mount, the orphan list, what fsync promises. */
class CrashRecoveryTest {
    private static final Ext4LikeFileSystemType TYPE = new Ext4LikeFileSystemType();
    private final Arena arena = Arena.ofShared();
    private final BlockDevice device;

    CrashRecoveryTest() throws Exception {
        device = new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=32m,vwc=on,fua=on"));
        Mount.mkfs(TYPE, device, Map.of("blocks-per-group", "4096"));
    }

    @AfterEach
    void close() {
        device.close();
        arena.close();
    }

    private MemorySegment data(int length, int seed) {
        MemorySegment b = arena.allocate(length, 4096);
        for (int i = 0; i < length; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (seed * 13 + i));
        }
        return b;
    }

    /** Cuts the power under a mount and abandons it, as a crash does. */
    private static void crash(Mount mount, PowerCutDevice view) {
        view.powerCut();
        try {
            mount.close();
        } catch (Exception expected) {
            // The abandoned mount cannot write anything any more: that is the point.
        }
    }

    @Test
    void fsyncedFileAndDataSurviveAPowerCutThroughJournalReplay() throws Exception {
        PowerCutDevice view = new PowerCutDevice(device);
        Mount m = Mount.mount(TYPE, view, Mount.Options.defaults());
        m.mkdir("/d");
        OpenFile f = m.open("/d/f", OpenFile.CREATE);
        f.pwrite(data(8192, 1), 0, 8192, 0);
        f.fsync(false);
        assertThat(TYPE.fsck(device, Map.of()).problems()).as("fsck before recovery")
                .anyMatch(p -> p.contains("journal needs recovery") && p.contains("mount it first"));
        crash(m, view);

        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        OpenFile g = after.open("/d/f", 0);
        assertThat(g.size()).isEqualTo(8192);
        MemorySegment back = arena.allocate(8192, 4096);
        g.pread(back, 0, 8192, 0);
        assertThat(back.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(data(8192, 1).toArray(ValueLayout.JAVA_BYTE));
        after.close();
        assertThat(TYPE.fsck(device, Map.of()).problems()).isEmpty();
    }

    @Test
    void changesNeverCommittedAreGoneAndTheImageIsConsistent() throws Exception {
        PowerCutDevice view = new PowerCutDevice(device);
        Mount m = Mount.mount(TYPE, view, Mount.Options.defaults());
        m.open("/kept", OpenFile.CREATE);
        m.fileSystem().sync();
        m.open("/lost", OpenFile.CREATE).pwrite(data(4096, 2), 0, 4096, 0);
        crash(m, view);

        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        assertThat(after.readdir("/")).extracting(e -> e.name()).containsExactly("kept");
        after.close();
        assertThat(TYPE.fsck(device, Map.of()).problems()).isEmpty();
    }

    @Test
    void extendingWriteCutBeforeItsDataLandedIsTrimmedByOrphanProcessing() throws Exception {
        PowerCutDevice view = new PowerCutDevice(device);
        TappedDevice tap = new TappedDevice(view);
        Mount m = Mount.mount(TYPE, tap, Mount.Options.defaults());
        OpenFile f = m.open("/f", OpenFile.CREATE);
        f.pwrite(data(4096, 3), 0, 4096, 0);
        f.fsync(false);
        tap.holdNext(1);
        CompletableFuture<Long> w = CompletableFuture.supplyAsync(() -> {
            try {
                return f.pwrite(data(8192, 4), 0, 8192, 4096);
            } catch (Exception e) {
                return -1L;
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> tap.heldCount() == 1);
        // The allocation and the orphan entry commit while the data is still in flight; then the power goes.
        m.fileSystem().sync();
        view.powerCut();
        tap.releaseAll();
        assertThat(w.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("the data write fails: the device is gone")
                .isNegative();
        crash(m, view);

        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        OpenFile g = after.open("/f", 0);
        assertThat(g.size()).as("the size update never committed").isEqualTo(4096);
        assertThat(g.fiemap(0, 1 << 20)).as("blocks past EOF trimmed").singleElement()
                .satisfies(e -> assertThat(e.length()).isEqualTo(4096));
        after.close();
        assertThat(TYPE.fsck(device, Map.of()).problems()).isEmpty();
    }

    @Test
    void anInodeWithNoNamesLeftStaysAnOrphanWhenItsLastExtendingWriteEndsSoACrashStillFreesIt() throws Exception {
        PowerCutDevice view = new PowerCutDevice(device);
        Mount m = Mount.mount(TYPE, view, Mount.Options.defaults());
        OpenFile f = m.open("/f", OpenFile.CREATE);
        f.pwrite(data(8192, 5), 0, 8192, 0);
        m.fileSystem().sync();
        long freeInodes = m.fileSystem().statfs().freeInodes();
        long freeBlocks = m.fileSystem().statfs().freeBlocks();
        Ext4FileSystem fs = (Ext4FileSystem) m.fileSystem();
        Volume vol = fs.volume();
        Ext4Inode in = vol.inodes().get(f.stat().ino());
        // What unlink's drain meets: the name is gone (links 0, on the orphan list), then the end_io of an extending
        // write finishes and takes its inode off the list; a commit lands before the deletion does.
        try (Journal.Handle h = vol.journal().start(OrphanList.CREDITS * 2)) {
            fs.namespace().removeNameLocked(vol.inodes().get(Superblock.ROOT_INO), "f");
            in.record().links = 0;
            vol.orphans().addLocked(in);
            vol.orphans().removeLocked(in);
            assertThat(vol.orphans().containsLocked(in)).as("still an orphan: nothing else would free it").isTrue();
        }
        assertThat(vol.journal().commit()).isPositive();
        crash(m, view);

        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        assertThat(after.fileSystem().statfs().freeInodes()).as("the inode freed at mount").isEqualTo(freeInodes + 1);
        assertThat(after.fileSystem().statfs().freeBlocks()).as("with its blocks").isEqualTo(freeBlocks + 2);
        after.close();
        assertThat(TYPE.fsck(device, Map.of()).problems()).isEmpty();
    }

    @Test
    void recoveryIsIdempotentWhenTheMountItselfIsCut() throws Exception {
        PowerCutDevice view = new PowerCutDevice(device);
        Mount m = Mount.mount(TYPE, view, Mount.Options.defaults());
        for (int i = 0; i < 20; i++) {
            m.open("/f" + i, OpenFile.CREATE).pwrite(data(4096, i), 0, 4096, 0);
        }
        m.fileSystem().sync();
        crash(m, view);

        // A mount whose own writes are all lost (the cut comes right after recovery's replay, before its flush)...
        PowerCutDevice second = new PowerCutDevice(device);
        Mount interrupted = Mount.mount(TYPE, second, Mount.Options.defaults());
        crash(interrupted, second);
        // ...and one that completes: the same result, clean.
        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        assertThat(after.readdir("/")).hasSize(20);
        after.close();
        assertThat(TYPE.fsck(device, Map.of()).problems()).isEmpty();
        Mount again = Mount.mount(TYPE, device, Mount.Options.defaults());
        assertThat(again.readdir("/")).hasSize(20);
        again.close();
    }

    @Test
    void writeIntoPreallocationWithoutFsyncReadsAsZerosAfterACrash() throws Exception {
        PowerCutDevice view = new PowerCutDevice(device);
        Mount m = Mount.mount(TYPE, view, Mount.Options.defaults());
        OpenFile f = m.open("/p", OpenFile.CREATE);
        f.fallocate(0, 0, 65536);
        f.fsync(false);
        f.pwrite(data(4096, 5), 0, 4096, 8192);
        crash(m, view);
        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        OpenFile g = after.open("/p", 0);
        assertThat(g.size()).isEqualTo(65536);
        MemorySegment back = arena.allocate(65536, 4096);
        g.pread(back, 0, 65536, 0);
        assertThat(back.toArray(ValueLayout.JAVA_BYTE)).as("the conversion never committed: zeros, no stale data")
                .containsOnly(0);
        assertThat(g.fiemap(0, 65536)).allSatisfy(e -> assertThat(e.has(FileExtent.UNWRITTEN)).isTrue());
        after.close();
        assertThat(TYPE.fsck(device, Map.of()).problems()).isEmpty();
    }
}
