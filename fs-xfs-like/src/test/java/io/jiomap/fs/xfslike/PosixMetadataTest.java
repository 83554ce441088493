package io.jiomap.fs.xfslike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.device.toolkit.fault.PowerCutDevice;
import io.jiomap.fs.xfslike.format.Superblock;
import io.jiomap.fs.xfslike.mount.Superblocks;
import io.jiomap.tck.observe.BioRecord;
import io.jiomap.tck.observe.TappedDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The inode-level namespace and the POSIX metadata xfs-like keeps on disk, through the FileSystem SPI. */
class PosixMetadataTest {
    private static final int BS = 4096;

    private static void assertErrno(ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).as("%s", e.getMessage()).isEqualTo(errno));
    }

    private static void assertCleanFsck(BlockDevice dev) throws JiomapException {
        assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
    }

    @Test
    void aHardLinkSurvivesTheUnlinkOfTheOtherName() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            MemorySegment data = Devices.pattern(arena, 2 * BS, 4);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                FileSystem fs = m.fileSystem();
                long root = fs.rootIno();
                m.open("/a", OpenFile.CREATE).pwrite(data, 0, 2 * BS, 0);
                long ino = fs.lookup(root, "a");
                long dir = fs.mkdir(root, "d", 0755, 0, 0).ino();
                FileStat linked = fs.link(ino, dir, "b");
                assertThat(linked.links()).isEqualTo(2);
                assertThat(fs.getattr(root).links()).as("root: its name, '.', and d's '..'").isEqualTo(3);
                fs.unlink(root, "a");
                assertThat(fs.lookup(root, "a")).isZero();
                assertThat(fs.getattr(ino).links()).isEqualTo(1);
            }
            assertCleanFsck(dev);
            try (Mount m = Devices.mount(dev)) {
                FileSystem fs = m.fileSystem();
                long dir = fs.lookup(fs.rootIno(), "d");
                long ino = fs.lookup(dir, "b");
                assertThat(fs.getattr(ino).links()).isEqualTo(1);
                MemorySegment back = arena.allocate(2 * BS, 4096);
                m.open("/d/b", 0).pread(back, 0, 2 * BS, 0);
                assertThat(Devices.bytes(back)).isEqualTo(Devices.bytes(data));
            }
        }
    }

    @Test
    void renameExchangeOfAFileAndADirectoryFixesTheMovedDirectorysParentAndLinkCounts() throws Exception {
        try (BlockDevice dev = Devices.memory()) {
            long a;
            long b;
            long sub;
            long file;
            try (Mount m = Devices.mkfsAndMount(dev)) {
                FileSystem fs = m.fileSystem();
                long root = fs.rootIno();
                a = fs.mkdir(root, "a", 0755, 0, 0).ino();
                b = fs.mkdir(root, "b", 0755, 0, 0).ino();
                sub = fs.mkdir(a, "sub", 0755, 0, 0).ino();
                file = fs.create(b, "file", 0644, 0, 0).ino();
                assertThat(fs.getattr(a).links()).isEqualTo(3);
                assertThat(fs.getattr(b).links()).isEqualTo(2);
                fs.rename(a, "sub", b, "file", FileSystem.RENAME_EXCHANGE);
                assertThat(fs.lookup(a, "sub")).isEqualTo(file);
                assertThat(fs.lookup(b, "file")).isEqualTo(sub);
                assertThat(fs.parent(sub)).isEqualTo(b);
                assertThat(fs.getattr(a).links()).isEqualTo(2);
                assertThat(fs.getattr(b).links()).isEqualTo(3);
            }
            assertCleanFsck(dev);
            try (Mount m = Devices.mount(dev)) {
                FileSystem fs = m.fileSystem();
                assertThat(fs.parent(sub)).isEqualTo(b);
                assertThat(fs.getattr(a).links()).isEqualTo(2);
                assertThat(fs.getattr(b).links()).isEqualTo(3);
                assertThat(fs.readdir(a, null, 10)).containsExactly(new DirEntry("sub", file, FileKind.REGULAR));
            }
        }
    }

    @Test
    void renameNoreplaceRefusesAnExistingNameAndChangesNothing() throws Exception {
        try (BlockDevice dev = Devices.memory(); Mount m = Devices.mkfsAndMount(dev)) {
            FileSystem fs = m.fileSystem();
            long root = fs.rootIno();
            long x = fs.create(root, "x", 0644, 0, 0).ino();
            long y = fs.create(root, "y", 0644, 0, 0).ino();
            assertErrno(() -> fs.rename(root, "x", root, "y", FileSystem.RENAME_NOREPLACE), Errno.EEXIST);
            assertThat(fs.lookup(root, "x")).isEqualTo(x);
            assertThat(fs.lookup(root, "y")).isEqualTo(y);
            fs.rename(root, "x", root, "z", FileSystem.RENAME_NOREPLACE);
            assertThat(fs.lookup(root, "z")).isEqualTo(x);
            assertThat(fs.lookup(root, "x")).isZero();
        }
    }

    @Test
    void renameOverAFileReplacesItAndFreesItsBlocks() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            try (Mount m = Devices.mkfsAndMount(dev)) {
                FileSystem fs = m.fileSystem();
                long root = fs.rootIno();
                long free = fs.statfs().freeBlocks();
                try (OpenFile victim = m.open("/victim", OpenFile.CREATE)) {
                    victim.pwrite(Devices.pattern(arena, 4 * BS, 1), 0, 4 * BS, 0);
                }
                long src = fs.create(root, "src", 0600, 0, 0).ino();
                fs.rename(root, "src", root, "victim", 0);
                assertThat(fs.lookup(root, "victim")).isEqualTo(src);
                assertThat(fs.readdir(root, null, 10)).extracting(DirEntry::name).containsExactly("victim");
                assertThat(fs.statfs().freeBlocks()).isEqualTo(free);
            }
            assertCleanFsck(dev);
        }
    }

    @Test
    void extendedAttributesAreCreatedReplacedListedRemovedAndKeptOnDisk() throws Exception {
        try (BlockDevice dev = Devices.memory()) {
            long ino;
            try (Mount m = Devices.mkfsAndMount(dev)) {
                FileSystem fs = m.fileSystem();
                ino = fs.create(fs.rootIno(), "f", 0644, 0, 0).ino();
                long ctime = fs.getattr(ino).ctime();
                fs.setxattr(ino, "user.b", new byte[] {2}, FileSystem.XATTR_CREATE);
                fs.setxattr(ino, "user.a", new byte[] {1}, 0);
                assertThat(fs.getattr(ino).ctime()).isGreaterThanOrEqualTo(ctime);
                assertErrno(() -> fs.setxattr(ino, "user.a", new byte[] {9}, FileSystem.XATTR_CREATE), Errno.EEXIST);
                assertErrno(() -> fs.setxattr(ino, "user.c", new byte[] {9}, FileSystem.XATTR_REPLACE),
                        Errno.ENODATA);
                fs.setxattr(ino, "user.a", new byte[] {7, 7}, FileSystem.XATTR_REPLACE);
                assertThat(fs.getxattr(ino, "user.a")).containsExactly(7, 7);
                assertErrno(() -> fs.getxattr(ino, "user.none"), Errno.ENODATA);
                assertErrno(() -> fs.removexattr(ino, "user.none"), Errno.ENODATA);
                fs.setxattr(ino, "user.gone", new byte[10], 0);
                fs.removexattr(ino, "user.gone");
                assertThat(fs.listxattr(ino)).containsExactly("user.a", "user.b");
                fs.setxattr(ino, "user.big", new byte[65536], 0);
                assertErrno(() -> fs.setxattr(ino, "user.big2", new byte[65536], 0), Errno.ENOSPC);
            }
            assertCleanFsck(dev);
            try (Mount m = Devices.mount(dev)) {
                FileSystem fs = m.fileSystem();
                assertThat(fs.listxattr(ino)).containsExactly("user.a", "user.b", "user.big");
                assertThat(fs.getxattr(ino, "user.a")).containsExactly(7, 7);
                assertThat(fs.getxattr(ino, "user.big")).hasSize(65536);
            }
        }
    }

    @Test
    void aSymbolicLinkRoundTripsItsTargetOverRemount() throws Exception {
        String longest = "t/".repeat(2047) + "x";
        try (BlockDevice dev = Devices.memory()) {
            long s;
            long l;
            try (Mount m = Devices.mkfsAndMount(dev)) {
                FileSystem fs = m.fileSystem();
                long root = fs.rootIno();
                FileStat st = fs.symlink(root, "s", "../some/where", 1000, 100);
                s = st.ino();
                assertThat(st.kind()).isEqualTo(FileKind.SYMLINK);
                assertThat(st.mode()).isEqualTo(0777);
                assertThat(st.size()).isEqualTo("../some/where".length());
                l = fs.symlink(root, "l", longest, 0, 0).ino();
                assertErrno(() -> fs.symlink(root, "too", longest + "y", 0, 0), Errno.ENAMETOOLONG);
                assertErrno(() -> fs.open(s), Errno.ELOOP);
                long f = fs.create(root, "f", 0644, 0, 0).ino();
                assertErrno(() -> fs.readlink(f), Errno.EINVAL);
            }
            assertCleanFsck(dev);
            try (Mount m = Devices.mount(dev)) {
                FileSystem fs = m.fileSystem();
                m.symlink("/f", "/to-f");
                assertThat(m.readlink("/to-f")).isEqualTo("/f");
                assertThat(m.lstat("/to-f").kind()).isEqualTo(FileKind.SYMLINK);
                assertThat(m.stat("/to-f").kind()).as("stat follows the link").isEqualTo(FileKind.REGULAR);
                assertThat(fs.readlink(s)).isEqualTo("../some/where");
                assertThat(fs.readlink(l)).isEqualTo(longest);
                assertThat(fs.getattr(l).size()).isEqualTo(4095);
                assertThat(fs.getattr(s).uid()).isEqualTo(1000);
            }
        }
    }

    private static final long ATIME = 1_000_000_123L;
    private static final long MTIME = 2_000_000_456L;

    /** Through the core's path layer; chown before chmod, as chown clears set-user-ID. */
    private static long chmodChownUtimens(Mount m) throws JiomapException {
        m.open("/f", OpenFile.CREATE, 0644).close();
        m.chown("/f", 1000, -1);
        m.chown("/f", -1, 100);
        m.chmod("/f", 04750);
        FileStat st = m.utimens("/f", ATIME, MTIME);
        assertThat(st.ctime()).as("ctime is now, not the time set").isGreaterThan(MTIME);
        return st.ino();
    }

    private static void assertAttributes(FileStat st) {
        assertThat(st.mode()).isEqualTo(04750);
        assertThat(st.uid()).isEqualTo(1000);
        assertThat(st.gid()).isEqualTo(100);
        assertThat(st.atime()).isEqualTo(ATIME);
        assertThat(st.mtime()).isEqualTo(MTIME);
    }

    @Test
    void chmodChownAndUtimensPersistOverUnmount() throws Exception {
        try (BlockDevice dev = Devices.memory()) {
            long ino;
            try (Mount m = Devices.mkfsAndMount(dev)) {
                ino = chmodChownUtimens(m);
            }
            assertCleanFsck(dev);
            try (Mount m = Devices.mount(dev)) {
                assertAttributes(m.fileSystem().getattr(ino));
            }
        }
    }

    @Test
    void chmodChownAndUtimensSurviveCrashRecoveryOnceSynced() throws Exception {
        try (BlockDevice dev = Devices.memory()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of());
            PowerCutDevice view = new PowerCutDevice(dev);
            Mount m = Devices.mount(view);
            long ino = chmodChownUtimens(m);
            m.fileSystem().sync();
            long unsynced = m.fileSystem().create(m.fileSystem().rootIno(), "unsynced", 0600, 0, 0).ino();
            m.fileSystem().setattr(ino, SetAttr.mode(0600));
            view.powerCut();
            m.close();
            try (Mount again = Devices.mount(dev)) {
                FileSystem fs = again.fileSystem();
                assertAttributes(fs.getattr(ino));
                assertThat(fs.lookup(fs.rootIno(), "unsynced")).as("never forced: gone").isZero();
                assertErrno(() -> fs.getattr(unsynced), Errno.ENOENT);
            }
            assertCleanFsck(dev);
        }
    }

    @Test
    void setattrSizeTruncatesAndSetsMtime() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared(); Mount m = Devices.mkfsAndMount(dev)) {
            FileSystem fs = m.fileSystem();
            m.open("/f", OpenFile.CREATE).pwrite(Devices.pattern(arena, 4 * BS, 2), 0, 4 * BS, 0);
            long ino = fs.lookup(fs.rootIno(), "f");
            long before = fs.getattr(ino).mtime();
            FileStat st = fs.setattr(ino, SetAttr.size(BS + 10));
            assertThat(st.size()).isEqualTo(BS + 10);
            assertThat(st.mtime()).isGreaterThanOrEqualTo(before);
            assertErrno(() -> fs.setattr(fs.rootIno(), SetAttr.size(0)), Errno.EISDIR);
        }
    }

    @Test
    void anOrphanStaysReadableAfterItsLastUnlinkAndIsFreedOnRelease() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            try (Mount m = Devices.mkfsAndMount(dev)) {
                FileSystem fs = m.fileSystem();
                long root = fs.rootIno();
                long free = fs.statfs().freeBlocks();
                MemorySegment data = Devices.pattern(arena, 4 * BS, 6);
                OpenFile f = m.open("/f", OpenFile.CREATE);
                f.pwrite(data, 0, 4 * BS, 0);
                long ino = fs.lookup(root, "f");
                Inode again = fs.open(ino);
                assertThat(again).as("every opener gets the same object").isSameAs(f.inode());
                fs.release(again);
                fs.unlink(root, "f");
                assertThat(fs.lookup(root, "f")).isZero();
                assertThat(fs.getattr(ino).links()).isZero();
                MemorySegment back = arena.allocate(4 * BS, 4096);
                f.pread(back, 0, 4 * BS, 0);
                assertThat(Devices.bytes(back)).isEqualTo(Devices.bytes(data));
                assertThat(fs.statfs().freeBlocks()).isEqualTo(free - 4);
                f.close();
                assertErrno(() -> fs.getattr(ino), Errno.ENOENT);
                assertThat(fs.statfs().freeBlocks()).isEqualTo(free);
            }
            assertCleanFsck(dev);
        }
    }

    @Test
    void anOrphanACrashLeftIsFreedAtMount() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of());
            long free;
            long ino;
            PowerCutDevice view = new PowerCutDevice(dev);
            Mount m = Devices.mount(view);
            FileSystem fs = m.fileSystem();
            free = fs.statfs().freeBlocks();
            OpenFile f = m.open("/f", OpenFile.CREATE);
            f.pwrite(Devices.pattern(arena, 8 * BS, 3), 0, 8 * BS, 0);
            ino = fs.lookup(fs.rootIno(), "f");
            fs.unlink(fs.rootIno(), "f");
            fs.sync();
            view.powerCut();
            m.close();

            FsckReport r = Devices.TYPE.fsck(dev, Map.of());
            assertThat(r.summary()).anyMatch(s -> s.contains("1 orphan(s)"));
            try (Mount again = Devices.mount(dev)) {
                assertErrno(() -> again.fileSystem().getattr(ino), Errno.ENOENT);
                assertThat(again.fileSystem().statfs().freeBlocks()).isEqualTo(free);
            }
            assertCleanFsck(dev);
        }
    }

    @Test
    void aReusedInodeNumberGetsANewGeneration() throws Exception {
        try (BlockDevice dev = Devices.memory(); Mount m = Devices.mkfsAndMount(dev)) {
            FileSystem fs = m.fileSystem();
            long root = fs.rootIno();
            FileStat first = fs.create(root, "a", 0644, 0, 0);
            fs.unlink(root, "a");
            FileStat second = fs.create(root, "b", 0644, 0, 0);
            assertThat(second.ino()).isEqualTo(first.ino());
            assertThat(second.generation()).isGreaterThan(first.generation());
        }
    }

    @Test
    void readdirPagesFollowUtf8ByteOrderAfterAName() throws Exception {
        try (BlockDevice dev = Devices.memory(); Mount m = Devices.mkfsAndMount(dev)) {
            FileSystem fs = m.fileSystem();
            long root = fs.rootIno();
            // UTF-16 puts the emoji (a surrogate pair) before U+FFFD; UTF-8 bytes put it after.
            List<String> names = List.of("b", "a", "\uFFFD", "\uD83D\uDE00", "\u00E9");
            for (String n : names) {
                fs.create(root, n, 0644, 0, 0);
            }
            List<String> seen = new ArrayList<>();
            String after = null;
            for (List<DirEntry> page; !(page = fs.readdir(root, after, 2)).isEmpty(); after = page.getLast().name()) {
                assertThat(page.size()).isLessThanOrEqualTo(2);
                page.forEach(e -> seen.add(e.name()));
            }
            assertThat(seen).containsExactly("a", "b", "\u00E9", "\uFFFD", "\uD83D\uDE00");
        }
    }

    @Test
    void aPureOverwriteLogsNothingAndFsyncLogsItsNewMtime() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of());
            TappedDevice tap = new TappedDevice(dev);
            try (Mount m = Devices.mount(tap)) {
                FileSystem fs = m.fileSystem();
                OpenFile f = m.open("/f", OpenFile.CREATE);
                f.pwrite(Devices.pattern(arena, 4 * BS, 1), 0, 4 * BS, 0);
                fs.sync();
                long ino = fs.lookup(fs.rootIno(), "f");
                long mtime = fs.getattr(ino).mtime();
                Superblock sb = Superblocks.read(dev);
                long logEnd = (sb.geometry().logStart() + sb.geometry().logBlocks()) * BS;
                tap.clearRecords();
                f.pwrite(Devices.pattern(arena, BS, 2), 0, BS, BS);
                fs.sync();
                assertThat(writesBelow(tap, logEnd)).as("a pure overwrite and a sync with nothing to log").isEmpty();
                assertThat(fs.getattr(ino).mtime()).as("mtime changed in memory").isGreaterThan(mtime);
                f.fsync(true);
                assertThat(writesBelow(tap, logEnd)).as("fdatasync does not log times").isEmpty();
                f.fsync(false);
                assertThat(writesBelow(tap, logEnd)).as("fsync logs the times").isNotEmpty();
            }
        }
    }

    @Test
    void aReadRefreshesAtimeAsRelatimeSays() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared(); Mount m = Devices.mkfsAndMount(dev)) {
            try (OpenFile f = m.open("/f", OpenFile.CREATE)) {
                f.pwrite(Devices.pattern(arena, BS, 1), 0, BS, 0);
                m.utimens("/f", ATIME, MTIME);
                MemorySegment back = arena.allocate(BS, 4096);
                f.pread(back, 0, BS, 0);
                long refreshed = m.stat("/f").atime();
                assertThat(refreshed).as("atime older than mtime/ctime is refreshed").isGreaterThan(ATIME);
                f.pread(back, 0, BS, 0);
                assertThat(m.stat("/f").atime()).as("a newer atime is left alone").isEqualTo(refreshed);
            }
        }
    }

    private static List<BioRecord> writesBelow(TappedDevice tap, long end) {
        return tap.bios().stream().filter(b -> b.op() == BioOp.WRITE && b.address() < end).toList();
    }

    @Test
    void anImageFromBeforePosixMetadataIsRefusedWithWhatToDo() throws Exception {
        try (BlockDevice dev = Devices.memory()) {
            Mount.mkfs(Devices.TYPE, dev, Map.of());
            Superblock sb = Superblocks.read(dev);
            Superblock old = new Superblock(sb.geometry(), sb.uuid(), sb.features() & ~Superblock.FEATURE_POSIX,
                    sb.generation(), sb.activeSlot(), sb.metaUsed(), sb.logTail(), sb.logTailSeq(), sb.clean());
            new io.jiomap.fs.xfslike.format.Disk(dev, BS).writeBytes(0, old.encode(512).array(), 0, 512, Bio.FUA);
            assertThatThrownBy(() -> Devices.mount(dev)).isInstanceOfSatisfying(JiomapException.class, e -> {
                assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                assertThat(e.getMessage()).contains("predates POSIX metadata").contains("jiomap mkfs --fs=xfs-like");
            });
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).singleElement()
                    .satisfies(p -> assertThat(p).contains("predates POSIX metadata"));
        }
    }
}
