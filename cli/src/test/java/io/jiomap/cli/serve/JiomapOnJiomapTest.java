package io.jiomap.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.cli.Jiomap;
import io.jiomap.cli.MiniJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jiomap on jiomap, as a user runs it: one {@code jiomap serve nbd} process serves an nvme-like device backed by an
 * image; other {@code jiomap} processes make xfs-like on an {@code nbd} device pointing at it and run verifying fio
 * jobs there. The server is killed (SIGKILL) under a job writing with O_DSYNC: the job fails with an error naming
 * what failed and the process ends by itself. The server restarts on the same image; a verify_only run mounts again
 * (replaying the log) and finds every write that was acknowledged before the kill, and fsck finds nothing wrong.
 */
@Timeout(300)
class JiomapOnJiomapTest {
    /** Long enough for any of these runs on a loaded machine; a process still running after it has hung. */
    private static final long PROCESS_TIMEOUT_SECONDS = 120;
    /** The churn job's status line on stderr: {@code Jobs: 1 (f=1): [W(1)][12.5%]...}. */
    private static final Pattern PERCENT_DONE = Pattern.compile("\\]\\[(\\d+\\.\\d)%\\]");

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** {@code jiomap ARGS} in a process of its own, stdout and stderr to files named after {@code name}. */
    private Process jiomap(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Jiomap.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
        processes.add(p);
        return p;
    }

    /** A jiomap process run to its end, bounded by {@link #PROCESS_TIMEOUT_SECONDS}: its exit code. */
    private int finish(String name, Process p) throws Exception {
        boolean ended = p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(ended).as("jiomap %s still running after %ds (hung); stderr: %s", name, PROCESS_TIMEOUT_SECONDS,
                err(name)).isTrue();
        return p.exitValue();
    }

    private int run(String name, String... args) throws Exception {
        return finish(name, jiomap(name, args));
    }

    private String out(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".out"));
    }

    private String err(String name) throws IOException {
        Path f = dir.resolve(name + ".err");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    /** The server, listening once its socket exists. Each I/O takes 200us at least, so a job runs for a while. */
    private Process serve(String name, Path image, Path socket) throws IOException {
        Files.deleteIfExists(socket);
        Process p = jiomap(name, "serve", "nbd", "--device=nvme-like:size=128m,latency=200us,path=" + image,
                "--socket=" + socket, "--export=disk");
        // It names its address once it listens; the socket file exists a little earlier.
        Awaitility.await("serve nbd listening").atMost(Duration.ofSeconds(60))
                .until(() -> out(name).contains("socket=" + socket) || !p.isAlive());
        assertThat(p.isAlive()).as("serve nbd ended early: %s", err(name)).isTrue();
        return p;
    }

    private static double percentDone(String status) {
        double last = 0;
        Matcher m = PERCENT_DONE.matcher(status);
        while (m.find()) {
            last = Double.parseDouble(m.group(1));
        }
        return last;
    }

    @Test
    void aServerKilledUnderAVerifyingJobFailsItClearlyAndEveryAcknowledgedWriteSurvivesTheRestart() throws Exception {
        Path image = dir.resolve("disk.img");
        Path socket = dir.resolve("disk.sock");
        String device = "--device=nbd:uri=nbd+unix:///disk?socket=" + socket + ",timeout=2s";
        List<String> kept = List.of("--name=kept", "--filename=/kept", "--rw=randwrite", "--bs=16k", "--size=4m",
                "--randseed=7", "--verify=crc32c");
        List<String> churn = List.of("--name=churn", "--filename=/churn", "--rw=write", "--bs=4k", "--sync=dsync",
                "--verify=crc32c");
        Process server = serve("serve1", image, socket);

        assertThat(run("mkfs", "mkfs", "--fs=xfs-like", device)).as(err("mkfs")).isZero();
        assertThat(run("kept", args("fio", device, "--fs=xfs-like", kept))).as(err("kept")).isZero();
        assertThat(out("kept")).containsPattern("verify +: \\d+ blocks, 0 errors");

        Process writer = jiomap("churn", args("fio", device, "--fs=xfs-like", "--output-format=json",
                "--eta=always", "--eta-interval=250ms", churn, "--size=96m"));
        Awaitility.await("the churn job under way").atMost(Duration.ofSeconds(PROCESS_TIMEOUT_SECONDS))
                .until(() -> percentDone(err("churn")) >= 2 || !writer.isAlive());
        assertThat(writer.isAlive()).as("the churn job ended before the kill: %s", err("churn")).isTrue();
        server.destroyForcibly();

        assertThat(finish("churn", writer)).as("the churn job after its server was killed").isEqualTo(1);
        assertThat(err("churn")).as("what the job reports")
                .contains("the connection to nbd+unix:///disk?socket=" + socket + " was lost")
                .containsPattern("io_u error on file /churn: (ENODEV|EIO): pwrite /churn at \\d+");
        long acknowledged = ((Number) MiniJson.at(MiniJson.parse(out("churn")), "jobs", 0, "write", "io_bytes"))
                .longValue();
        assertThat(acknowledged).as("bytes the churn job wrote before the kill").isPositive();

        serve("serve2", image, socket);
        int checked = run("verify", args("fio", device, "--fs=xfs-like", "--mkfs=0", kept, "--verify_only",
                churn, "--size=" + acknowledged, "--verify_only"));
        assertThat(checked).as(err("verify")).isZero();
        assertThat(out("verify")).containsPattern("churn: .*\\n(?s).*verify +: " + acknowledged / 4096
                + " blocks, 0 errors");
        assertThat(run("fsck", "fsck", device)).as(out("fsck") + err("fsck")).isZero();
        assertThat(out("fsck")).contains(": clean");
    }

    private static String[] args(Object... parts) {
        List<String> all = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof List<?> list) {
                list.forEach(o -> all.add((String) o));
            } else {
                all.add((String) part);
            }
        }
        return all.toArray(String[]::new);
    }
}
