package io.jiomap.cli.fio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.cli.CliRun;
import io.jiomap.cli.MiniJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The status line while {@code jiomap fio} runs: where it goes, when, and that it ends before the report. */
class FioEtaTest {
    private static final String STATUS = "Jobs: 1 \\(f=1\\): \\[w\\(1\\)]\\[\\d+\\.\\d%]\\[w=\\d+(\\.\\d+)?[KMG]?i?B/s]"
            + "\\[w=\\d+(\\.\\d+)?[kM]? IOPS]\\[eta 00m:0\\ds]";

    /** One run of the jobs, on another thread as a user's run would be watched. */
    private record Watched(StringWriter out, StringWriter err, CompletableFuture<Integer> exit) {
        static Watched start(boolean terminal, String... options) {
            List<String> args = new ArrayList<>(List.of("--output-format=json", "--name=t", "--rw=randwrite",
                    "--bs=4k", "--size=4m", "--ioengine=io_uring", "--iodepth=4", "--time_based"));
            args.addAll(List.of(options));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            FioRunner runner = new FioRunner(CliRun.plugins(), new PrintWriter(out), new PrintWriter(err),
                    VerifyHook.NONE).terminal(terminal);
            return new Watched(out, err, CompletableFuture.supplyAsync(() -> {
                try {
                    return runner.run(args);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }

        int awaitExit() {
            await().atMost(Duration.ofSeconds(60)).until(exit::isDone);
            return exit.join();
        }
    }

    private static boolean etaThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("jiomap-fio-eta") && t.isAlive());
    }

    @Test
    void pipedTheStatusIsPlainLinesOnStderrWhileTheJobsRunAndStdoutHoldsOnlyTheReport() {
        Watched run = Watched.start(false, "--runtime=2s", "--eta-newline=400ms");

        await().atMost(Duration.ofSeconds(30)).until(() -> run.err().toString().contains("[eta "));
        assertThat(run.awaitExit()).isZero();

        assertThat(run.err().toString()).doesNotContain("\r", "\033");
        List<String> lines = run.err().toString().lines().toList();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2).allMatch(l -> l.matches(STATUS), "fio's status line");
        assertThat(run.out().toString()).doesNotContain("Jobs:");
        assertThat(MiniJson.at(MiniJson.parse(run.out().toString()), "jobs", 0, "jobname")).isEqualTo("t");
        assertThat(etaThreadAlive()).as("status thread after the run").isFalse();
    }

    @Test
    void pipedARunShorterThanThePeriodOfTheLinesPrintsNoStatus() {
        // Longer than the live line's interval (1s), shorter than the piped period (5s).
        Watched run = Watched.start(false, "--runtime=1500ms");

        assertThat(run.awaitExit()).isZero();
        assertThat(run.err().toString()).isEmpty();
    }

    @Test
    void onATerminalTheLineIsRewrittenInPlaceAndClearedBeforeTheReport() {
        Watched run = Watched.start(true, "--runtime=1200ms", "--eta-interval=250ms");

        assertThat(run.awaitExit()).isZero();
        String err = run.err().toString();
        assertThat(err).startsWith("\r\033[KJobs: 1 (f=1): [w(1)][").endsWith("\r\033[K").doesNotContain("\n");
        for (String status : err.split("\r\033\\[K")) {
            assertThat(status).matches("|" + STATUS);
        }
        assertThat(MiniJson.parse(run.out().toString())).isNotNull();
        assertThat(etaThreadAlive()).as("status thread after the run").isFalse();
    }

    @Test
    void etaAlwaysRewritesTheLineEvenWhenPiped() {
        Watched run = Watched.start(false, "--runtime=800ms", "--eta=always", "--eta-interval=250ms");

        assertThat(run.awaitExit()).isZero();
        assertThat(run.err().toString()).startsWith("\r\033[KJobs: 1 (f=1): [w(1)][").endsWith("\r\033[K");
    }

    @Test
    void etaNeverPrintsNothingEvenOnATerminal() {
        Watched run = Watched.start(true, "--runtime=800ms", "--eta=never", "--eta-interval=250ms");

        assertThat(run.awaitExit()).isZero();
        assertThat(run.err().toString()).isEmpty();
        assertThat(MiniJson.parse(run.out().toString())).isNotNull();
    }

    @Test
    void aBadEtaOptionIsRefusedWithWhatIsExpected() {
        CliRun when = CliRun.of("fio", "--eta=sometimes", "--name=t", "--size=1m");
        CliRun interval = CliRun.of("fio", "--eta-interval=10ms", "--name=t", "--size=1m");

        assertThat(when.exitCode()).isNotZero();
        assertThat(when.err()).contains("--eta=sometimes: expected always, never or auto");
        assertThat(interval.exitCode()).isNotZero();
        assertThat(interval.err()).contains("--eta-interval=10ms: at least 250ms");
    }
}
