package io.jiomap.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.cli.CliRun;
import io.jiomap.fuse.MountTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jiomap:mount --fuse IMAGE MOUNTPOINT}: an image served through FUSE from the shell session, in the background. */
class ShellFuseMountTest {
    private final LiveMounts mounts = new LiveMounts(CliRun.plugins());
    private final LiveFuseMounts fuseMounts = new LiveFuseMounts(CliRun.plugins());
    private final ShellCommands shell = new ShellCommands(CliRun.plugins(), mounts, new LiveServes(CliRun.plugins()),
            fuseMounts, new BundleInstaller(null, Path.of("")), () -> { });
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final PrintStream originalOut = System.out;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        fuseMounts.close();
        mounts.close();
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void mountFuseRefusesAMissingOperandAnUnknownOptionAndABadMountOptionSayingWhatItTakes() {
        assertThatThrownBy(() -> shell.mount("--fuse", "x.img")).isInstanceOf(ShellCommands.CommandFailed.class)
                .hasMessageContaining("expected IMAGE MOUNTPOINT, got 1 operand(s)", "usage: jiomap:mount --fuse");
        assertThatThrownBy(() -> shell.mount("--fuse", "--fast", "x.img", "/mnt"))
                .hasMessageContaining("unknown option --fast");
        assertThatThrownBy(() -> shell.mount("--fuse", "-o", "colour=blue", "x.img", "/mnt"))
                .hasMessageContaining("unknown mount option colour=blue");
        assertThatThrownBy(() -> shell.mount("--fuse", "x.img", "-o"))
                .hasMessageContaining("-o needs OPTIONS");
        assertThat(fuseMounts.list()).isEmpty();
    }

    @Test
    void mountFuseOfAMissingImageNamesItAndLeavesNothingMounted() throws Exception {
        LiveMountsAssumptions.assumeFuse();
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        assertThatThrownBy(() -> shell.mount("--fuse", dir.resolve("missing.img").toString(), mnt.toString()))
                .hasMessageContaining("missing.img");
        assertThat(MountTable.isMountpoint(mnt)).isFalse();
        assertThat(fuseMounts.list()).isEmpty();
    }

    @Test
    void mountFuseServesTheImageInTheBackgroundUntilUmountOfItsMountpointWhichLeavesItDurable() throws Exception {
        LiveMountsAssumptions.assumeFuse();
        Path image = dir.resolve("fs.img");
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        CliRun mkfs = CliRun.of("mkfs", "--fs=ext4-like", "--size=256m", image.toString());
        assertThat(mkfs.exitCode()).as(mkfs.err()).isZero();

        shell.mount("--fuse", "-o", "default_permissions", image.toString(), mnt.toString());
        assertThat(out()).contains(image + " (ext4-like) mounted on " + mnt + " through FUSE");
        assertThat(MountTable.isServedJiomap(mnt)).isTrue();
        Files.writeString(mnt.resolve("hello.txt"), "written through the shell's FUSE mount\n");
        Files.createSymbolicLink(mnt.resolve("link"), Path.of("hello.txt"));
        out.reset();
        shell.mounts();
        assertThat(out()).containsPattern(mnt + " +" + image + " +ext4-like");

        out.reset();
        shell.umount(mnt.toString());
        assertThat(out()).contains(mnt + ": unmounted, everything written is on the image");
        assertThat(MountTable.isMountpoint(mnt)).isFalse();
        assertThat(fuseMounts.list()).isEmpty();
        CliRun fsck = CliRun.of("fsck", image.toString());
        assertThat(fsck.out()).contains(image + ": clean");

        // Unmounted from outside (umount(8)): the session notices, makes the image durable and forgets the mount.
        shell.mount("--fuse", image.toString(), mnt.toString());
        assertThat(Files.readString(mnt.resolve("link"))).isEqualTo("written through the shell's FUSE mount\n");
        CliRun umount = CliRun.of("umount", mnt.toString());
        assertThat(umount.exitCode()).as(umount.out() + umount.err()).isZero();
        await().atMost(Duration.ofSeconds(60)).until(() -> fuseMounts.list().isEmpty());
        assertThat(CliRun.of("fsck", image.toString()).out()).contains(image + ": clean");
    }

    /** Skips, saying why, where FUSE is missing. */
    static final class LiveMountsAssumptions {
        static void assumeFuse() {
            assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing: no FUSE here");
        }
    }
}
