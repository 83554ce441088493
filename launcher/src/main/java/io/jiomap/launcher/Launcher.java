package io.jiomap.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/**
 * The {@code jiomap} command on the host: boots the embedded framework, installs and starts every bundle of the
 * distribution, hands the program arguments to the command service and exits with its code. {@code jiomap shell}
 * instead adds the Gogo shell bundles and leaves the framework running, with Gogo reading the terminal, until the
 * shell stops it ({@code exit}, {@code stop 0}, or the end of its input).
 *
 * <p>The host exports nothing of jiomap: api and core run as bundles like the plugins, so the distribution is the
 * same set of bundles a container would run.
 */
public final class Launcher {
    /** System property: the directory of bundle jars (default: {@code bundles} next to launcher.jar). */
    public static final String BUNDLES_PROPERTY = "jiomap.bundles";
    /** The service filter of the command: a {@link ToIntFunction} of the arguments that returns the exit code. */
    public static final String COMMAND_FILTER = "(jiomap.command=main)";
    /** How long the launcher waits for the command service once every bundle started. */
    public static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(10);
    /** The first argument that starts the live container with the Gogo shell instead of running one command. */
    public static final String SHELL = "shell";
    /** System property: the directory of the Gogo shell bundles (default: {@code shell} next to launcher.jar). */
    public static final String SHELL_BUNDLES_PROPERTY = "jiomap.shell.bundles";
    /** Gogo's framework property for the directory holding {@code etc/gosh_profile} and {@code etc/motd}. */
    static final String GOSH_HOME = "gosh.home";

    private Launcher() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = args.length > 0 && args[0].equals(SHELL)
                    ? runShell(bundleDirectory(), shellDirectory(), Arrays.copyOfRange(args, 1, args.length),
                            System.err)
                    : run(bundleDirectory(), args, System.err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 130; // 128 + SIGINT, what a shell reports for an interrupted command
        }
        System.out.flush();
        // The command's bundles are stopped; exit so that no stray non-daemon thread keeps the JVM alive.
        System.exit(code);
    }

    /**
     * The framework properties of the distribution: none beyond the storage settings. The system bundle exports
     * only the JDK's packages, so every jiomap and library package a bundle imports must come from a bundle of the
     * distribution, and a missing one shows as a start failure naming it.
     */
    public static Map<String, String> frameworkConfig() {
        return Map.of();
    }

    /**
     * Runs one command in a fresh framework.
     *
     * @return the command's exit code, or 1 when the distribution could not run it (the reason is printed)
     */
    public static int run(Path bundleDirectory, String[] args, PrintStream err) throws InterruptedException {
        return run(bundleDirectory, args, err, SERVICE_TIMEOUT);
    }

    /** {@link #run(Path, String[], PrintStream)}, waiting at most {@code serviceTimeout} for the command service. */
    public static int run(Path bundleDirectory, String[] args, PrintStream err, Duration serviceTimeout)
            throws InterruptedException {
        List<Path> jars;
        try {
            jars = EmbeddedFramework.bundleJars(bundleDirectory);
        } catch (IOException e) {
            err.println("jiomap: " + e.getMessage());
            return 1;
        }
        EmbeddedFramework framework;
        try {
            framework = EmbeddedFramework.start(frameworkConfig(), err);
        } catch (BundleException | RuntimeException e) {
            err.println("jiomap: the OSGi framework did not start: " + e.getMessage());
            return 1;
        }
        // Ctrl-C during a long benchmark: stop the bundles and delete the bundle cache on the way out.
        Thread onExit = new Thread(framework::close, "felix-shutdown");
        Runtime.getRuntime().addShutdownHook(onExit);
        try (framework) {
            List<Bundle> bundles = framework.install(jars);
            List<EmbeddedFramework.StartFailure> failures = framework.startAll(bundles);
            if (!failures.isEmpty()) {
                err.println("jiomap: " + failures.size() + " of " + bundles.size() + " bundles in " + bundleDirectory
                        + " failed to start:");
                failures.forEach(f -> err.println("  " + f));
                return 1;
            }
            Optional<ToIntFunction<String[]>> command = commandService(framework, serviceTimeout);
            if (command.isEmpty()) {
                err.println("jiomap: no command service " + COMMAND_FILTER + " appeared within "
                        + serviceTimeout.toMillis() + " ms; is jiomap-cli.jar in " + bundleDirectory
                        + "? Bundles:\n" + framework.bundleStates());
                return 1;
            }
            return runCommand(command.get(), args, err);
        } catch (BundleException e) {
            err.println("jiomap: " + e.getMessage());
            return 1;
        } finally {
            removeShutdownHook(onExit);
        }
    }

    /**
     * Runs the live container: the distribution's bundles and the Gogo shell's, started in one framework that stays up
     * until Gogo stops it. Gogo reads standard input and writes standard output itself; the jiomap commands are the
     * cli bundle's ({@code jiomap:help}). The shell directory is also Gogo's home: its {@code etc/gosh_profile} sets
     * the command scope order and prints {@code etc/motd}.
     *
     * @param args what followed {@code shell} on the command line: nothing is accepted
     * @return 0 once the shell stopped the framework, 1 when the container could not start, 2 for arguments
     */
    public static int runShell(Path bundleDirectory, Path shellDirectory, String[] args, PrintStream err)
            throws InterruptedException {
        if (args.length > 0) {
            err.println("jiomap shell: takes no arguments (got " + String.join(" ", args) + "); type commands into"
                    + " the shell, jiomap:help lists jiomap's");
            return 2;
        }
        List<Path> jars = new ArrayList<>();
        try {
            jars.addAll(EmbeddedFramework.bundleJars(bundleDirectory));
            jars.addAll(EmbeddedFramework.bundleJars(shellDirectory));
        } catch (IOException e) {
            err.println("jiomap shell: " + e.getMessage() + " (the Gogo shell bundles are in shell/ next to"
                    + " launcher.jar; -D" + SHELL_BUNDLES_PROPERTY + "=DIR names another directory)");
            return 1;
        }
        Map<String, String> config = new HashMap<>(frameworkConfig());
        // Gogo's home: its login profile (etc/gosh_profile: scope order, prompt) and message of the day.
        config.put(GOSH_HOME, shellDirectory.toAbsolutePath().toString());
        EmbeddedFramework framework;
        try {
            framework = EmbeddedFramework.start(config, err);
        } catch (BundleException | RuntimeException e) {
            err.println("jiomap shell: the OSGi framework did not start: " + e.getMessage());
            return 1;
        }
        Thread onExit = new Thread(framework::close, "felix-shutdown");
        Runtime.getRuntime().addShutdownHook(onExit);
        try (framework) {
            // The shell bundles sort after the distribution's, so the jiomap commands are registered before Gogo
            // reads its first line.
            List<Bundle> bundles = framework.install(jars);
            List<EmbeddedFramework.StartFailure> failures = framework.startAll(bundles);
            if (!failures.isEmpty()) {
                err.println("jiomap shell: " + failures.size() + " of " + bundles.size() + " bundles failed to"
                        + " start:");
                failures.forEach(f -> err.println("  " + f));
                return 1;
            }
            // Gogo's shell stops the system bundle when its session ends; nothing else here stops it.
            framework.framework().waitForStop(0);
            return 0;
        } catch (BundleException e) {
            err.println("jiomap shell: " + e.getMessage());
            return 1;
        } finally {
            removeShutdownHook(onExit);
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting and runs the hook anyway; close() is idempotent.
        }
    }

    @SuppressWarnings("unchecked")
    private static Optional<ToIntFunction<String[]>> commandService(EmbeddedFramework framework, Duration timeout)
            throws InterruptedException {
        return framework.awaitService(ToIntFunction.class, COMMAND_FILTER, timeout)
                .map(f -> (ToIntFunction<String[]>) f);
    }

    private static int runCommand(ToIntFunction<String[]> command, String[] args, PrintStream err) {
        try {
            return command.applyAsInt(args);
        } catch (RuntimeException | LinkageError e) {
            // The command reports its own errors; an exception escaping it is a bug, so show all of it.
            err.println("jiomap: the command failed unexpectedly:");
            e.printStackTrace(err);
            return 1;
        } finally {
            System.out.flush();
        }
    }

    /** {@value #BUNDLES_PROPERTY}, or {@code bundles} next to the jar this class was loaded from. */
    static Path bundleDirectory() {
        return besideTheJar(BUNDLES_PROPERTY, "bundles");
    }

    /** {@value #SHELL_BUNDLES_PROPERTY}, or {@code shell} next to the jar this class was loaded from. */
    static Path shellDirectory() {
        return besideTheJar(SHELL_BUNDLES_PROPERTY, "shell");
    }

    private static Path besideTheJar(String property, String name) {
        String configured = System.getProperty(property);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        CodeSource source = Launcher.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return Path.of(name);
        }
        try {
            return Path.of(source.getLocation().toURI()).toAbsolutePath().getParent().resolve(name);
        } catch (URISyntaxException e) {
            return Path.of(name);
        }
    }
}
