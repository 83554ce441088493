package io.jiomap.fs.ext4like;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.device.memory.MemoryDeviceProvider;
import io.jiomap.device.toolkit.fault.PowerCutDevice;
import io.jiomap.fs.ext4like.mount.Ext4FileSystem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** POSIX metadata over power cuts: what sync committed comes back by journal replay, orphans are freed at mount. */
class PosixCrashTest {
    private static final Ext4LikeFileSystemType TYPE = new Ext4LikeFileSystemType();
    private final Arena arena = Arena.ofShared();
    private final BlockDevice device;

    PosixCrashTest() throws Exception {
        device = new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=32m,vwc=on,fua=on"));
        Mount.mkfs(TYPE, device, Map.of("blocks-per-group", "4096"));
    }

    @AfterEach
    void close() {
        device.close();
        arena.close();
    }

    private static void crash(Mount mount, PowerCutDevice view) {
        view.powerCut();
        try {
            mount.close();
        } catch (Exception expected) {
            // The abandoned mount cannot write anything any more: that is the point.
        }
    }

    private void assertFsckClean() throws Exception {
        assertThat(TYPE.fsck(device, Map.of()).problems()).isEmpty();
    }

    @Test
    void chmodChownUtimensPersistOverUnmount() throws Exception {
        Mount m = Mount.mount(TYPE, device, Mount.Options.defaults());
        m.mkdir("/d");
        m.open("/d/f", OpenFile.CREATE).close();
        m.chmod("/d/f", 0750);
        m.chown("/d/f", 1000, 100);
        m.utimens("/d/f", 111, 222);
        FileStat before = m.stat("/d/f");
        long ino = before.ino();
        assertThat(before.mode()).isEqualTo(0750);
        assertThat(before.uid()).isEqualTo(1000);
        assertThat(before.atime()).isEqualTo(111);
        m.close();
        assertFsckClean();

        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        assertThat(after.fileSystem().getattr(ino)).isEqualTo(before);
        after.close();
    }

    @Test
    void chmodChownUtimensPersistOverJournalReplayAfterACrash() throws Exception {
        PowerCutDevice view = new PowerCutDevice(device);
        Mount m = Mount.mount(TYPE, view, Mount.Options.defaults());
        FileSystem fs = m.fileSystem();
        long ino = fs.create(fs.rootIno(), "f", 0644, 0, 0).ino();
        fs.setattr(ino, SetAttr.mode(02711));
        fs.setattr(ino, SetAttr.owner(7, 8));
        fs.setattr(ino, SetAttr.times(333, 444));
        FileStat synced = fs.getattr(ino);
        fs.sync();
        fs.setattr(ino, SetAttr.mode(0600));
        crash(m, view);

        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        FileStat back = after.fileSystem().getattr(ino);
        assertThat(back).as("what sync committed, not the later chmod").isEqualTo(synced);
        after.close();
        assertFsckClean();
    }

    @Test
    void aPureOverwriteJournalsNothingAndItsMtimeReachesTheDiskWithFsync() throws Exception {
        PowerCutDevice view = new PowerCutDevice(device);
        Mount m = Mount.mount(TYPE, view, Mount.Options.defaults());
        Ext4FileSystem fs = (Ext4FileSystem) m.fileSystem();
        OpenFile f = m.open("/f", OpenFile.CREATE);
        MemorySegment buf = arena.allocate(4096, 4096);
        f.pwrite(buf, 0, 4096, 0);
        long ino = f.inode().ino();
        fs.setattr(ino, SetAttr.times(1, 1));
        fs.sync();
        assertThat(fs.volume().journal().hasUncommitted()).isFalse();

        f.pwrite(buf, 0, 4096, 0);
        assertThat(fs.volume().journal().hasUncommitted()).as("lazytime: the overwrite logged nothing").isFalse();
        long mtime = fs.getattr(ino).mtime();
        assertThat(mtime).as("mtime changed in memory").isGreaterThan(1);
        f.fsync(false);
        crash(m, view);

        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        assertThat(after.fileSystem().getattr(ino).mtime()).as("fsync logged the times").isEqualTo(mtime);
        after.close();
        assertFsckClean();
    }

    @Test
    void anOpenFileUnlinkedBeforeACrashIsFreedAtMount() throws Exception {
        PowerCutDevice view = new PowerCutDevice(device);
        Mount m = Mount.mount(TYPE, view, Mount.Options.defaults());
        FileSystem fs = m.fileSystem();
        OpenFile f = m.open("/f", OpenFile.CREATE);
        f.pwrite(arena.allocate(8192, 4096), 0, 8192, 0);
        long ino = f.inode().ino();
        fs.sync();
        long freeInodes = fs.statfs().freeInodes();
        long freeBlocks = fs.statfs().freeBlocks();
        fs.open(ino);
        fs.unlink(fs.rootIno(), "f");
        fs.sync();
        assertThat(fs.getattr(ino).links()).as("open: not freed yet").isZero();
        crash(m, view);

        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        FileSystem again = after.fileSystem();
        assertThatThrownBy(() -> again.getattr(ino)).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        assertThat(again.statfs().freeInodes()).isEqualTo(freeInodes + 1);
        assertThat(again.statfs().freeBlocks()).isEqualTo(freeBlocks + 2);
        after.close();
        assertFsckClean();
    }

    @Test
    void aRenameExchangeIsOneTransactionOverACrash() throws Exception {
        PowerCutDevice view = new PowerCutDevice(device);
        Mount m = Mount.mount(TYPE, view, Mount.Options.defaults());
        FileSystem fs = m.fileSystem();
        long root = fs.rootIno();
        long p = fs.mkdir(root, "p", 0755, 0, 0).ino();
        long d = fs.mkdir(root, "d", 0755, 0, 0).ino();
        long f = fs.create(p, "f", 0644, 0, 0).ino();
        fs.rename(root, "d", p, "f", FileSystem.RENAME_EXCHANGE);
        fs.sync();
        crash(m, view);

        Mount after = Mount.mount(TYPE, device, Mount.Options.defaults());
        FileSystem again = after.fileSystem();
        assertThat(again.lookup(root, "d")).isEqualTo(f);
        assertThat(again.lookup(p, "f")).isEqualTo(d);
        assertThat(again.parent(d)).isEqualTo(p);
        after.close();
        assertFsckClean();
    }
}
