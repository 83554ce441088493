package io.jiomap.cli.fio;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.command.ExitCode;
import io.jiomap.cli.format.Images;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fio's {@code verify_only}: a later run of the same job reads back what an earlier run wrote, on an image that
 * outlives both, and notices a block changed in between.
 */
class FioVerifyOnlyTest {
    private static final List<String> JOB = List.of("--name=j", "--filename=/data", "--rw=randrw", "--rwmixread=30",
            "--bs=4k", "--size=2m", "--ioengine=io_uring", "--iodepth=8", "--randseed=42", "--verify=crc32c");

    @TempDir
    Path dir;

    private static CliRun fio(Path image, String... more) {
        List<String> args = new ArrayList<>(List.of("fio", "--device=file:path=" + image, "--fs=xfs-like"));
        args.addAll(JOB);
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static long verifiedBlocks(CliRun run) {
        var m = java.util.regex.Pattern.compile("verify +: (\\d+) blocks, 0 errors").matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void aVerifyOnlyRunChecksEveryBlockTheEarlierRunWroteLast() {
        Path image = dir.resolve("x.img");
        Images.mkfs(image, "xfs-like", "64m");
        CliRun wrote = fio(image);
        assertThat(wrote.exitCode()).as(wrote.err()).isZero();

        CliRun checked = fio(image, "--verify_only");

        assertThat(checked.exitCode()).as(checked.err()).isZero();
        assertThat(verifiedBlocks(checked)).isPositive().isEqualTo(verifiedBlocks(wrote));
    }

    @Test
    void aBlockOverwrittenSinceTheEarlierRunFailsTheVerifyOnlyRunNamingItsOffset() {
        Path image = dir.resolve("x.img");
        Images.mkfs(image, "xfs-like", "64m");
        assertThat(fio(image).exitCode()).isZero();
        CliRun clobber = CliRun.of("io", "-d", "-c", "pwrite -S 0xab 0 2m", image.toString(), "/data");
        assertThat(clobber.exitCode()).as(clobber.err()).isZero();

        CliRun checked = fio(image, "--verify_only");

        assertThat(checked.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(checked.err()).contains("verify failed in job 'j' at offset").contains("of /data: bad magic");
    }

    @Test
    void verifyOnlyNeedsVerifyAndAJobThatCanBeReplayed() {
        Path image = dir.resolve("x.img");
        Images.mkfs(image, "xfs-like", "64m");

        CliRun noVerify = CliRun.of("fio", "--device=file:path=" + image, "--fs=xfs-like", "--name=j", "--size=1m",
                "--rw=write", "--verify_only");
        CliRun timeBased = fio(image, "--verify_only", "--time_based", "--runtime=1");
        CliRun missing = CliRun.of("fio", "--device=file:path=" + image, "--fs=xfs-like", "--name=j",
                "--filename=/none", "--size=1m", "--rw=write", "--verify=crc32c", "--verify_only");

        assertThat(noVerify.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(noVerify.err()).contains("verify_only").contains("add --verify=crc32c");
        assertThat(timeBased.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(timeBased.err()).contains("time_based job").contains("cannot be replayed");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(missing.err()).contains("ENOENT").contains("/none");
    }
}
