package io.jiomap.fs.ext4like;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.core.OpenFile;
import io.jiomap.fs.ext4like.mount.Ext4FileSystem;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The inode-level namespace SPI of ext4-like, called directly: links, rename flags, symlinks, xattrs, attributes. */
class PosixNamespaceTest {
    private Ext4Env env;
    private FileSystem fs;
    private long root;

    @BeforeEach
    void mount() throws Exception {
        env = Ext4Env.memory("size=32m", Map.of("blocks-per-group", "4096"));
        bind();
    }

    private void bind() {
        fs = env.mount.fileSystem();
        root = fs.rootIno();
    }

    private void remount() throws Exception {
        env.remount();
        bind();
    }

    @AfterEach
    void close() throws Exception {
        env.close();
    }

    private void assertFsckClean() throws Exception {
        env.unmount();
        assertThat(env.fsck().problems()).isEmpty();
        env.mount();
        bind();
    }

    private static void assertErrno(ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno));
    }

    @Test
    void hardLinkSurvivesUnlinkOfTheOtherName() throws Exception {
        OpenFile f = env.open("/a");
        env.write(f, 0, 8192, 7);
        long ino = f.inode().ino();
        long d = fs.mkdir(root, "d", 0755, 0, 0).ino();
        FileStat linked = fs.link(ino, d, "b");
        assertThat(linked.links()).isEqualTo(2);
        fs.unlink(root, "a");
        assertThat(fs.lookup(root, "a")).isZero();
        assertThat(fs.lookup(d, "b")).isEqualTo(ino);
        assertThat(fs.getattr(ino).links()).isEqualTo(1);
        remount();
        assertThat(fs.getattr(ino).links()).isEqualTo(1);
        assertThat(env.read(env.mount.open("/d/b", 0), 0, 8192)).isEqualTo(Ext4Env.bytes(env.pattern(8192, 7)));
        assertFsckClean();
    }

    @Test
    void directoryLinkCountIsTwoPlusItsSubdirectories() throws Exception {
        long p = fs.mkdir(root, "p", 0755, 0, 0).ino();
        fs.mkdir(p, "x", 0755, 0, 0);
        fs.mkdir(p, "y", 0755, 0, 0);
        fs.create(p, "f", 0644, 0, 0);
        assertThat(fs.getattr(p).links()).isEqualTo(4);
        assertThat(fs.getattr(root).links()).isEqualTo(3);
        fs.rmdir(p, "x");
        assertThat(fs.getattr(p).links()).isEqualTo(3);
        assertThat(fs.parent(fs.lookup(p, "y"))).isEqualTo(p);
        assertThat(fs.parent(root)).isEqualTo(root);
        assertFsckClean();
    }

    @Test
    void renameExchangeOfAFileAndADirectoryFixesDotDotAndLinkCounts() throws Exception {
        long p = fs.mkdir(root, "p", 0755, 0, 0).ino();
        long q = fs.mkdir(root, "q", 0755, 0, 0).ino();
        long file = fs.create(p, "f", 0644, 0, 0).ino();
        long dir = fs.mkdir(q, "d", 0755, 0, 0).ino();
        assertThat(fs.getattr(q).links()).isEqualTo(3);

        fs.rename(p, "f", q, "d", FileSystem.RENAME_EXCHANGE);

        assertThat(fs.lookup(p, "f")).isEqualTo(dir);
        assertThat(fs.lookup(q, "d")).isEqualTo(file);
        assertThat(fs.parent(dir)).isEqualTo(p);
        assertThat(fs.getattr(p).links()).isEqualTo(3);
        assertThat(fs.getattr(q).links()).isEqualTo(2);
        assertThat(fs.readdir(p, null, 10)).containsExactly(new DirEntry("f", dir, FileKind.DIRECTORY));
        assertThat(fs.readdir(q, null, 10)).containsExactly(new DirEntry("d", file, FileKind.REGULAR));
        remount();
        assertThat(fs.parent(dir)).isEqualTo(p);
        assertFsckClean();
    }

    @Test
    void renameNoreplaceRefusesAnExistingNameAndLeavesBoth() throws Exception {
        long a = fs.create(root, "a", 0644, 0, 0).ino();
        long b = fs.create(root, "b", 0644, 0, 0).ino();
        assertErrno(() -> fs.rename(root, "a", root, "b", FileSystem.RENAME_NOREPLACE), Errno.EEXIST);
        assertThat(fs.lookup(root, "a")).isEqualTo(a);
        assertThat(fs.lookup(root, "b")).isEqualTo(b);
        fs.rename(root, "a", root, "c", FileSystem.RENAME_NOREPLACE);
        assertThat(fs.lookup(root, "a")).isZero();
        assertThat(fs.lookup(root, "c")).isEqualTo(a);
    }

    @Test
    void renameOverAFileReplacesItAndFreesTheReplacedInode() throws Exception {
        long a = fs.create(root, "a", 0644, 0, 0).ino();
        long b = fs.create(root, "b", 0644, 0, 0).ino();
        long freeInodes = fs.statfs().freeInodes();
        fs.rename(root, "a", root, "b", 0);
        assertThat(fs.lookup(root, "b")).isEqualTo(a);
        assertErrno(() -> fs.getattr(b), Errno.ENOENT);
        assertThat(fs.statfs().freeInodes()).isEqualTo(freeInodes + 1);
        assertFsckClean();
    }

    @Test
    void readdirPagesInUtf8ByteOrderAfterAName() throws Exception {
        for (String n : new String[] {"b", "\u00e9", "Z", "a", "aa"}) {
            fs.create(root, n, 0644, 0, 0);
        }
        assertThat(fs.readdir(root, null, 2)).extracting(DirEntry::name).containsExactly("Z", "a");
        assertThat(fs.readdir(root, "a", 2)).extracting(DirEntry::name).containsExactly("aa", "b");
        assertThat(fs.readdir(root, "b", 2)).extracting(DirEntry::name).containsExactly("\u00e9");
        assertThat(fs.readdir(root, "\u00e9", 2)).isEmpty();
        // Changes between pages: a name before the position is not seen, one after it is; removed ones are gone.
        fs.create(root, "A", 0644, 0, 0);
        fs.unlink(root, "aa");
        fs.create(root, "ab", 0644, 0, 0);
        assertThat(fs.readdir(root, "a", 10)).extracting(DirEntry::name).containsExactly("ab", "b", "\u00e9");
    }

    @Test
    void xattrsAreCreatedReplacedListedRemovedAndKeptOverRemount() throws Exception {
        long ino = fs.create(root, "f", 0644, 0, 0).ino();
        byte[] one = "one".getBytes(StandardCharsets.UTF_8);
        byte[] two = "second value".getBytes(StandardCharsets.UTF_8);
        assertErrno(() -> fs.getxattr(ino, "user.a"), Errno.ENODATA);
        assertErrno(() -> fs.setxattr(ino, "user.a", one, FileSystem.XATTR_REPLACE), Errno.ENODATA);
        fs.setxattr(ino, "user.b", one, FileSystem.XATTR_CREATE);
        fs.setxattr(ino, "user.a", one, 0);
        assertErrno(() -> fs.setxattr(ino, "user.a", two, FileSystem.XATTR_CREATE), Errno.EEXIST);
        fs.setxattr(ino, "user.a", two, FileSystem.XATTR_REPLACE);
        assertThat(fs.listxattr(ino)).containsExactly("user.a", "user.b");
        remount();
        assertThat(fs.getxattr(ino, "user.a")).isEqualTo(two);
        assertThat(fs.getxattr(ino, "user.b")).isEqualTo(one);
        fs.removexattr(ino, "user.a");
        assertErrno(() -> fs.removexattr(ino, "user.a"), Errno.ENODATA);
        assertThat(fs.listxattr(ino)).containsExactly("user.b");
        assertFsckClean();
        long freeBlocks = fs.statfs().freeBlocks();
        fs.removexattr(ino, "user.b");
        fs.sync();
        assertThat(fs.listxattr(ino)).isEmpty();
        assertThat(fs.statfs().freeBlocks()).as("the emptied xattr block is freed").isEqualTo(freeBlocks + 1);
        assertFsckClean();
    }

    @Test
    void xattrsThatDoNotFitTheBlockFailWithEnospcAndChangeNothing() throws Exception {
        long ino = fs.create(root, "f", 0644, 0, 0).ino();
        fs.setxattr(ino, "user.big", new byte[3000], 0);
        assertErrno(() -> fs.setxattr(ino, "user.more", new byte[2000], 0), Errno.ENOSPC);
        assertThat(fs.listxattr(ino)).containsExactly("user.big");
        assertFsckClean();
    }

    @Test
    void symlinksRoundTripFastAndInBlocks() throws Exception {
        String shortTarget = "../some/where";
        String longTarget = "x/".repeat(2047) + "y";
        FileStat s = fs.symlink(root, "s", shortTarget, 5, 6);
        FileStat l = fs.symlink(root, "l", longTarget, 0, 0);
        assertThat(s.kind()).isEqualTo(FileKind.SYMLINK);
        assertThat(s.mode()).isEqualTo(0777);
        assertThat(s.size()).isEqualTo(shortTarget.length());
        assertThat(s.uid()).isEqualTo(5);
        assertThat(l.size()).isEqualTo(4095);
        assertThat(fs.readlink(s.ino())).isEqualTo(shortTarget);
        assertThat(fs.readlink(l.ino())).isEqualTo(longTarget);
        assertErrno(() -> fs.open(s.ino()), Errno.ELOOP);
        assertErrno(() -> fs.readlink(root), Errno.EINVAL);
        assertThat(fs.readdir(root, null, 10)).extracting(DirEntry::kind).containsOnly(FileKind.SYMLINK);
        remount();
        assertThat(fs.readlink(s.ino())).isEqualTo(shortTarget);
        assertThat(fs.readlink(l.ino())).isEqualTo(longTarget);
        assertFsckClean();
        long freeBlocks = fs.statfs().freeBlocks();
        fs.unlink(root, "l");
        fs.unlink(root, "s");
        fs.sync();
        assertThat(fs.statfs().freeBlocks()).as("the long target's block is freed").isEqualTo(freeBlocks + 1);
        assertFsckClean();
    }

    @Test
    void setattrChangesModeOwnerTimesAndSizeAndAlwaysCtime() throws Exception {
        FileStat created = fs.create(root, "f", 04755, 10, 20);
        assertThat(created.mode()).isEqualTo(04755);
        assertThat(created.uid()).isEqualTo(10);
        assertThat(created.gid()).isEqualTo(20);
        assertThat(created.atime()).isEqualTo(created.mtime()).isEqualTo(created.ctime()).isPositive();
        long ino = created.ino();
        FileStat chmod = fs.setattr(ino, SetAttr.mode(0600));
        assertThat(chmod.mode()).isEqualTo(0600);
        assertThat(chmod.ctime()).isGreaterThanOrEqualTo(created.ctime());
        FileStat chown = fs.setattr(ino, SetAttr.owner(-1, 30));
        assertThat(chown.uid()).isEqualTo(10);
        assertThat(chown.gid()).isEqualTo(30);
        FileStat times = fs.setattr(ino, SetAttr.times(1_000_000_123L, -5_000_000_007L));
        assertThat(times.atime()).isEqualTo(1_000_000_123L);
        assertThat(times.mtime()).as("before the epoch, to the nanosecond").isEqualTo(-5_000_000_007L);
        assertThat(times.ctime()).isGreaterThanOrEqualTo(chown.ctime());
        FileStat sized = fs.setattr(ino, SetAttr.size(10_000));
        assertThat(sized.size()).isEqualTo(10_000);
        assertThat(sized.mtime()).as("a size change sets mtime").isEqualTo(sized.ctime());
        remount();
        FileStat back = fs.getattr(ino);
        assertThat(back.mode()).isEqualTo(0600);
        assertThat(back.gid()).isEqualTo(30);
        assertThat(back.size()).isEqualTo(10_000);
        assertThat(back.atime()).isEqualTo(1_000_000_123L);
        assertThat(back.mtime()).isEqualTo(sized.mtime());
        assertThat(back.ctime()).isEqualTo(sized.ctime());
        assertFsckClean();
    }

    @Test
    void namespaceChangesSetCtimeOfTheInodeAndMtimeOfTheDirectory() throws Exception {
        FileStat before = fs.getattr(root);
        long ino = fs.create(root, "f", 0644, 0, 0).ino();
        FileStat dirAfter = fs.getattr(root);
        assertThat(dirAfter.mtime()).isGreaterThan(before.mtime());
        assertThat(dirAfter.ctime()).isEqualTo(dirAfter.mtime());
        long created = fs.getattr(ino).ctime();
        fs.link(ino, root, "g");
        assertThat(fs.getattr(ino).ctime()).isGreaterThan(created);
        assertThat(fs.getattr(root).mtime()).isGreaterThan(dirAfter.mtime());
    }

    @Test
    void aReusedInodeNumberGetsANewGeneration() throws Exception {
        FileStat first = fs.create(root, "f", 0644, 0, 0);
        fs.unlink(root, "f");
        FileStat second = fs.create(root, "f", 0644, 0, 0);
        assertThat(second.ino()).as("the freed number is used again").isEqualTo(first.ino());
        assertThat(second.generation()).isNotEqualTo(first.generation());
    }

    @Test
    void anOpenFileUnlinkedStaysReadableUntilItsLastRelease() throws Exception {
        OpenFile f = env.open("/f");
        env.write(f, 0, 4096, 3);
        fs.sync();
        long ino = f.inode().ino();
        long freeInodes = fs.statfs().freeInodes();
        Inode a = fs.open(ino);
        Inode b = fs.open(ino);
        assertThat(a).isSameAs(b).isSameAs(f.inode());
        fs.unlink(root, "f");
        assertThat(fs.lookup(root, "f")).isZero();
        assertThat(fs.getattr(ino).links()).isZero();
        assertThat(env.read(f, 0, 4096)).isEqualTo(Ext4Env.bytes(env.pattern(4096, 3)));
        env.write(f, 4096, 4096, 4);
        fs.release(a);
        fs.release(b);
        assertThat(env.read(f, 4096, 4096)).as("one open left").isEqualTo(Ext4Env.bytes(env.pattern(4096, 4)));
        assertThat(fs.statfs().freeInodes()).isEqualTo(freeInodes);
        f.close();
        assertErrno(() -> fs.getattr(ino), Errno.ENOENT);
        assertErrno(() -> fs.open(ino), Errno.ENOENT);
        assertThat(fs.statfs().freeInodes()).isEqualTo(freeInodes + 1);
        assertFsckClean();
    }

    @Test
    void anOpenUnlinkedFileIsFreedAtUnmount() throws Exception {
        long ino = fs.create(root, "f", 0644, 0, 0).ino();
        long freeInodes = fs.statfs().freeInodes();
        fs.open(ino);
        fs.unlink(root, "f");
        env.unmount();
        assertThat(env.fsck().problems()).isEmpty();
        env.mount();
        bind();
        assertThat(fs.statfs().freeInodes()).isEqualTo(freeInodes + 1);
    }

    @Test
    void aReadRefreshesAtimeAsRelatimeSaysInMemoryAndUnmountWritesItDown() throws Exception {
        OpenFile f = env.open("/f");
        env.write(f, 0, 4096, 1);
        long ino = f.inode().ino();
        fs.setattr(ino, SetAttr.times(1, 2));
        fs.sync();
        var journal = ((Ext4FileSystem) fs).volume().journal();

        env.read(f, 0, 4096);
        long atime = fs.getattr(ino).atime();
        assertThat(atime).as("atime was older than ctime: refreshed").isGreaterThan(fs.getattr(ino).ctime());
        assertThat(journal.hasUncommitted()).as("lazytime: the read logged nothing").isFalse();
        env.read(f, 0, 4096);
        assertThat(fs.getattr(ino).atime()).as("newer than mtime and ctime, and fresh: kept").isEqualTo(atime);
        remount();
        assertThat(fs.getattr(ino).atime()).as("unmount logged it").isEqualTo(atime);
    }

    @Test
    void aPreconditionTheCoreCheckedButTheImageContradictsIsRefusedWithEio() throws Exception {
        fs.create(root, "f", 0644, 0, 0);
        long d = fs.mkdir(root, "d", 0755, 0, 0).ino();
        assertErrno(() -> fs.unlink(root, "missing"), Errno.EIO);
        assertErrno(() -> fs.create(root, "f", 0644, 0, 0), Errno.EIO);
        assertErrno(() -> fs.unlink(root, "d"), Errno.EIO);
        fs.create(d, "inside", 0644, 0, 0);
        assertErrno(() -> fs.rmdir(root, "d"), Errno.EIO);
        assertErrno(() -> fs.rename(root, "f", root, "missing", FileSystem.RENAME_EXCHANGE), Errno.EIO);
        assertThat(fs.readdir(root, null, 10)).extracting(DirEntry::name).containsExactly("d", "f");
        assertFsckClean();
    }

    @Test
    void theCorePathLayerOverExt4LikeFollowsSymlinksLinksAndKeepsAttributes() throws Exception {
        var m = env.mount;
        m.mkdir("/d");
        m.symlink("/d", "/l");
        try (OpenFile f = m.open("/l/f", OpenFile.CREATE)) {
            env.write(f, 0, 4096, 9);
        }
        assertThat(m.readlink("/l")).isEqualTo("/d");
        assertThat(m.lstat("/l").kind()).isEqualTo(FileKind.SYMLINK);
        assertThat(m.stat("/l").kind()).isEqualTo(FileKind.DIRECTORY);
        m.link("/l/f", "/g");
        m.setxattr("/g", "user.tag", new byte[] {1, 2}, 0);
        assertErrno(() -> env.mount.rename("/g", "/d/f", FileSystem.RENAME_NOREPLACE), Errno.EEXIST);
        m.chmod("/d/f", 0600);
        remount();
        m = env.mount;
        assertThat(m.stat("/g").links()).isEqualTo(2);
        assertThat(m.stat("/g").mode()).isEqualTo(0600);
        assertThat(m.getxattr("/l/f", "user.tag")).containsExactly(1, 2);
        assertThat(m.readdir("/")).extracting(DirEntry::name).containsExactly("d", "g", "l");
        try (OpenFile g = m.open("/g", 0)) {
            assertThat(env.read(g, 0, 4096)).isEqualTo(Ext4Env.bytes(env.pattern(4096, 9)));
        }
        assertFsckClean();
    }
}
