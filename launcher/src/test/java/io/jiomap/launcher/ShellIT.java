package io.jiomap.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jiomap shell} end to end, as a person at a terminal uses it: the assembled distribution started with
 * {@code java -jar launcher.jar shell}, commands typed into its standard input one at a time, the answers read from
 * its standard output. Each command is followed by an {@code echo} of a marker, so the test knows when its answer is
 * complete without parsing prompts.
 */
class ShellIT {
    private static final Path DIST = Path.of(System.getProperty("jiomap.dist", "target/dist"));
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path scratch;

    private Process shell;
    private Writer stdin;
    private final StringBuffer stdout = new StringBuffer();
    private final StringBuffer stderr = new StringBuffer();
    private final List<Thread> pumps = new ArrayList<>();
    private int marker;

    @BeforeEach
    void startShell() throws IOException {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-jar", DIST.resolve("launcher.jar").toString(), "shell");
        shell = new ProcessBuilder(command).start();
        stdin = new OutputStreamWriter(shell.getOutputStream(), StandardCharsets.UTF_8);
        pumps.add(pump(shell.getInputStream(), stdout));
        pumps.add(pump(shell.getErrorStream(), stderr));
    }

    @AfterEach
    void stopShell() throws InterruptedException {
        if (shell.isAlive()) {
            shell.destroyForcibly();
            shell.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS);
        }
        for (Thread t : pumps) {
            t.join(BOUND);
        }
    }

    @Test
    void listsMountsRunsFioShowsCountersAndFollowsPluginBundlesGoingAndComing() throws Exception {
        assertThat(type("lb -s")).contains("io.jiomap.cli", "io.jiomap.fs.raw", "org.apache.felix.gogo.command");
        long rawId = bundleId("io.jiomap.fs.raw");
        long nvmeId = bundleId("io.jiomap.device-nvme-like");

        assertThat(type("jiomap:devices")).contains("memory - ", "nvme-like - ", "sata-like - ", "file - ");
        assertThat(type("jiomap:filesystems")).contains("raw - ");
        assertThat(type("jiomap:mount m0 memory:size=64m raw")).contains("m0: raw mounted on memory:size=64m");
        Path image = scratch.resolve("nvme.img");
        assertThat(type("jiomap:mount --wq-workers=2 m1 nvme-like:size=16m,path=" + image + " raw"))
                .contains("m1: raw mounted on nvme-like:size=16m,path=" + image);
        // The profile searches jiomap's scope after Gogo's and Felix's: the bare name is jiomap:mounts.
        assertThat(type("mounts")).containsPattern("m0 +mounted +memory:size=64m +memory\\d+ +raw +1")
                .containsPattern("m1 +mounted +nvme-like:size=16m,path=\\S+ +nvme\\d+ +raw +2");

        String fio = type("jiomap:fio --name=shell --rw=randwrite --bs=4k --size=4m --ioengine=io_uring"
                + " --iodepth=4 --verify=crc32c");
        assertThat(fio).contains("shell: (groupid=0, jobs=1): err= 0", "Run status group 0", "completions  :");

        assertThat(type("jiomap:counters m0")).containsPattern("completions +0")
                .containsPattern("caller \\(deferred, run by the issuer\\) +0").contains("FUA writes", "flushes");

        // The filesystem bundle stops: both mounts are unmounted cleanly and shown down; its restart and a remount
        // bring them back.
        type("stop " + rawId);
        assertThat(type("jiomap:mounts")).containsPattern("m0 +down").contains(
                "m0 is down: filesystem type 'raw' withdrawn (bundle io.jiomap.fs.raw",
                "unmounted cleanly (I/O in flight drained), device kept open");
        assertThat(type("jiomap:counters m0")).contains("'m0' is down: filesystem type 'raw' withdrawn");
        type("start " + rawId);
        assertThat(type("jiomap:remount m0 m1")).contains("m0: mounted again", "m1: mounted again");

        // The device bundle is updated under m1: the mount goes down with its device, and comes back on the image.
        type("update " + nvmeId);
        assertThat(type("jiomap:mounts")).containsPattern("m0 +mounted").containsPattern("m1 +down")
                .contains("m1 is down: device type 'nvme-like' withdrawn", "device closed");
        assertThat(type("jiomap:remount m1")).contains("m1: mounted again");
        assertThat(type("jiomap:umount m0")).contains("m0: unmounted");
        assertThat(type("jiomap:mounts")).doesNotContain("m0 ").containsPattern("m1 +mounted");

        assertThat(type("jiomap:mount m1 memory raw")).contains("EEXIST: a mount named 'm1' exists");
        assertThat(type("jiomap:mount m2 floppy:size=1m raw")).contains("ENODEV: unknown device type 'floppy'");

        stdin.write("exit\n");
        stdin.flush();
        assertThat(shell.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("shell ended after exit; stdout:%n%s",
                stdout).isTrue();
        assertThat(shell.exitValue()).isZero();
        assertThat(stdout.toString()).as("message of the day").startsWith("jiomap shell: Apache Felix with the Gogo"
                + " shell.");
        assertThat(stderr.toString()).as("stderr").doesNotContain("Exception", "WARNING");
    }

    @Test
    void theEndOfInputStopsTheContainer() throws Exception {
        assertThat(type("jiomap:help")).contains("jiomap:mount [--mkfs[=auto|1|0]] [--wq-workers=N] NAME DEVICE FS",
                "jiomap:counters [NAME...]");
        assertThat(type("jiomap:mount m0 memory:size=16m raw")).contains("m0: raw mounted");

        stdin.close();

        assertThat(shell.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("shell ended at the end of its input")
                .isTrue();
        assertThat(shell.exitValue()).isZero();
    }

    @Test
    void installPrintsTheIdAloneForAScriptToCaptureAndSaysWhenTheJarIsInstalledAlready() throws Exception {
        Path jar = TestBundles.devicePlugin(scratch, "test.shell.plugin", "device");

        String printed = type("id = (install file:" + jar + ")");
        Matcher id = Pattern.compile("(?m)^(?:g! )*(\\d+)$").matcher(printed);
        assertThat(id.find()).as("a line holding the id alone in %s", printed).isTrue();
        long bundle = Long.parseLong(id.group(1));
        assertThat(type("echo captured $id")).contains("captured " + bundle);
        type("start $id");
        assertThat(type("lb -s")).containsPattern("(?m)^\\s*" + bundle + "\\|Active\\s*\\|.*test.shell.plugin");

        assertThat(type("install " + jar)).containsPattern("(?m)^(g! )*" + bundle + "$");
        await().atMost(BOUND).until(() -> stderr.toString().contains("is already installed as bundle " + bundle
                + " (Active); nothing was read from it. update " + bundle + " loads the jar again"));
        assertThat(stderr.toString()).doesNotContain("jiomap: warning");
    }

    @Test
    void aPlainJarThatLooksLikeAPluginIsWarnedAboutOnceItStartedAndRegisteredNothing() throws Exception {
        Path jar = TestBundles.plainJarPlugin(scratch, "my-plugin-1.0.jar");

        String printed = type("install --start " + jar);
        Matcher id = Pattern.compile("(?m)^(?:g! )*(\\d+)$").matcher(printed);
        assertThat(id.find()).as("a line holding the id alone in %s", printed).isTrue();

        await().atMost(BOUND).until(() -> stderr.toString().contains("jiomap: warning: bundle " + id.group(1)
                + " (no symbolic name, " + jar.toUri() + ") started and lists a jiomap type in META-INF/services,"
                + " but registered no device or filesystem type service: its manifest has no Bundle-SymbolicName"));
    }

    /**
     * Types a command and returns what the shell printed for it (standard output and error together, since Gogo
     * reports a failed command on the error stream).
     */
    private String type(String command) throws IOException {
        String mark = "@@mark-" + (++marker);
        int outFrom = stdout.length();
        int errFrom = stderr.length();
        stdin.write(command + "\necho " + mark + "\n");
        stdin.flush();
        await().atMost(BOUND).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .failFast("the shell exited", () -> {
                    if (shell.isAlive()) {
                        return false;
                    }
                    throw new AssertionError("the shell exited with " + shell.exitValue() + " before answering "
                            + command + "; stdout:\n" + stdout + "\nstderr:\n" + stderr);
                })
                .until(() -> stdout.indexOf(mark, outFrom) >= 0);
        String out = stdout.substring(outFrom, stdout.indexOf(mark, outFrom));
        return out + stderr.substring(errFrom);
    }

    private long bundleId(String symbolicName) throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s*(\\d+)\\|[^|]*\\|[^|]*\\|" + Pattern.quote(symbolicName) + " ")
                .matcher(type("lb -s"));
        assertThat(m.find()).as("bundle %s in lb -s", symbolicName).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static Thread pump(InputStream in, StringBuffer into) {
        return Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                into.append("[reading the shell's output failed: ").append(e).append(']');
            }
        });
    }
}
