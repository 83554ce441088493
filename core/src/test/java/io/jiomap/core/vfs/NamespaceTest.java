package io.jiomap.core.vfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.SetAttr;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The namespace rules, one test each, against a filesystem that checks none of them itself. */
class NamespaceTest {
    private static final long ROOT = 1;

    private final MemFs fs = new MemFs();
    private final Namespace ns = new Namespace(fs);

    private static void assertErrno(ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(Errno.name(e.errno())).as(e.getMessage()).isEqualTo(Errno.name(errno)));
    }

    private long file(long dir, String name) throws JiomapException {
        return ns.create(dir, name, 0644, 0, 0, true).ino();
    }

    private long dir(long dir, String name) throws JiomapException {
        return ns.mkdir(dir, name, 0755, 0, 0).ino();
    }

    @Test
    void lookupOfAMissingNameIsEnoent() {
        assertErrno(() -> ns.lookup(ROOT, "nothing"), Errno.ENOENT);
    }

    @Test
    void lookupOfDotAndDotDotNamesTheDirectoryAndItsParent() throws Exception {
        long a = dir(ROOT, "a");
        assertThat(ns.lookup(a, ".").ino()).isEqualTo(a);
        assertThat(ns.lookup(a, "..").ino()).isEqualTo(ROOT);
        assertThat(ns.lookup(ROOT, "..").ino()).isEqualTo(ROOT);
    }

    @Test
    void lookupInANonDirectoryIsEnotdir() throws Exception {
        long f = file(ROOT, "f");
        assertErrno(() -> ns.lookup(f, "x"), Errno.ENOTDIR);
    }

    @Test
    void anEmptyNameIsEnoent() {
        assertErrno(() -> ns.create(ROOT, "", 0644, 0, 0, true), Errno.ENOENT);
    }

    @Test
    void aNameWithASlashIsEinval() {
        assertErrno(() -> ns.mkdir(ROOT, "a/b", 0755, 0, 0), Errno.EINVAL);
    }

    @Test
    void aNameOfMoreThan255BytesInUtf8IsEnametoolong() {
        String name = "é".repeat(128);
        assertErrno(() -> ns.create(ROOT, name, 0644, 0, 0, true), Errno.ENAMETOOLONG);
    }

    @Test
    void aNameOf255BytesIsAccepted() throws Exception {
        String name = "é".repeat(127) + "x";
        long ino = file(ROOT, name);
        assertThat(ns.lookup(ROOT, name).ino()).isEqualTo(ino);
    }

    @Test
    void creatingDotOrDotDotIsEexist() {
        assertErrno(() -> ns.mkdir(ROOT, ".", 0755, 0, 0), Errno.EEXIST);
        assertErrno(() -> ns.create(ROOT, "..", 0644, 0, 0, false), Errno.EEXIST);
    }

    @Test
    void createInANonDirectoryIsEnotdir() throws Exception {
        long f = file(ROOT, "f");
        assertErrno(() -> ns.create(f, "x", 0644, 0, 0, true), Errno.ENOTDIR);
    }

    @Test
    void exclusiveCreateOfAnExistingNameIsEexist() throws Exception {
        file(ROOT, "f");
        assertErrno(() -> ns.create(ROOT, "f", 0644, 0, 0, true), Errno.EEXIST);
    }

    @Test
    void createWithoutExclusiveReturnsTheExistingFile() throws Exception {
        long f = file(ROOT, "f");
        assertThat(ns.create(ROOT, "f", 0600, 0, 0, false).ino()).isEqualTo(f);
    }

    @Test
    void createWithoutExclusiveOverADirectoryIsEisdir() throws Exception {
        dir(ROOT, "d");
        assertErrno(() -> ns.create(ROOT, "d", 0644, 0, 0, false), Errno.EISDIR);
    }

    @Test
    void mkdirOfAnExistingNameIsEexist() throws Exception {
        file(ROOT, "f");
        assertErrno(() -> ns.mkdir(ROOT, "f", 0755, 0, 0), Errno.EEXIST);
    }

    @Test
    void symlinkOfAnExistingNameIsEexist() throws Exception {
        dir(ROOT, "d");
        assertErrno(() -> ns.symlink(ROOT, "d", "/x", 0, 0), Errno.EEXIST);
    }

    @Test
    void aSymlinkTargetOfMoreThan4095BytesIsEnametoolong() throws Exception {
        assertErrno(() -> ns.symlink(ROOT, "l", "x".repeat(4096), 0, 0), Errno.ENAMETOOLONG);
        assertThat(ns.symlink(ROOT, "l", "x".repeat(4095), 0, 0).size()).isEqualTo(4095);
    }

    @Test
    void readlinkOfANonSymlinkIsEinval() throws Exception {
        long f = file(ROOT, "f");
        assertErrno(() -> ns.readlink(f), Errno.EINVAL);
    }

    @Test
    void linkOfAnExistingNameIsEexist() throws Exception {
        long f = file(ROOT, "f");
        file(ROOT, "g");
        assertErrno(() -> ns.link(f, ROOT, "g"), Errno.EEXIST);
    }

    @Test
    void linkOfADirectoryIsEperm() throws Exception {
        long d = dir(ROOT, "d");
        assertErrno(() -> ns.link(d, ROOT, "e"), Errno.EPERM);
    }

    @Test
    void unlinkOfADirectoryIsEisdir() throws Exception {
        dir(ROOT, "d");
        assertErrno(() -> ns.unlink(ROOT, "d"), Errno.EISDIR);
    }

    @Test
    void unlinkOfAMissingNameIsEnoent() {
        assertErrno(() -> ns.unlink(ROOT, "nothing"), Errno.ENOENT);
    }

    @Test
    void rmdirOfANonDirectoryIsEnotdir() throws Exception {
        file(ROOT, "f");
        assertErrno(() -> ns.rmdir(ROOT, "f"), Errno.ENOTDIR);
    }

    @Test
    void rmdirOfANonEmptyDirectoryIsEnotempty() throws Exception {
        long d = dir(ROOT, "d");
        file(d, "f");
        assertErrno(() -> ns.rmdir(ROOT, "d"), Errno.ENOTEMPTY);
    }

    @Test
    void rmdirOfDotIsEinval() throws Exception {
        long d = dir(ROOT, "d");
        assertErrno(() -> ns.rmdir(d, "."), Errno.EINVAL);
    }

    @Test
    void renameWithBothNoreplaceAndExchangeIsEinval() throws Exception {
        file(ROOT, "a");
        file(ROOT, "b");
        assertErrno(() -> ns.rename(ROOT, "a", ROOT, "b",
                FileSystem.RENAME_NOREPLACE | FileSystem.RENAME_EXCHANGE), Errno.EINVAL);
    }

    @Test
    void renameWithAnUnknownFlagIsEinval() throws Exception {
        file(ROOT, "a");
        assertErrno(() -> ns.rename(ROOT, "a", ROOT, "b", 1 << 2), Errno.EINVAL);
    }

    @Test
    void renameOfAMissingNameIsEnoent() {
        assertErrno(() -> ns.rename(ROOT, "nothing", ROOT, "b", 0), Errno.ENOENT);
    }

    @Test
    void renameNoreplaceOverAnExistingNameIsEexist() throws Exception {
        file(ROOT, "a");
        file(ROOT, "b");
        assertErrno(() -> ns.rename(ROOT, "a", ROOT, "b", FileSystem.RENAME_NOREPLACE), Errno.EEXIST);
    }

    @Test
    void renameExchangeWithAMissingNewNameIsEnoent() throws Exception {
        file(ROOT, "a");
        assertErrno(() -> ns.rename(ROOT, "a", ROOT, "b", FileSystem.RENAME_EXCHANGE), Errno.ENOENT);
    }

    @Test
    void renameExchangeSwapsTheTwoNamesEvenOfDifferentKinds() throws Exception {
        long a = file(ROOT, "a");
        long d = dir(ROOT, "d");
        long sub = dir(d, "sub");
        ns.rename(ROOT, "a", d, "sub", FileSystem.RENAME_EXCHANGE);
        assertThat(ns.lookup(ROOT, "a").ino()).isEqualTo(sub);
        assertThat(ns.lookup(d, "sub").ino()).isEqualTo(a);
        assertThat(ns.parent(sub)).isEqualTo(ROOT);
    }

    @Test
    void renameOfADirectoryOverANonDirectoryIsEnotdir() throws Exception {
        dir(ROOT, "d");
        file(ROOT, "f");
        assertErrno(() -> ns.rename(ROOT, "d", ROOT, "f", 0), Errno.ENOTDIR);
    }

    @Test
    void renameOfANonDirectoryOverADirectoryIsEisdir() throws Exception {
        dir(ROOT, "d");
        file(ROOT, "f");
        assertErrno(() -> ns.rename(ROOT, "f", ROOT, "d", 0), Errno.EISDIR);
    }

    @Test
    void renameOverANonEmptyDirectoryIsEnotempty() throws Exception {
        dir(ROOT, "a");
        long b = dir(ROOT, "b");
        file(b, "f");
        assertErrno(() -> ns.rename(ROOT, "a", ROOT, "b", 0), Errno.ENOTEMPTY);
    }

    @Test
    void renameOverAnEmptyDirectoryReplacesIt() throws Exception {
        long a = dir(ROOT, "a");
        long b = dir(ROOT, "b");
        ns.rename(ROOT, "a", ROOT, "b", 0);
        assertThat(ns.lookup(ROOT, "b").ino()).isEqualTo(a);
        assertErrno(() -> ns.getattr(b), Errno.ENOENT);
    }

    @Test
    void renameOfADirectoryIntoItsOwnSubtreeIsEinval() throws Exception {
        long a = dir(ROOT, "a");
        long b = dir(a, "b");
        long c = dir(b, "c");
        assertErrno(() -> ns.rename(ROOT, "a", c, "a", 0), Errno.EINVAL);
    }

    @Test
    void renameOfADirectoryIntoItselfIsEinval() throws Exception {
        long a = dir(ROOT, "a");
        assertErrno(() -> ns.rename(ROOT, "a", a, "a", 0), Errno.EINVAL);
    }

    @Test
    void renameExchangeOfADirectoryWithANameInsideItIsEinval() throws Exception {
        long a = dir(ROOT, "a");
        file(a, "f");
        assertErrno(() -> ns.rename(a, "f", ROOT, "a", FileSystem.RENAME_EXCHANGE), Errno.EINVAL);
    }

    @Test
    void renameBetweenTwoNamesOfTheSameInodeChangesNothing() throws Exception {
        long f = file(ROOT, "f");
        ns.link(f, ROOT, "g");
        ns.rename(ROOT, "f", ROOT, "g", 0);
        assertThat(ns.lookup(ROOT, "f").ino()).isEqualTo(f);
        assertThat(ns.lookup(ROOT, "g").ino()).isEqualTo(f);
        assertThat(ns.getattr(f).links()).isEqualTo(2);
    }

    @Test
    void aFileCreatedInASetGroupIdDirectoryTakesTheDirectorysGroup() throws Exception {
        long d = ns.mkdir(ROOT, "d", 02775, 0, 50).ino();
        FileStat f = ns.create(d, "f", 0644, 7, 7, true);
        assertThat(f.gid()).isEqualTo(50);
        assertThat(f.mode() & FileStat.S_ISGID).isZero();
        assertThat(ns.symlink(d, "l", "f", 7, 7).gid()).isEqualTo(50);
    }

    @Test
    void aDirectoryCreatedInASetGroupIdDirectoryTakesItsGroupAndKeepsSetGroupId() throws Exception {
        long d = ns.mkdir(ROOT, "d", 02775, 0, 50).ino();
        FileStat sub = ns.mkdir(d, "sub", 0755, 7, 7);
        assertThat(sub.gid()).isEqualTo(50);
        assertThat(sub.mode()).isEqualTo(02755);
    }

    @Test
    void aFileCreatedInAnOrdinaryDirectoryTakesTheCreatorsGroup() throws Exception {
        assertThat(ns.create(ROOT, "f", 0644, 7, 8, true).gid()).isEqualTo(8);
    }

    @Test
    void chownOfARegularFileClearsSetUserIdAndGroupExecutableSetGroupId() throws Exception {
        long f = ns.create(ROOT, "f", 06755, 0, 0, true).ino();
        assertThat(ns.setattr(f, SetAttr.owner(5, 5)).mode()).isEqualTo(0755);
    }

    @Test
    void chownKeepsSetGroupIdWhenTheGroupCannotExecute() throws Exception {
        long f = ns.create(ROOT, "f", 06644, 0, 0, true).ino();
        assertThat(ns.setattr(f, SetAttr.owner(5, -1)).mode()).isEqualTo(02644);
    }

    @Test
    void chownOfADirectoryKeepsItsModeBits() throws Exception {
        long d = ns.mkdir(ROOT, "d", 02775, 0, 0).ino();
        assertThat(ns.setattr(d, SetAttr.owner(5, 5)).mode()).isEqualTo(02775);
    }

    @Test
    void truncateOfADirectoryIsEisdir() throws Exception {
        long d = dir(ROOT, "d");
        assertErrno(() -> ns.setattr(d, SetAttr.size(0)), Errno.EISDIR);
    }

    @Test
    void openOfADirectoryIsEisdirAndOfASymlinkEloop() throws Exception {
        long d = dir(ROOT, "d");
        long l = ns.symlink(ROOT, "l", "d", 0, 0).ino();
        assertErrno(() -> ns.open(d), Errno.EISDIR);
        assertErrno(() -> ns.open(l), Errno.ELOOP);
    }

    @Test
    void anXattrOutsideTheUserNamespaceIsEopnotsupp() throws Exception {
        long f = file(ROOT, "f");
        assertErrno(() -> ns.setxattr(f, "trusted.x", new byte[1], 0), Errno.EOPNOTSUPP);
        assertErrno(() -> ns.getxattr(f, "security.selinux"), Errno.EOPNOTSUPP);
    }

    @Test
    void anXattrNameOfMoreThan255BytesIsErange() throws Exception {
        long f = file(ROOT, "f");
        assertErrno(() -> ns.setxattr(f, "user." + "x".repeat(251), new byte[1], 0), Errno.ERANGE);
        ns.setxattr(f, "user." + "x".repeat(250), new byte[1], 0);
    }

    @Test
    void anXattrValueOfMoreThan65536BytesIsE2big() throws Exception {
        long f = file(ROOT, "f");
        assertErrno(() -> ns.setxattr(f, "user.big", new byte[65537], 0), Errno.E2BIG);
        ns.setxattr(f, "user.big", new byte[65536], 0);
        assertThat(ns.getxattr(f, "user.big")).hasSize(65536);
    }

    @Test
    void readdirPagesGoOnAfterTheLastNameSeen() throws Exception {
        for (String n : List.of("c", "a", "b", "d")) {
            file(ROOT, n);
        }
        List<DirEntry> first = ns.readdir(ROOT, null, 2);
        assertThat(first).extracting(DirEntry::name).containsExactly("a", "b");
        assertThat(ns.readdir(ROOT, "b", 10)).extracting(DirEntry::name).containsExactly("c", "d");
        assertThat(first.getFirst().kind()).isEqualTo(FileKind.REGULAR);
    }

    @Test
    void concurrentExclusiveCreatesOfOneNameLetExactlyOneSucceed() throws Exception {
        fs.yieldAfterLookup = true;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 100; round++) {
                String name = "f" + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    Callable<Integer> create = () -> {
                        start.await();
                        try {
                            ns.create(ROOT, name, 0644, 0, 0, true);
                            return 0;
                        } catch (JiomapException e) {
                            return e.errno();
                        }
                    };
                    results.add(pool.submit(create));
                }
                start.countDown();
                List<Integer> errnos = new ArrayList<>();
                for (Future<Integer> r : results) {
                    errnos.add(r.get());
                }
                assertThat(errnos).as("round %d", round).containsOnly(0, Errno.EEXIST).containsOnlyOnce(0);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
