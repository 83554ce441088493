package io.jiomap.cli.mount;

import static io.jiomap.cli.mount.Programs.run;
import static io.jiomap.cli.mount.Programs.runWithInput;
import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Programs jiomap did not write, on a {@code jiomap mount} of xfs-like and ext4-like images: each works as on a
 * kernel filesystem, then the image unmounts, fscks clean and mounts again with the same content.
 */
class RealProgramsOnMountTest {
    private static final int DIRECTORIES = 20;
    private static final int FILES_PER_DIRECTORY = 100;

    @TempDir
    Path dir;

    private Path image;
    private Path mountpoint;
    private Path tree;

    @BeforeEach
    void setUp() throws IOException {
        LiveMount.assumeFuse();
        image = dir.resolve("fs.img");
        mountpoint = Files.createDirectory(dir.resolve("mnt"));
        tree = dir.resolve("tree");
    }

    private void mkfs(String type) {
        CliRun run = CliRun.of("mkfs", "--fs=" + type, "--size=1g", image.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    private void assertFsckClean() {
        CliRun fsck = CliRun.of("fsck", image.toString());
        assertThat(fsck.exitCode()).as(fsck.out() + fsck.err()).isZero();
        assertThat(fsck.out()).contains(image + ": clean");
    }

    /** Thousands of files of varied sizes (empty, sub-block, block-aligned, multi-block) in nested directories. */
    private void makeTree() throws IOException {
        Random random = new Random(12);
        for (int d = 0; d < DIRECTORIES; d++) {
            Path sub = Files.createDirectories(tree.resolve("d" + d).resolve("nested"));
            for (int f = 0; f < FILES_PER_DIRECTORY; f++) {
                int size = switch (f % 5) {
                    case 0 -> 0;
                    case 1 -> random.nextInt(4096);
                    case 2 -> 4096 * (1 + random.nextInt(4));
                    case 3 -> random.nextInt(64 * 1024);
                    default -> random.nextInt(300 * 1024);
                };
                byte[] data = new byte[size];
                random.nextBytes(data);
                Files.write((f % 10 == 0 ? sub : sub.getParent()).resolve("f" + f + ".bin"), data);
            }
        }
    }

    @ParameterizedTest(name = "{0} -o {1}")
    @CsvSource({"xfs-like, rw", "ext4-like, rw", "ext4-like, writeback_cache"})
    void cpTarGitAndSqliteWorkOnTheMountAndTheirFilesSurviveUnmountFsckAndRemount(String type, String options)
            throws Exception {
        mkfs(type);
        makeTree();
        Path script = dir.resolve("write-heavy.sql");
        Files.writeString(script, """
                PRAGMA journal_mode=DELETE;
                CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, b BLOB);
                WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<5000)
                  INSERT INTO t(v, b) SELECT hex(randomblob(20)), randomblob(300) FROM c;
                CREATE INDEX iv ON t(v);
                UPDATE t SET v = v || 'x' WHERE id % 3 = 0;
                DELETE FROM t WHERE id % 7 = 0;
                BEGIN; INSERT INTO t(v, b) SELECT v, b FROM t WHERE id % 5 = 0; COMMIT;
                VACUUM;
                PRAGMA integrity_check;
                SELECT count(*) FROM t;
                """);
        try (LiveMount mount = LiveMount.start(image, mountpoint, "-o", options)) {
            Path mnt = mount.path();
            run(dir, "cp", "-a", tree.toString(), mnt.resolve("tree").toString());
            run(dir, "diff", "-r", tree.toString(), mnt.resolve("tree").toString());

            run(dir, "tar", "-cf", dir.resolve("out.tar").toString(), "-C", mnt.toString(), "tree");
            Files.createDirectory(mnt.resolve("untar"));
            run(dir, "tar", "-xf", dir.resolve("out.tar").toString(), "-C", mnt.resolve("untar").toString());
            run(dir, "diff", "-r", tree.toString(), mnt.resolve("untar/tree").toString());

            Path repo = mnt.resolve("repo");
            run(dir, "cp", "-r", tree.resolve("d3").toString(), repo.toString());
            run(repo, "git", "init", "-q", ".");
            run(repo, "git", "add", ".");
            run(repo, "git", "-c", "user.name=jiomap", "-c", "user.email=jiomap@example.org", "commit", "-q",
                    "-m", "a tree on a jiomap mount");
            assertThat(run(repo, "git", "log", "--oneline")).contains("a tree on a jiomap mount");
            run(repo, "git", "fsck", "--full", "--strict");

            String sql = runWithInput(mnt, script, "sqlite3", mnt.resolve("db.sqlite").toString());
            assertThat(Programs.lines(sql)).contains("ok");

            mount.unmount();
        }
        assertFsckClean();

        try (LiveMount mount = LiveMount.start(image, mountpoint, "-o", options)) {
            Path mnt = mount.path();
            run(dir, "diff", "-r", tree.toString(), mnt.resolve("tree").toString());
            run(dir, "diff", "-r", tree.toString(), mnt.resolve("untar/tree").toString());
            run(mnt.resolve("repo"), "git", "fsck", "--full", "--strict");
            run(dir, "diff", "-r", "-x", ".git", tree.resolve("d3").toString(), mnt.resolve("repo").toString());
            assertThat(run(mnt, "sqlite3", "db.sqlite", "PRAGMA integrity_check;")).isEqualToIgnoringNewLines("ok");
            mount.unmount();
        }
        assertFsckClean();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void fioVerifiesDirectAndBufferedIoAndXfsIoSeesHolesAndDataThroughTheMount(String type) throws Exception {
        mkfs(type);
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Path mnt = mount.path();
            for (String direct : new String[] {"1", "0"}) {
                for (String engine : new String[] {"io_uring", "psync"}) {
                    String out = run(mnt, "fio", "--name=v", "--filename=fio-" + engine + "-" + direct,
                            "--size=8m", "--bs=4k", "--rw=randwrite", "--direct=" + direct, "--ioengine=" + engine,
                            "--iodepth=8", "--verify=crc32c", "--do_verify=1", "--output-format=terse",
                            "--terse-version=3");
                    // terse v3: field 5 is the job's error code.
                    assertThat(out.lines().filter(l -> l.startsWith("3;")).findFirst().orElseThrow().split(";")[4])
                            .as("fio error, direct=%s %s:\n%s", direct, engine, out).isEqualTo("0");
                }
            }

            String seek = run(mnt, "xfs_io", "-f", "-c", "pwrite -S 0xab 0 1m", "-c", "falloc 1m 1m",
                    "-c", "fpunch 256k 128k", "-c", "pwrite -S 0xcd 3m 64k", "-c", "pwrite -S 0xef 5000 100",
                    "-c", "seek -a -r 0", "x.dat");
            assertThat(seek).containsPattern("DATA\\s+0\\b").containsPattern("HOLE\\s+262144\\b")
                    .containsPattern("DATA\\s+393216\\b").containsPattern("DATA\\s+3145728\\b")
                    .containsPattern("HOLE\\s+3211264\\b");
            run(mnt, "xfs_io", "-f", "-c", "copy_range -s 0 -d 0 -l 1048576 x.dat", "y.dat");
            run(mnt, "cmp", "-n", "1048576", "x.dat", "y.dat");
            mount.unmount();
        }
        assertFsckClean();

        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Path mnt = mount.path();
            for (String engine : new String[] {"io_uring", "psync"}) {
                run(mnt, "fio", "--name=v", "--filename=fio-" + engine + "-1", "--size=8m", "--bs=4k",
                        "--rw=randwrite", "--direct=1", "--ioengine=" + engine, "--verify=crc32c",
                        "--verify_only=1");
            }
            byte[] x = Files.readAllBytes(mnt.resolve("x.dat"));
            assertThat(x).hasSize(3 * 1024 * 1024 + 64 * 1024);
            assertThat(x[0]).isEqualTo((byte) 0xab);
            assertThat(x[5000]).isEqualTo((byte) 0xef);
            assertThat(x[5100]).isEqualTo((byte) 0xab);
            assertThat(x[256 * 1024 + 1]).isZero();
            assertThat(x[3 * 1024 * 1024 + 1]).isEqualTo((byte) 0xcd);
            mount.unmount();
        }
        assertFsckClean();
    }
}
