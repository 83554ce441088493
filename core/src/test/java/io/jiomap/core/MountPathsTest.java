package io.jiomap.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.core.vfs.MemFs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The path layer of {@link Mount}: walking, ".", "..", symbolic links, and each path operation end to end. */
class MountPathsTest {
    private final MemFs.Type type = new MemFs.Type();
    private TestDevice device;
    private Mount mount;

    @BeforeEach
    void mount() throws JiomapException {
        device = new TestDevice(1 << 20, false, false, true);
        mount = Mount.mount(type, device, Mount.Options.defaults());
    }

    @AfterEach
    void close() throws Exception {
        mount.close();
        device.close();
    }

    private static void assertErrno(ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(Errno.name(e.errno())).as(e.getMessage()).isEqualTo(Errno.name(errno)));
    }

    private void touch(String path) throws JiomapException {
        mount.open(path, OpenFile.CREATE | OpenFile.EXCLUSIVE).close();
    }

    @Test
    void aPathIsWalkedThroughItsDirectories() throws Exception {
        mount.mkdir("/a");
        mount.mkdir("/a/b");
        touch("/a/b/f");
        assertThat(mount.stat("/a/b/f").kind()).isEqualTo(FileKind.REGULAR);
        assertThat(mount.readdir("/a")).extracting(DirEntry::name).containsExactly("b");
    }

    @Test
    void dotAndDotDotComponentsAreResolved() throws Exception {
        mount.mkdir("/a");
        mount.mkdir("/a/b");
        touch("/a/b/f");
        long f = mount.stat("/a/b/f").ino();
        assertThat(mount.stat("/a/./b/../b//f").ino()).isEqualTo(f);
        assertThat(mount.stat("/../a/..").ino()).isEqualTo(mount.namespace().rootIno());
    }

    @Test
    void aRelativePathIsEinval() {
        assertErrno(() -> mount.stat("a/b"), Errno.EINVAL);
    }

    @Test
    void aComponentThatIsAFileIsEnotdir() throws Exception {
        touch("/f");
        assertErrno(() -> mount.stat("/f/x"), Errno.ENOTDIR);
        assertErrno(() -> mount.mkdir("/f/x"), Errno.ENOTDIR);
    }

    @Test
    void aMissingComponentIsEnoent() {
        assertErrno(() -> mount.open("/no/f", OpenFile.CREATE), Errno.ENOENT);
    }

    @Test
    void aSymbolicLinkInTheMiddleOfAPathIsFollowed() throws Exception {
        mount.mkdir("/real");
        touch("/real/f");
        mount.symlink("/real", "/abs");
        mount.symlink("real", "/rel");
        long f = mount.stat("/real/f").ino();
        assertThat(mount.stat("/abs/f").ino()).isEqualTo(f);
        assertThat(mount.stat("/rel/f").ino()).isEqualTo(f);
    }

    @Test
    void aRelativeSymlinkTargetIsResolvedFromTheLinksDirectory() throws Exception {
        mount.mkdir("/d");
        mount.mkdir("/d/e");
        touch("/d/target");
        mount.symlink("../target", "/d/e/up");
        assertThat(mount.stat("/d/e/up").ino()).isEqualTo(mount.stat("/d/target").ino());
    }

    @Test
    void statFollowsASymbolicLinkAndLstatDescribesTheLinkItself() throws Exception {
        touch("/f");
        mount.symlink("/f", "/l");
        assertThat(mount.stat("/l").kind()).isEqualTo(FileKind.REGULAR);
        FileStat link = mount.lstat("/l");
        assertThat(link.kind()).isEqualTo(FileKind.SYMLINK);
        assertThat(link.size()).isEqualTo(2);
        assertThat(mount.readlink("/l")).isEqualTo("/f");
    }

    @Test
    void aChainOf40SymbolicLinksIsFollowedAnd41IsEloop() throws Exception {
        touch("/f");
        mount.symlink("/f", "/l0");
        for (int i = 1; i <= 40; i++) {
            mount.symlink("/l" + (i - 1), "/l" + i);
        }
        assertThat(mount.stat("/l39").kind()).isEqualTo(FileKind.REGULAR);
        assertErrno(() -> mount.stat("/l40"), Errno.ELOOP);
    }

    @Test
    void aSymbolicLinkToItselfIsEloop() throws Exception {
        mount.symlink("/loop", "/loop");
        assertErrno(() -> mount.stat("/loop"), Errno.ELOOP);
        assertErrno(() -> mount.open("/loop", 0), Errno.ELOOP);
    }

    @Test
    void openFollowsASymbolicLinkAndCreatesThroughADanglingOne() throws Exception {
        touch("/f");
        mount.symlink("/f", "/l");
        try (OpenFile f = mount.open("/l", 0)) {
            assertThat(f.inode().ino()).isEqualTo(mount.stat("/f").ino());
        }
        mount.symlink("/new", "/dangling");
        mount.open("/dangling", OpenFile.CREATE).close();
        assertThat(mount.lstat("/new").kind()).isEqualTo(FileKind.REGULAR);
    }

    @Test
    void openWithCreateAndExclusiveOfAnExistingNameIsEexist() throws Exception {
        touch("/f");
        mount.symlink("/f", "/l");
        assertErrno(() -> mount.open("/f", OpenFile.CREATE | OpenFile.EXCLUSIVE), Errno.EEXIST);
        assertErrno(() -> mount.open("/l", OpenFile.CREATE | OpenFile.EXCLUSIVE), Errno.EEXIST);
    }

    @Test
    void openOfADirectoryIsEisdir() throws Exception {
        mount.mkdir("/d");
        assertErrno(() -> mount.open("/d", 0), Errno.EISDIR);
        assertErrno(() -> mount.open("/d", OpenFile.CREATE), Errno.EISDIR);
    }

    @Test
    void openCreatesWithTheGivenModeAndDefaultsTo0644() throws Exception {
        mount.open("/a", OpenFile.CREATE).close();
        mount.open("/b", OpenFile.CREATE, 0600).close();
        assertThat(mount.stat("/a").mode()).isEqualTo(0644);
        assertThat(mount.stat("/b").mode()).isEqualTo(0600);
        assertThat(mount.stat("/b").uid()).isZero();
    }

    @Test
    void whatIsWrittenThroughOnePathIsReadThroughAnother() throws Exception {
        mount.mkdir("/d");
        mount.symlink("/d", "/l");
        try (Arena arena = Arena.ofShared(); OpenFile w = mount.open("/d/f", OpenFile.CREATE);
             OpenFile r = mount.open("/l/../d/f", 0)) {
            MemorySegment buf = arena.allocate(8);
            buf.setString(0, "jiomap!", StandardCharsets.US_ASCII);
            assertThat(w.pwrite(buf, 0, 8, 0)).isEqualTo(8);
            MemorySegment back = arena.allocate(8);
            assertThat(r.pread(back, 0, 8, 0)).isEqualTo(8);
            assertThat(back.getString(0, StandardCharsets.US_ASCII)).isEqualTo("jiomap!");
        }
    }

    @Test
    void closeReleasesTheInodeOnceEvenWhenCalledTwice() throws Exception {
        OpenFile f = mount.open("/f", OpenFile.CREATE);
        f.close();
        f.close();
        assertThat(type.last.releases).hasValue(1);
    }

    @Test
    void anUnlinkedOpenFileLivesUntilItIsClosed() throws Exception {
        OpenFile f = mount.open("/f", OpenFile.CREATE);
        long ino = f.inode().ino();
        mount.unlink("/f");
        assertErrno(() -> mount.stat("/f"), Errno.ENOENT);
        assertThat(type.last.exists(ino)).isTrue();
        f.close();
        assertThat(type.last.exists(ino)).isFalse();
    }

    @Test
    void readdirListsEveryEntryInNameOrderAcrossPages() throws Exception {
        mount.mkdir("/many");
        List<String> names = IntStream.range(0, 600).mapToObj(i -> String.format("n%04d", i)).toList();
        for (String n : names.reversed()) {
            touch("/many/" + n);
        }
        assertThat(mount.readdir("/many")).extracting(DirEntry::name).containsExactlyElementsOf(names);
    }

    @Test
    void readdirOfAFileIsEnotdir() throws Exception {
        touch("/f");
        assertErrno(() -> mount.readdir("/f"), Errno.ENOTDIR);
    }

    @Test
    void mkdirOfTheRootIsEexistAndRmdirOfTheRootIsEinval() {
        assertErrno(() -> mount.mkdir("/"), Errno.EEXIST);
        assertErrno(() -> mount.rmdir("/"), Errno.EINVAL);
    }

    @Test
    void rmdirRemovesAnEmptyDirectoryAndUnlinkAFile() throws Exception {
        mount.mkdir("/d", 0700);
        assertThat(mount.stat("/d").mode()).isEqualTo(0700);
        touch("/d/f");
        mount.unlink("/d/f");
        mount.rmdir("/d");
        assertThat(mount.readdir("/")).isEmpty();
    }

    @Test
    void unlinkOfASymbolicLinkRemovesTheLinkNotItsTarget() throws Exception {
        touch("/f");
        mount.symlink("/f", "/l");
        mount.unlink("/l");
        assertThat(mount.readdir("/")).extracting(DirEntry::name).containsExactly("f");
    }

    @Test
    void renameMovesANameBetweenDirectoriesAndHonoursItsFlags() throws Exception {
        mount.mkdir("/a");
        mount.mkdir("/b");
        touch("/a/f");
        touch("/b/g");
        long f = mount.stat("/a/f").ino();
        long g = mount.stat("/b/g").ino();
        assertErrno(() -> mount.rename("/a/f", "/b/g", FileSystem.RENAME_NOREPLACE), Errno.EEXIST);
        mount.rename("/a/f", "/b/g", FileSystem.RENAME_EXCHANGE);
        assertThat(mount.stat("/a/f").ino()).isEqualTo(g);
        assertThat(mount.stat("/b/g").ino()).isEqualTo(f);
        mount.rename("/a/f", "/b/g");
        assertThat(mount.stat("/b/g").ino()).isEqualTo(g);
        assertThat(mount.readdir("/a")).isEmpty();
    }

    @Test
    void renameOfADirectoryIntoItsOwnSubtreeIsEinval() throws Exception {
        mount.mkdir("/a");
        mount.mkdir("/a/b");
        assertErrno(() -> mount.rename("/a", "/a/b/a"), Errno.EINVAL);
    }

    @Test
    void linkGivesAFileASecondName() throws Exception {
        touch("/f");
        FileStat st = mount.link("/f", "/g");
        assertThat(st.links()).isEqualTo(2);
        assertThat(mount.stat("/g").ino()).isEqualTo(mount.stat("/f").ino());
        mount.mkdir("/d");
        assertErrno(() -> mount.link("/d", "/e"), Errno.EPERM);
    }

    @Test
    void chmodChownUtimensAndTruncateChangeWhatThePathNames() throws Exception {
        touch("/f");
        mount.symlink("/f", "/l");
        assertThat(mount.chmod("/l", 04750).mode()).isEqualTo(04750);
        FileStat owned = mount.chown("/f", 10, 20);
        assertThat(owned.uid()).isEqualTo(10);
        assertThat(owned.gid()).isEqualTo(20);
        assertThat(owned.mode()).isEqualTo(0750);
        FileStat timed = mount.utimens("/f", 1_000_000_007L, 2_000_000_009L);
        assertThat(timed.atime()).isEqualTo(1_000_000_007L);
        assertThat(timed.mtime()).isEqualTo(2_000_000_009L);
        assertThat(mount.truncate("/f", 12345).size()).isEqualTo(12345);
        assertThat(mount.lstat("/l").kind()).isEqualTo(FileKind.SYMLINK);
    }

    @Test
    void extendedAttributesRoundTripThroughAPath() throws Exception {
        touch("/f");
        mount.setxattr("/f", "user.colour", "blue".getBytes(StandardCharsets.UTF_8), FileSystem.XATTR_CREATE);
        assertErrno(() -> mount.setxattr("/f", "user.colour", new byte[0], FileSystem.XATTR_CREATE), Errno.EEXIST);
        assertThat(mount.getxattr("/f", "user.colour")).asString(StandardCharsets.UTF_8).isEqualTo("blue");
        assertThat(mount.listxattr("/f")).containsExactly("user.colour");
        mount.removexattr("/f", "user.colour");
        assertErrno(() -> mount.getxattr("/f", "user.colour"), Errno.ENODATA);
        assertErrno(() -> mount.setxattr("/f", "trusted.x", new byte[0], 0), Errno.EOPNOTSUPP);
    }

    @Test
    void pathOperationsOfAClosedMountAreEnodev() throws Exception {
        mount.close();
        assertErrno(() -> mount.stat("/"), Errno.ENODEV);
        assertErrno(() -> mount.mkdir("/d"), Errno.ENODEV);
        assertErrno(() -> mount.open("/f", OpenFile.CREATE), Errno.ENODEV);
    }

    @Test
    void statfsAndSyncReachTheFileSystem() throws Exception {
        assertThat(mount.statfs().blockSize()).isEqualTo(4096);
        mount.sync();
    }
}
