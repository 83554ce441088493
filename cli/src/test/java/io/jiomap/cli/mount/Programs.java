package io.jiomap.cli.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real programs (cp, tar, git, sqlite3, fio, xfs_io) with a time bound, output captured. */
final class Programs {
    static final long TIMEOUT_SECONDS = 300;

    record Result(int exitCode, String output) {
    }

    private Programs() {
    }

    /** Runs the command in {@code dir} and asserts it exits 0; returns its output (stdout and stderr). */
    static String run(Path dir, String... command) throws IOException, InterruptedException {
        Result r = exec(dir, null, command);
        assertThat(r.exitCode()).as(String.join(" ", command) + " in " + dir + ":\n" + r.output()).isZero();
        return r.output();
    }

    /** Runs the command with {@code stdin} fed from a file, asserting exit 0. */
    static String runWithInput(Path dir, Path stdin, String... command) throws IOException, InterruptedException {
        Result r = exec(dir, stdin, command);
        assertThat(r.exitCode()).as(String.join(" ", command) + " < " + stdin + ":\n" + r.output()).isZero();
        return r.output();
    }

    static Result exec(Path dir, Path stdin, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("jiomap-program", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("LC_ALL", "C");
            pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
            pb.environment().put("HOME", dir.toString());
            if (stdin != null) {
                pb.redirectInput(stdin.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return new Result(-1, "timed out after " + TIMEOUT_SECONDS + " s\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static void runQuietly(Path dir, String... command) {
        try {
            exec(dir, null, command);
        } catch (IOException | InterruptedException e) {
            // Cleanup: nothing more to do.
        }
    }

    static List<String> lines(String output) {
        return output.lines().toList();
    }
}
