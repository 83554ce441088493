package io.jiomap.cli.xfsio;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.command.ExitCode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jiomap io} on the raw filesystem in an image file: xfs_io's commands and output lines. */
class IoCommandTest {
    @TempDir
    Path dir;
    private String image;

    @BeforeEach
    void makeImage() {
        image = dir.resolve("io.img").toString();
        assertThat(CliRun.of("mkfs", "--fs=raw", "--size=1m", image).exitCode()).isZero();
    }

    private CliRun io(String... commandsThenFlags) {
        String[] args = new String[commandsThenFlags.length + 4];
        args[0] = "io";
        args[1] = "--fs=raw";
        System.arraycopy(commandsThenFlags, 0, args, 2, commandsThenFlags.length);
        args[args.length - 2] = image;
        args[args.length - 1] = "/dev";
        return CliRun.of(args);
    }

    @Test
    void pwriteAndPreadPrintXfsIoLinesAndTheDataRoundTrips() {
        CliRun run = io("-d", "-c", "pwrite -S 0x41 -b 8192 0 16384", "-c", "pread -v 4096 512");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("wrote 16384/16384 bytes at offset 0\n")
                .containsPattern("16 KiB, 2 ops; \\d+\\.\\d{4} sec \\(.+/sec and .+ ops/sec\\)\n")
                .contains("00001000:  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  AAAAAAAAAAAAAAAA\n")
                .contains("00001010:  41 41 41 41")
                .contains("read 512/512 bytes at offset 4096\n");
    }

    @Test
    void aMisalignedDirectWriteFailsNamingTheAlignmentAndLaterCommandsStillRun() {
        CliRun run = io("-d", "-c", "pwrite 1 10", "-c", "pwrite -S 0x42 0 512", "-c", "pread -v 0 512");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("pwrite: Invalid argument")
                .contains("offset 1 is not a multiple of the logical block size 512");
        assertThat(run.out()).contains("wrote 512/512 bytes at offset 0")
                .contains("00000000:  42 42 42 42 42 42 42 42 42 42 42 42 42 42 42 42");
    }

    @Test
    void withoutDirectUnalignedWritesAreEmulatedAndLeaveTheNeighboursAlone() {
        CliRun run = io("-c", "pwrite -S 0x41 0 4096", "-c", "pwrite -S 0x42 1 10", "-c", "pread -v 0 16",
                "-c", "stat");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("wrote 10/10 bytes at offset 1\n10.000000 bytes, 1 ops;")
                .contains("00000000:  41 42 42 42 42 42 42 42 42 42 42 41 41 41 41 41  ABBBBBBBBBBAAAAA")
                .contains("fd.flags = non-sync,non-direct,read-write");
    }

    @Test
    void fiemapVerboseIsXfsIosTableIn512ByteUnits() {
        CliRun run = io("-c", "fiemap -v");

        assertThat(run.out()).isEqualTo("""
                /dev:
                 EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS
                   0: [0..2047]:       0..2047           2048   0x1
                """);
    }

    @Test
    void statAndStatfsPrintXfsIosFields() {
        CliRun run = io("-D", "-c", "stat", "-c", "statfs");

        assertThat(run.out()).contains("fd.path = \"/dev\"\n", "fd.flags = sync,non-direct,read-write\n",
                "stat.type = regular file\n", "stat.size = 1048576\n", "stat.blocks = 2048\n",
                "statfs.f_bsize = 512\n", "statfs.f_blocks = 2048\n");
    }

    @Test
    void anUnknownCommandOrOptionIsReportedAndSetsTheExitStatus() {
        CliRun unknown = io("-c", "frob 1 2");
        CliRun badOption = io("-c", "pwrite -Z 0 512");
        CliRun notNumber = io("-c", "pwrite 0 lots");

        assertThat(unknown.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(unknown.err()).contains("command \"frob\" not found");
        assertThat(badOption.err()).contains("pwrite: invalid option -- 'Z'");
        assertThat(notNumber.err()).contains("non-numeric argument -- lots");
    }

    @Test
    void reflinkOnAFilesystemWithoutSharedExtentsSaysEopnotsupp() {
        CliRun run = io("-c", "reflink /dev 0 0 4096");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("XFS_IOC_CLONE_RANGE: Operation not supported");
    }

    @Test
    void fcollapseAndFinsertShiftTheFileOnXfsLike() {
        String xfs = dir.resolve("x.img").toString();
        assertThat(CliRun.of("mkfs", "--fs=xfs-like", "--size=64m", xfs).exitCode()).isZero();

        CliRun run = CliRun.of("io", "-f", "-c", "pwrite -S 0x41 0 4096", "-c", "pwrite -S 0x42 4096 4096",
                "-c", "fcollapse 0 4096", "-c", "pread -v 0 16", "-c", "finsert 0 4096", "-c", "pread -v 4096 16",
                "-c", "stat", xfs, "/f");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("00000000:  42 42 42 42 42 42 42 42 42 42 42 42 42 42 42 42")
                .contains("00001000:  42 42 42 42 42 42 42 42 42 42 42 42 42 42 42 42")
                .contains("stat.size = 8192");
    }

    @Test
    void fcollapseOfPartOfABlockIsEinvalNamingTheBlockSize() {
        String xfs = dir.resolve("x.img").toString();
        assertThat(CliRun.of("mkfs", "--fs=xfs-like", "--size=64m", xfs).exitCode()).isZero();

        CliRun run = CliRun.of("io", "-f", "-c", "pwrite 0 16384", "-c", "fcollapse 512 4096", xfs, "/f");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("fallocate: Invalid argument").contains("block size 4096");
    }
}
