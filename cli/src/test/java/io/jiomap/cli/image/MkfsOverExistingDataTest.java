package io.jiomap.cli.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.command.ExitCode;
import io.jiomap.cli.format.Images;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** jiomap mkfs treats an image as the user's data: it writes over a filesystem only when forced, as mkfs.xfs. */
class MkfsOverExistingDataTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{1} over {0}")
    @CsvSource({"ext4-like, xfs-like", "xfs-like, ext4-like", "xfs-like, xfs-like", "ext4-like, raw"})
    void mkfsRefusesAnImageHoldingAFilesystemNamingItAndLeavesItIntact(String there, String wanted)
            throws Exception {
        Path image = dir.resolve("a.img");
        Images.mkfs(image, there, "64m");
        Images.writeFile(image, there, "/keep", (byte) 0x5a);
        byte[] before = Files.readAllBytes(image);

        CliRun run = CliRun.of("mkfs", "--fs=" + wanted, image.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("EEXIST", image + " holds an " + there + " filesystem (64m",
                "-f wipes it and makes a new " + wanted + " filesystem");
        assertThat(Files.readAllBytes(image)).as("the image is untouched").isEqualTo(before);
        Images.assertFileHolds(image, there, "/keep", (byte) 0x5a);
    }

    @ParameterizedTest(name = "{1} over {0}")
    @CsvSource({"ext4-like, xfs-like, 2 bytes were erased at offset 0x438 (ext4-like): 53 ef",
            "xfs-like, ext4-like, 4 bytes were erased at offset 0x0 (xfs-like): 53 46 58 4a"})
    void forcedMkfsWipesTheOtherTypesSignatureSoThatOnlyTheNewTypeClaimsTheImage(String there, String wanted,
                                                                               String wiped) {
        Path image = dir.resolve("b.img");
        Images.mkfs(image, there, "64m");

        CliRun run = CliRun.of("mkfs", "-f", "--fs=" + wanted, image.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("wiped: " + wiped).contains(image + ": " + wanted + " on ");
        CliRun fsck = CliRun.of("fsck", image.toString());
        assertThat(fsck.exitCode()).as(fsck.err()).isZero();
        assertThat(fsck.out()).startsWith(image + ": " + wanted + "\n").endsWith(image + ": clean\n");
    }

    @Test
    void forcedMkfsThatTheTypeRefusesPutsTheWipedSignatureBack() throws Exception {
        Path image = dir.resolve("c.img");
        Images.mkfs(image, "ext4-like", "64m");
        Images.writeFile(image, "ext4-like", "/keep", (byte) 0x11);

        CliRun run = CliRun.of("mkfs", "-f", "--fs=xfs-like", "-o", "colour=blue", image.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("EINVAL", "colour");
        assertThat(run.out()).doesNotContain("wiped");
        assertThat(CliRun.of("fsck", image.toString()).out()).startsWith(image + ": ext4-like\n");
        Images.assertFileHolds(image, "ext4-like", "/keep", (byte) 0x11);
    }

    @Test
    void mkfsRefusesTheKernelsXfsNamingItsSizeAndUuidAndForcedWipesItsMagic() throws Exception {
        Path image = dir.resolve("kernel-xfs.img");
        Images.mkfs(image, "raw", "8m");
        // An XFS superblock: "XFSB", block size 4096 and 2048 data blocks (big-endian), a UUID at 32.
        Images.poke(image, 0, "XFSB".getBytes(StandardCharsets.US_ASCII));
        Images.poke(image, 4, (byte) 0, (byte) 0, (byte) 0x10, (byte) 0);
        Images.poke(image, 8, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0x08, (byte) 0);
        Images.poke(image, 32, (byte) 0x12, (byte) 0x34, (byte) 0x56, (byte) 0x78, (byte) 0x9a, (byte) 0xbc,
                (byte) 0xde, (byte) 0xf0, (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5, (byte) 6, (byte) 7,
                (byte) 8);

        CliRun refused = CliRun.of("mkfs", "--fs=ext4-like", image.toString());
        CliRun fsck = CliRun.of("fsck", image.toString());

        assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(refused.err()).contains(image + " holds an xfs filesystem (8m, uuid "
                + "12345678-9abc-def0-0102-030405060708)", "-f wipes it");
        assertThat(fsck.err()).contains("it holds an xfs filesystem (8m", "which no jiomap type reads");

        CliRun forced = CliRun.of("mkfs", "-f", "--fs=ext4-like", image.toString());

        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("wiped: 4 bytes were erased at offset 0x0 (xfs): 58 46 53 42");
        assertThat(Images.peek(image, 0, 4)).containsOnly(0);
        assertThat(CliRun.of("fsck", image.toString()).exitCode()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ext2, 0, 0", "ext3, 4, 0", "ext4, 4, 64"})
    void mkfsRefusesTheKernelsExtFilesystemsNamingWhichOne(String kind, int compat, int incompat) throws Exception {
        Path image = dir.resolve(kind + ".img");
        Images.mkfs(image, "raw", "8m");
        // The ext superblock at 1024: 8192 blocks (at +4) of 1 KiB (log 0 at +0x18), magic 0xEF53 at +0x38.
        Images.poke(image, 1024 + 4, (byte) 0, (byte) 0x20, (byte) 0, (byte) 0);
        Images.poke(image, 1024 + 0x38, (byte) 0x53, (byte) 0xEF);
        Images.poke(image, 1024 + 0x5C, (byte) compat);
        Images.poke(image, 1024 + 0x60, (byte) incompat);

        CliRun run = CliRun.of("mkfs", "--fs=xfs-like", image.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains(image + " holds an " + kind + " filesystem (8m)");
    }

    @Test
    void mkfsOfANewImageNeedsNoForce() {
        Path image = dir.resolve("new.img");

        CliRun run = CliRun.of("mkfs", "--fs=xfs-like", "--size=64m", image.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).doesNotContain("wiped");
    }
}
