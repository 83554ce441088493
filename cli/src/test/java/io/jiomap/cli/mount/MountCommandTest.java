package io.jiomap.cli.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.command.ExitCode;
import io.jiomap.fuse.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code jiomap mount} refuses (touching nothing), and what its options change on a live mount. */
class MountCommandTest {
    @TempDir
    Path dir;

    private Path image;
    private Path mountpoint;

    @BeforeEach
    void setUp() throws IOException {
        LiveMount.assumeFuse();
        image = dir.resolve("fs.img");
        mountpoint = Files.createDirectory(dir.resolve("mnt"));
        CliRun run = CliRun.of("mkfs", "--fs=xfs-like", "--size=256m", image.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void aMountpointThatIsNotAnEmptyDirectoryIsRefusedAndTheImageIsNotTouched() throws Exception {
        Files.writeString(mountpoint.resolve("already-here"), "x");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String before = sha256(image);

        CliRun notEmpty = CliRun.of("mount", image.toString(), mountpoint.toString());
        CliRun missing = CliRun.of("mount", image.toString(), dir.resolve("nowhere").toString());
        CliRun notDir = CliRun.of("mount", image.toString(), file.toString());

        assertThat(notEmpty.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(notEmpty.err()).contains("ENOTEMPTY").contains("is not empty").doesNotContain("EIO");
        assertThat(missing.err()).contains("ENOENT").contains("does not exist");
        assertThat(notDir.err()).contains("ENOTDIR").contains("is not a directory");
        assertThat(sha256(image)).isEqualTo(before);
        assertThat(MountTable.isMountpoint(mountpoint)).isFalse();
    }

    @Test
    void anImageHoldingNoFilesystemIsRefusedSayingWhatWasFound() throws Exception {
        Path garbage = dir.resolve("garbage.img");
        byte[] noise = new byte[16 << 20];
        new Random(5).nextBytes(noise);
        Files.write(garbage, noise);

        CliRun run = CliRun.of("mount", garbage.toString(), mountpoint.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("EINVAL").contains("holds no filesystem");
        assertThat(MountTable.isMountpoint(mountpoint)).isFalse();
    }

    @Test
    void anImageAlreadyMountedIsRefusedWhileTheFirstMountGoesOn() throws Exception {
        Path second = Files.createDirectory(dir.resolve("second"));
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Files.writeString(mount.path().resolve("kept"), "still here");

            CliRun again = CliRun.of("mount", image.toString(), second.toString());

            assertThat(again.exitCode()).isEqualTo(ExitCode.FAILURE);
            assertThat(again.err()).contains("EBUSY").contains("is in use");
            assertThat(MountTable.isMountpoint(second)).isFalse();
            assertThat(Files.readString(mount.path().resolve("kept"))).isEqualTo("still here");
            mount.unmount();
        }
    }

    @Test
    void unknownMountOptionsAreAUsageErrorNamingThem() {
        CliRun run = CliRun.of("mount", "-o", "ro,colour=blue", image.toString(), mountpoint.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("colour=blue").contains("known:");
    }

    @Test
    void umountOfADirectoryThatIsNoJiomapMountSaysSo() {
        CliRun run = CliRun.of("umount", mountpoint.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("is not a jiomap mount");
    }

    @Test
    void aReadOnlyMountServesReadsAndRefusesWritesWithEROFS() throws Exception {
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Files.writeString(mount.path().resolve("f"), "written before");
            mount.unmount();
        }
        try (LiveMount mount = LiveMount.start(image, mountpoint, "-o", "ro")) {
            assertThat(Files.readString(mount.path().resolve("f"))).isEqualTo("written before");
            assertThatThrownBy(() -> Files.writeString(mount.path().resolve("g"), "no"))
                    .hasMessageContaining("Read-only file system");
            mount.unmount();
        }
    }

    @Test
    void ownerGroupAndModeComeFromTheOptionsAndChangesTheFilesystemCannotKeepAreRefusedUnlessQuiet()
            throws Exception {
        try (LiveMount mount = LiveMount.start(image, mountpoint, "-o", "uid=1234,gid=5678,umask=027")) {
            Path f = Files.writeString(mount.path().resolve("f"), "x");
            Path d = Files.createDirectory(mount.path().resolve("d"));

            Map<String, Object> attrs = Files.readAttributes(f, "unix:uid,gid,mode");
            assertThat(attrs.get("uid")).isEqualTo(1234);
            assertThat(attrs.get("gid")).isEqualTo(5678);
            assertThat((int) attrs.get("mode") & 07777).isEqualTo(0640);
            assertThat((int) Files.getAttribute(d, "unix:mode") & 07777).isEqualTo(0750);
            assertThatThrownBy(() -> Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------")))
                    .hasMessageContaining("Operation not permitted");
            // A change to what is reported already is no change: it succeeds.
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
            mount.unmount();
        }
        try (LiveMount mount = LiveMount.start(image, mountpoint, "-o", "uid=1234,gid=5678,umask=027,quiet")) {
            Path f = mount.path().resolve("f");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
            assertThat((int) Files.getAttribute(f, "unix:mode") & 07777).isEqualTo(0640);
            mount.unmount();
        }
        // Without them the filesystem's own owner shows (the test's user created the file), and chmod reaches it.
        try (LiveMount mount = LiveMount.start(image, mountpoint)) {
            Path f = mount.path().resolve("f");
            assertThat(Files.getAttribute(f, "unix:uid")).isEqualTo(Files.getAttribute(dir, "unix:uid"));
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
            assertThat((int) Files.getAttribute(f, "unix:mode") & 07777).isEqualTo(0700);
            mount.unmount();
        }
    }

    @Test
    void withDefaultPermissionsAnotherUserGetsEaccesWhereTheModeSaysSo() throws Exception {
        LiveMount.assumeRoot();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (LiveMount mount = LiveMount.start(image, mountpoint, "-o", "allow_other,default_permissions,umask=022")) {
            Files.writeString(mount.path().resolve("readable"), "public");

            Programs.Result read = Programs.exec(dir, null, "setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", "cat", mount.path().resolve("readable").toString());
            Programs.Result write = Programs.exec(dir, null, "setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", "touch", mount.path().resolve("new-file").toString());

            assertThat(read.exitCode()).as(read.output()).isZero();
            assertThat(read.output()).isEqualTo("public");
            assertThat(write.exitCode()).isNotZero();
            assertThat(write.output()).contains("Permission denied");
            mount.unmount();
        }
    }
}
