package io.jiomap.cli.mount;

import static io.jiomap.cli.mount.Programs.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.cli.CliRun;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POSIX metadata through a {@code jiomap mount}, set and read by programs jiomap did not write (ln, chmod, chown,
 * touch, stat, cp -a, rsync, Python's os module for xattrs and renameat2): what they set is what stat reports, and it
 * is the same after unmount, a clean fsck and a new mount.
 */
class PosixMetadataOnMountTest {
    private static final String PYTHON = "/usr/bin/python3";
    /** One line per name under the directory: mode, owner, group, links, kind, mtime with ns, symlink target. */
    private static final String LISTING = "find . -printf '%P %m %U %G %n %y %T@ %l\\n' | LC_ALL=C sort";

    @TempDir
    Path dir;

    private Path image;
    private Path mountpoint;

    @BeforeEach
    void setUp() throws Exception {
        LiveMount.assumeFuse();
        // Another user must reach the mountpoint: the temporary directory is private by default.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        image = dir.resolve("fs.img");
        mountpoint = Files.createDirectory(dir.resolve("mnt"));
    }

    private void mkfs(String type) throws Exception {
        CliRun run = CliRun.of("mkfs", "--fs=" + type, "--size=512m", image.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    private void assertFsckClean() {
        CliRun fsck = CliRun.of("fsck", image.toString());
        assertThat(fsck.exitCode()).as(fsck.out() + fsck.err()).isZero();
        assertThat(fsck.out()).contains(image + ": clean");
    }

    private static String sh(Path cwd, String script) throws Exception {
        return run(cwd, "sh", "-c", script);
    }

    private static String python(Path cwd, String program) throws Exception {
        return run(cwd, PYTHON, "-c", program);
    }

    /**
     * What the metadata test compares across mounts: links, modes, owners, mtime and ctime with ns, xattrs (not atime,
     * which a read may move as relatime says).
     */
    private static String metadata(Path mnt) throws Exception {
        return sh(mnt, "stat -c '%n %a %u %g %h %F %s' f hard soft d d/sub && readlink soft && cat soft")
                + python(mnt, """
                        import os
                        s = os.stat("f")
                        print(s.st_mtime_ns, s.st_ctime_ns, s.st_ino == os.stat("hard").st_ino)
                        print(sorted(os.listxattr("f")), os.getxattr("f", "user.big") == b"x" * 1000)
                        print(open("a").read(), open("b").read())
                        """);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void linksModesOwnersTimesXattrsAndRenameFlagsAreWhatProgramsSetAndSurviveUnmountFsckAndRemount(String type)
            throws Exception {
        mkfs(type);
        String before;
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Path mnt = mount.path();
            sh(mnt, """
                    umask 022
                    printf 'hello\\n' > f
                    ln f hard
                    ln -s f soft
                    mkdir -p d/sub
                    chmod 640 f
                    chmod 2750 d
                    chown 1234:5678 f
                    touch -d '2001-02-03 04:05:06.123456789 UTC' f
                    """);
            assertThat(python(mnt, """
                    import os
                    s = os.stat("f")
                    print(s.st_mtime_ns, s.st_atime_ns)
                    """)).isEqualTo("981173106123456789 981173106123456789\n");
            python(mnt, """
                    import os
                    os.setxattr("f", "user.colour", b"blue")
                    os.setxattr("f", "user.big", b"x" * 1000)
                    os.setxattr("f", "user.gone", b"1")
                    os.removexattr("f", "user.gone")
                    """);

            assertThat(sh(mnt, "stat -c '%a %u %g %h %F' f hard soft d d/sub")).isEqualTo("""
                    640 1234 5678 2 regular file
                    640 1234 5678 2 regular file
                    777 0 0 1 symbolic link
                    2750 0 0 3 directory
                    755 0 0 2 directory
                    """);
            assertThat(run(mnt, "readlink", "soft")).isEqualTo("f\n");
            assertThat(run(mnt, "cat", "soft")).isEqualTo("hello\n");
            assertThat(python(mnt, """
                    import errno, os
                    # EOPNOTSUPP and ENOTSUP are one number on Linux; errorcode names it ENOTSUP.
                    name_of = lambda e: "EOPNOTSUPP" if e == errno.EOPNOTSUPP else errno.errorcode[e]
                    print(os.getxattr("f", "user.colour"), sorted(os.listxattr("f")))
                    for name in ("user.gone", "trusted.x"):
                        try:
                            os.getxattr("f", name)
                        except OSError as e:
                            print(name, name_of(e.errno))
                    try:
                        os.setxattr("f", "trusted.x", b"1")
                    except OSError as e:
                        print("set trusted.x", name_of(e.errno))
                    """)).isEqualTo("""
                    b'blue' ['user.big', 'user.colour']
                    user.gone ENODATA
                    trusted.x EOPNOTSUPP
                    set trusted.x EOPNOTSUPP
                    """);

            Files.writeString(mnt.resolve("a"), "A");
            Files.writeString(mnt.resolve("b"), "B");
            assertThat(python(mnt, """
                    import ctypes, errno, os
                    libc = ctypes.CDLL(None, use_errno=True)
                    AT_FDCWD, NOREPLACE, EXCHANGE = -100, 1, 2
                    def renameat2(a, b, flags):
                        r = libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), flags)
                        return "ok" if r == 0 else errno.errorcode[ctypes.get_errno()]
                    print(renameat2("a", "b", EXCHANGE), open("a").read(), open("b").read())
                    print(renameat2("a", "b", NOREPLACE), renameat2("a", "nothing", EXCHANGE))
                    print(renameat2("d", "d/sub/inside", 0), renameat2("a", "b", NOREPLACE | EXCHANGE))
                    """)).isEqualTo("""
                    ok B A
                    EEXIST ENOENT
                    EINVAL EINVAL
                    """);
            before = metadata(mnt);
            mount.unmount();
        }
        assertFsckClean();

        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            assertThat(metadata(mount.path())).isEqualTo(before);
            mount.unmount();
        }
        assertFsckClean();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void anotherUserIsRefusedWhereModeAndOwnerSaySoAndOwnsWhatItCreates(String type) throws Exception {
        LiveMount.assumeRoot();
        mkfs(type);
        try (LiveMount mount = LiveMount.start(image, mountpoint, "-o", "allow_other,default_permissions")) {
            Path mnt = mount.path();
            Files.writeString(mnt.resolve("f"), "root's\n");
            run(mnt, "chmod", "0644", "f");
            run(mnt, "chmod", "0755", ".");
            run(mnt, "mkdir", "-m", "1777", "shared");
            String[] nobody = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c"};

            Programs.Result write = exec(mnt, nobody, "echo more >> f");
            Programs.Result create = exec(mnt, nobody, "touch new");
            assertThat(write.exitCode()).isNotZero();
            assertThat(write.output()).contains("Permission denied");
            assertThat(create.exitCode()).isNotZero();
            assertThat(create.output()).contains("Permission denied");

            Programs.Result read = exec(mnt, nobody, "cat f && touch shared/mine && stat -c '%u %g %a' shared/mine");
            assertThat(read.exitCode()).as(read.output()).isZero();
            assertThat(read.output()).isEqualTo("root's\n65534 65534 644\n");
            assertThat(run(mnt, "cat", "f")).isEqualTo("root's\n");
            mount.unmount();
        }
        assertFsckClean();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void aDirectoryOfThousandsOfNamesListsWholeOverManyRepliesSeeksBackAndSurvivesRemovalWhileListing(String type)
            throws Exception {
        mkfs(type);
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Path mnt = mount.path();
            // Names of 47 bytes: a READDIR reply of a page holds about 60, so 3000 take many replies.
            assertThat(python(mnt, """
                    import ctypes, os
                    os.mkdir("big")
                    os.chdir("big")
                    names = ["n%05d-%s" % (i, "x" * 40) for i in range(3000)]
                    for n in names:
                        open(n, "w").close()
                    print(sorted(os.listdir(".")) == names, len(os.listdir(".")))

                    class Dirent(ctypes.Structure):
                        _fields_ = [("ino", ctypes.c_uint64), ("off", ctypes.c_int64), ("reclen", ctypes.c_ushort),
                                    ("type", ctypes.c_ubyte), ("name", ctypes.c_char * 256)]
                    libc = ctypes.CDLL(None, use_errno=True)
                    libc.opendir.restype = ctypes.c_void_p
                    libc.opendir.argtypes = [ctypes.c_char_p]
                    libc.readdir64.restype = ctypes.POINTER(Dirent)
                    libc.readdir64.argtypes = [ctypes.c_void_p]
                    libc.telldir.restype = ctypes.c_long
                    libc.telldir.argtypes = [ctypes.c_void_p]
                    libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
                    libc.closedir.argtypes = [ctypes.c_void_p]
                    d = libc.opendir(b".")
                    seen, marks = [], {}
                    while True:
                        if len(seen) in (1, 7, 1500, 2990):
                            marks[len(seen)] = libc.telldir(d)
                        e = libc.readdir64(d)
                        if not e:
                            break
                        seen.append(e.contents.name.decode())
                        if seen[-1] == "..":
                            dotdot = e.contents.ino
                    # ".." is the root, which the kernel knows as node 1: listed and stat'ed with its own number.
                    root = os.stat(os.path.dirname(os.getcwd())).st_ino
                    print(seen[:2], seen[2:] == names, dotdot == os.stat("..").st_ino == root)
                    # seekdir to a position told earlier continues from the same name, wherever the reader is.
                    for k in (2990, 7, 1500, 1):
                        libc.seekdir(d, marks[k])
                        print(k, [libc.readdir64(d).contents.name.decode() for _ in range(3)] == seen[k:k + 3])
                    libc.closedir(d)

                    # Removing every name as it is listed: each comes exactly once, none is left.
                    gone = []
                    with os.scandir(".") as it:
                        for e in it:
                            os.unlink(e.name)
                            gone.append(e.name)
                    print(sorted(gone) == names, len(gone), os.listdir("."))
                    """)).isEqualTo("""
                    True 3000
                    ['.', '..'] True True
                    2990 True
                    7 True
                    1500 True
                    1 True
                    True 3000 []
                    """);
            mount.unmount();
        }
        assertFsckClean();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void aFileUnlinkedWhileOpenIsReadAndWrittenUntilItsLastCloseThenItsSpaceIsFree(String type) throws Exception {
        mkfs(type);
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Path mnt = mount.path();
            String[] out = python(mnt, """
                    import os
                    def free():
                        s = os.statvfs(".")
                        return s.f_bfree * s.f_frsize
                    before = free()
                    fd = os.open("orphan", os.O_CREAT | os.O_RDWR, 0o600)
                    os.write(fd, b"y" * (8 << 20))
                    os.fsync(fd)
                    used = before - free()
                    os.unlink("orphan")
                    os.pwrite(fd, b"still here", 0)
                    print(os.path.exists("orphan"), os.fstat(fd).st_nlink, os.pread(fd, 10, 0),
                          used >= 8 << 20, before - free() >= 8 << 20, os.listdir("."))
                    os.close(fd)
                    print(before)
                    """).split("\n");
            assertThat(out[0]).isEqualTo("False 0 b'still here' True True []");
            // The kernel sends RELEASE after close(2) has returned: the space comes back once the server has it (and,
            // on ext4-like, once a commit has made the free durable: fsync of the directory; FUSE sends no syncfs).
            long before = Long.parseLong(out[1]);
            FileStore store = Files.getFileStore(mnt);
            await().atMost(LiveMount.READY).pollInterval(Duration.ofMillis(100)).until(() -> {
                python(mnt, "import os; d = os.open('.', os.O_RDONLY); os.fsync(d)");
                return store.getUnallocatedSpace() > before - (1 << 20);
            });
            mount.unmount();
        }
        assertFsckClean();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void xattrSizesAreAskedWithAnEmptyBufferAndATooSmallOneIsERANGE(String type) throws Exception {
        mkfs(type);
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Path mnt = mount.path();
            Files.writeString(mnt.resolve("f"), "x");
            assertThat(python(mnt, """
                    import ctypes, errno, os
                    os.setxattr("f", "user.a", b"12345")
                    os.setxattr("f", "user.bb", b"")
                    libc = ctypes.CDLL(None, use_errno=True)
                    def call(fn, *args):
                        r = fn(*args)
                        return r if r >= 0 else errno.errorcode[ctypes.get_errno()]
                    buf = ctypes.create_string_buffer(64)
                    print(call(libc.getxattr, b"f", b"user.a", None, 0), call(libc.getxattr, b"f", b"user.a", buf, 4),
                          call(libc.getxattr, b"f", b"user.a", buf, 5), buf.raw[:5])
                    print(call(libc.getxattr, b"f", b"user.bb", None, 0), call(libc.getxattr, b"f", b"user.c", None, 0))
                    print(call(libc.listxattr, b"f", None, 0), call(libc.listxattr, b"f", buf, 10),
                          call(libc.listxattr, b"f", buf, 15), sorted(buf.raw[:15].split(b"\\0")[:2]))
                    """)).isEqualTo("""
                    5 ERANGE 5 b'12345'
                    0 ENODATA
                    15 ERANGE 15 [b'user.a', b'user.bb']
                    """);
            mount.unmount();
        }
    }

    private static Programs.Result exec(Path cwd, String[] prefix, String script) throws Exception {
        String[] command = new String[prefix.length + 1];
        System.arraycopy(prefix, 0, command, 0, prefix.length);
        command[prefix.length] = "umask 022; " + script;
        return Programs.exec(cwd, null, command);
    }

    /** A tree with modes, owners, ns times, symbolic links (dangling too) and hard links, made on the local disk. */
    private Path makeTree() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        sh(tree, """
                mkdir -p a/b c
                printf 'one\\n' > a/one; printf 'two\\n' > a/b/two; head -c 100000 /dev/urandom > c/big
                ln a/one a/one-again; ln a/one c/one-elsewhere
                ln -s ../a/b/two c/to-two; ln -s nowhere c/dangling
                chown 1234:5678 a/b/two; chown -h 42:43 c/to-two
                chmod 600 a/one; chmod 4755 a/b/two; chmod 700 c; chmod 1777 a/b
                touch -d '1999-12-31 23:59:59.987654321 UTC' a/b/two a/b
                touch -h -d '2010-01-01 00:00:00.5 UTC' c/to-two
                """);
        return tree;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void cpMinusAPreservesModesOwnersTimesSymbolicAndHardLinksAcrossUnmountFsckAndRemount(String type)
            throws Exception {
        mkfs(type);
        Path tree = makeTree();
        String expected = sh(tree, LISTING);
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Path mnt = mount.path();
            run(dir, "cp", "-a", tree.toString(), mnt.resolve("copy").toString());
            run(dir, "diff", "-r", "--no-dereference", tree.toString(), mnt.resolve("copy").toString());
            assertThat(sh(mnt.resolve("copy"), LISTING)).isEqualTo(expected);
            mount.unmount();
        }
        assertFsckClean();
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Path mnt = mount.path();
            assertThat(sh(mnt.resolve("copy"), LISTING)).isEqualTo(expected);
            // And back: what comes off the mount is the same tree again.
            run(dir, "cp", "-a", mnt.resolve("copy").toString(), dir.resolve("back").toString());
            assertThat(sh(dir.resolve("back"), LISTING)).isEqualTo(expected);
            mount.unmount();
        }
        assertFsckClean();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void rsyncMinusAHXPreservesTheTreeWithHardLinksAndXattrs(String type) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/rsync")), "rsync is not installed (Debian package rsync)");
        mkfs(type);
        Path tree = makeTree();
        python(tree, "import os; os.setxattr('a/one', 'user.note', b'kept')");
        String expected = sh(tree, LISTING);
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Path mnt = mount.path();
            // rsync leaves a time alone that matches in whole seconds unless told to compare nanoseconds, and the
            // tree was made a moment ago: a directory or link it creates now would keep its own time.
            run(dir, "rsync", "-aHX", "--modify-window=-1", tree + "/", mnt.resolve("copy").toString());
            assertThat(sh(mnt.resolve("copy"), LISTING)).isEqualTo(expected);
            assertThat(python(mnt.resolve("copy"), "import os; print(os.getxattr('a/one', 'user.note'))"))
                    .isEqualTo("b'kept'\n");
            mount.unmount();
        }
        assertFsckClean();
    }
}
