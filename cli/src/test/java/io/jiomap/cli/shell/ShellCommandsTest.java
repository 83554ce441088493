package io.jiomap.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.CliRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ShellCommandsTest {
    private final LiveMounts mounts = new LiveMounts(CliRun.plugins());
    private final AtomicInteger stops = new AtomicInteger();
    /** No framework here: the install tests below end before the installer is asked (ShellIT installs for real). */
    private final ShellCommands shell = new ShellCommands(CliRun.plugins(), mounts,
            new BundleInstaller(null, Path.of("")), stops::incrementAndGet);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;

    @BeforeEach
    void capture() {
        // Gogo points System.out at the session while a command runs; the commands read it at each call.
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        mounts.close();
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void mountThenMountsShowsTheNamedMountWithItsWorkers() {
        shell.mount("--wq-workers=3", "m0", "memory:size=8m", "raw");
        shell.mounts();

        assertThat(out()).contains("m0: raw mounted on memory:size=8m")
                .containsPattern("m0 +mounted +memory:size=8m +memory\\d+ +raw +3");
    }

    @Test
    void mountRefusesAWrongOperandCountAnUnknownOptionAndABadWorkerCountSayingWhatIsExpected() {
        assertThatThrownBy(() -> shell.mount("m0", "memory")).isInstanceOf(ShellCommands.CommandFailed.class)
                .hasMessageContaining("expected NAME DEVICE FS, got 2 operand(s)", "jiomap:mount m0 memory:");
        assertThatThrownBy(() -> shell.mount("--fast", "m0", "memory", "raw"))
                .hasMessageContaining("unknown option --fast", "usage: jiomap:mount [--mkfs[=auto|1|0]]");
        assertThatThrownBy(() -> shell.mount("--wq-workers=two", "m0", "memory", "raw"))
                .hasMessageContaining("'two' is not a whole number");
        assertThatThrownBy(() -> shell.mount("--wq-workers=0", "m0", "memory", "raw"))
                .hasMessageContaining("at least 1 worker");
        assertThatThrownBy(() -> shell.mount("--mkfs=yes-please", "m0", "memory", "raw"))
                .hasMessageContaining("jiomap:mount: --mkfs=yes-please: use auto");
        assertThat(mounts.list()).isEmpty();
    }

    @Test
    void umountAndRemountNeedANameAndReportAnUnknownOne() {
        assertThatThrownBy(shell::umount).hasMessageContaining("name the mount(s)");
        assertThatThrownBy(() -> shell.remount("m7")).hasMessageContaining("jiomap:remount m7: ENOENT");
        assertThatThrownBy(shell::counters).hasMessageContaining("nothing is mounted");
    }

    @Test
    void fioOnALiveMountRunsItsJobsThereSoTheMountsCountersShowThem() throws Exception {
        shell.mount("m0", "memory:size=16m", "raw");
        out.reset();

        shell.fio("--mount=m0", "--name=t", "--rw=randwrite", "--bs=4k", "--size=1m", "--ioengine=io_uring",
                "--iodepth=4", "--completion=caller", "--output-format=json");

        assertThat(out()).containsPattern("\"jobname\" ?: \"t\"");
        DioCounters c = mounts.counters("m0");
        assertThat(c.completions()).isGreaterThanOrEqualTo(256);
        assertThatThrownBy(() -> shell.fio("--mount=m0", "--name=t", "--size=1m", "--device=memory"))
                .hasMessageContaining("--device does not apply: the jobs run on the mounted raw on memory:size=16m");
        assertThatThrownBy(() -> shell.fio("--mount=nope", "--name=t")).hasMessageContaining("ENOENT");
    }

    @Test
    void countersOfEveryMountWhenNoneIsNamed() {
        shell.mount("a", "memory:size=8m", "raw");
        shell.mount("b", "memory:size=8m", "raw");
        out.reset();

        shell.counters();

        assertThat(out()).containsPattern("(?m)^a +count$").containsPattern("(?m)^b +count$");
    }

    @Test
    void countersListWhereCompletionsRanAndWhatBiosTheyCost() {
        String table = ShellCommands.render("m0", new DioCounters(1, 2, 3, 4, 5, 6, 7, 8, 9));

        assertThat(table).containsPattern("completions +15").containsPattern("caller \\(deferred.*\\) +4")
                .containsPattern("workqueue +5").containsPattern("inline .* +3").containsPattern("submitter +1")
                .containsPattern("waiter +2").containsPattern("data bios +6").containsPattern("FUA writes +7")
                .containsPattern("flushes +8").containsPattern("zeroing bios +9");
    }

    @Test
    void picocliCommandsRunAsOnTheCommandLineAndAFailureNamesTheExitStatus() {
        shell.filesystems();
        assertThat(out()).contains("raw - ");

        assertThatThrownBy(() -> shell.fio("--name=x", "--rw=sideways"))
                .hasMessageContaining("jiomap:fio failed with exit status 2");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("sideways");
    }

    @Test
    void exitStopsTheContainerWithOrWithoutAStatus() {
        shell.exit();
        shell.exit("0");
        assertThatThrownBy(() -> shell.exit("now")).hasMessageContaining("usage: exit [STATUS]");

        assertThat(stops).hasValue(2);
    }

    @Test
    void installWithoutAUrlOrWithAnUnknownOptionSaysWhatItTakes() {
        assertThatThrownBy(() -> shell.install()).isInstanceOf(ShellCommands.CommandFailed.class)
                .hasMessageContaining("expected the URL of a bundle jar", "install file:examples/ramdisk/target/");
        assertThatThrownBy(() -> shell.install("--force", "file:x.jar"))
                .hasMessageContaining("unknown option --force", "usage: install [--start] URL...");
    }

    @Test
    void installOfAMissingFileNamesTheFileAndWhatItWasRelativeTo() {
        assertThatThrownBy(() -> shell.install("file:target/no-such-plugin.jar"))
                .isInstanceOf(ShellCommands.CommandFailed.class)
                .hasMessageContaining("jiomap:install: no such file ", "no-such-plugin.jar",
                        "where the container started");
    }
}
