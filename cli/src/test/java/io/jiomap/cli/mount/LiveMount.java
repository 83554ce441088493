package io.jiomap.cli.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.cli.CliRun;
import io.jiomap.fuse.MountTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@code jiomap mount} running in the foreground on a thread of the test JVM, bounded in time and always unmounted:
 * {@link #close} runs {@code jiomap umount}, and if the mount is still there after that, {@code umount -l}.
 */
final class LiveMount implements AutoCloseable {
    static final Duration READY = Duration.ofSeconds(60);

    private final Path mountpoint;
    private final CompletableFuture<CliRun> server;

    private LiveMount(Path mountpoint, CompletableFuture<CliRun> server) {
        this.mountpoint = mountpoint;
        this.server = server;
    }

    /** Skips the test, saying why, where a FUSE mount cannot be made here. */
    static void assumeFuse() {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing: no FUSE in this kernel or container");
    }

    /** Skips the test, saying why, where it must act as another user (setpriv) and cannot. */
    static void assumeRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "the test switches to another user with setpriv, which needs root; it runs as "
                        + System.getProperty("user.name"));
    }

    static LiveMount start(Path image, Path mountpoint, String... options) {
        List<String> args = new ArrayList<>(List.of("mount"));
        args.addAll(List.of(options));
        args.add(image.toString());
        args.add(mountpoint.toString());
        CompletableFuture<CliRun> server = CompletableFuture.supplyAsync(() -> CliRun.of(args.toArray(String[]::new)));
        LiveMount m = new LiveMount(mountpoint, server);
        try {
            await().atMost(READY).pollInterval(Duration.ofMillis(20))
                    .until(() -> server.isDone() || MountTable.isServedJiomap(mountpoint));
            if (server.isDone()) {
                CliRun run = server.join();
                throw new AssertionError("jiomap mount ended before the mount was ready: exit " + run.exitCode()
                        + "\n" + run.out() + run.err());
            }
        } catch (RuntimeException | AssertionError e) {
            m.close();
            throw e;
        }
        return m;
    }

    Path path() {
        return mountpoint;
    }

    /** Unmounts with jiomap umount; returns the server's run once it has finished. */
    CliRun unmount() throws Exception {
        CliRun umount = CliRun.of("umount", mountpoint.toString());
        assertThat(umount.exitCode()).as(umount.out() + umount.err()).isZero();
        CliRun run = server.get(READY.toSeconds(), TimeUnit.SECONDS);
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        return run;
    }

    @Override
    public void close() {
        if (MountTable.isFuseJiomap(mountpoint)) {
            CliRun.of("umount", mountpoint.toString());
        }
        if (MountTable.isMountpoint(mountpoint)) {
            Programs.runQuietly(mountpoint.getParent(), "umount", "-l", mountpoint.toString());
        }
        try {
            server.get(READY.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            // Reported by the test that used the mount; cleanup only makes sure nothing stays mounted.
        }
    }
}
