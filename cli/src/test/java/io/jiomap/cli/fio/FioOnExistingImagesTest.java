package io.jiomap.cli.fio;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.command.ExitCode;
import io.jiomap.cli.format.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * fio and bench on an image: a blank one is formatted, one holding the requested filesystem is mounted as it is
 * (its files survive the run), anything else is refused unless {@code --mkfs=1} asks for a fresh filesystem.
 */
class FioOnExistingImagesTest {
    @TempDir
    Path dir;

    private static CliRun fio(Path image, String fs, String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "fio";
        args[1] = "--device=file:path=" + image;
        args[2] = "--fs=" + fs;
        args[3] = "--name=j";
        System.arraycopy(more, 0, args, 4, more.length);
        return CliRun.of(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs-like", "ext4-like"})
    void fioOnAnImageHoldingTheFilesystemMountsItSaysSoAndKeepsItsFiles(String fs) throws Exception {
        Path image = dir.resolve("fs.img");
        Images.mkfs(image, fs, "64m");
        Images.writeFile(image, fs, "/keep", (byte) 0xa5);

        CliRun run = fio(image, fs, "--filename=/other", "--rw=randwrite", "--size=4m", "--verify=crc32c");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).containsOnlyOnce("\n").startsWith("jiomap fio: file:path=" + image + " holds an " + fs
                + " filesystem (64m").contains("mounting it as it is (--mkfs=1 formats it afresh)");
        Images.assertFileHolds(image, fs, "/keep", (byte) 0xa5);
        assertThat(CliRun.of("fsck", image.toString()).exitCode()).isZero();
    }

    @Test
    void fioRefusesAnImageHoldingAnotherTypeNamingWhatIsThereAndHowToForce() throws Exception {
        Path image = dir.resolve("ext.img");
        Images.mkfs(image, "ext4-like", "64m");
        byte[] before = Files.readAllBytes(image);

        CliRun run = fio(image, "xfs-like", "--rw=write", "--size=1m");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("EEXIST", "file:path=" + image + " holds an ext4-like filesystem (64m)",
                "not an xfs-like filesystem", "it mounts as ext4-like, and --mkfs=1",
                "--mkfs=1 wipes it and makes a new xfs-like filesystem");
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
    }

    @Test
    void theRawFilesystemRefusesToWriteOverAFilesystem() throws Exception {
        Path image = dir.resolve("xfs.img");
        Images.mkfs(image, "xfs-like", "64m");

        CliRun run = fio(image, "raw", "--rw=write", "--size=1m");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("holds an xfs-like filesystem", "raw would write over it",
                "it mounts as xfs-like, and --mkfs=1", "--mkfs=1 wipes it and uses the device as raw");
    }

    @Test
    void mkfs1FormatsAnImageHoldingAnotherTypeAndOnlyTheNewTypeClaimsItAfterwards() {
        Path image = dir.resolve("ext.img");
        Images.mkfs(image, "ext4-like", "64m");

        CliRun run = fio(image, "xfs-like", "--mkfs=1", "--rw=write", "--size=1m");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("jiomap fio: file:path=" + image + ": 2 bytes were erased at offset 0x438"
                + " (ext4-like)");
        CliRun fsck = CliRun.of("fsck", image.toString());
        assertThat(fsck.exitCode()).as(fsck.err()).isZero();
        assertThat(fsck.out()).startsWith(image + ": xfs-like\n");
    }

    @Test
    void anImageThatIsNotBlankButCarriesNoSignatureIsNotFormattedUnasked() throws Exception {
        Path image = dir.resolve("data.img");
        Images.mkfs(image, "raw", "8m");
        Images.poke(image, (8 << 20) - 1, (byte) 1);

        CliRun refused = fio(image, "xfs-like", "--rw=write", "--size=1m");
        CliRun forced = fio(image, "xfs-like", "--mkfs", "--rw=write", "--size=1m");

        assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(refused.err()).contains("is not blank (byte " + ((8 << 20) - 1) + " is not zero) and carries no"
                + " signature jiomap knows", "--mkfs=1 makes a new xfs-like filesystem on it");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
    }

    @Test
    void aNewImageIsFormattedWithoutAWordAndTheNextRunMountsIt() {
        Path image = dir.resolve("new.img");
        String device = "--device=file:path=" + image + ",size=64m";

        CliRun first = CliRun.of("fio", device, "--fs=xfs-like", "--name=j", "--rw=write", "--size=1m");
        CliRun second = CliRun.of("fio", device, "--fs=xfs-like", "--name=j", "--rw=write", "--size=1m");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).isEmpty();
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.err()).contains("holds an xfs-like filesystem", "mounting it as it is");
    }

    @Test
    void aRelativeFilenameIsTakenFromTheFilesystemRoot() throws Exception {
        Path image = dir.resolve("rel.img");
        Images.mkfs(image, "xfs-like", "64m");

        CliRun run = fio(image, "xfs-like", "--filename=keep", "--rw=write", "--size=256k");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(JobSpec.from(java.util.Map.of("name", "j", "filename", "./dir/data")).filename())
                .isEqualTo("/dir/data");
        // fio's layout wrote the file's 256 KiB of zeros and the job wrote over them: /keep is there, full size.
        CliRun stat = CliRun.of("io", "-r", "-c", "stat", image.toString(), "/keep");
        assertThat(stat.exitCode()).as(stat.err()).isZero();
        assertThat(stat.out()).contains("stat.size = " + (256 << 10));
    }

    @Test
    void aMkfsValueThatIsNotOneOfAuto1Or0IsAUsageError() {
        CliRun run = CliRun.of("fio", "--mkfs=maybe", "--name=j", "--size=1m");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("--mkfs=maybe: use auto", "1 (wipe what is there and format)",
                "0 (mount what is there)");
    }

    @Test
    void benchOnAnImageHoldingTheFilesystemMountsItAndKeepsItsFiles() throws Exception {
        Path image = dir.resolve("bench.img");
        Images.mkfs(image, "xfs-like", "64m");
        Images.writeFile(image, "xfs-like", "/keep", (byte) 0x3c);

        CliRun run = CliRun.of("bench", "--device=file:path=" + image, "--fs=xfs-like", "--size=4m",
                "--runtime=0.05", "--warmup=0", "--qd=1", "--modes=caller", "--rounds=1");
        CliRun other = CliRun.of("bench", "--device=file:path=" + image, "--fs=ext4-like", "--size=4m",
                "--runtime=0.05", "--warmup=0", "--qd=1", "--modes=caller", "--rounds=1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("jiomap bench: file:path=" + image + " holds an xfs-like filesystem",
                "mounting it as it is");
        Images.assertFileHolds(image, "xfs-like", "/keep", (byte) 0x3c);
        assertThat(other.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(other.err()).contains("holds an xfs-like filesystem", "not an ext4-like filesystem");
    }
}
