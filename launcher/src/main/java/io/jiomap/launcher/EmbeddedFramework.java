package io.jiomap.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * An OSGi framework embedded in this JVM through the standard launch API ({@link FrameworkFactory} found with
 * {@link ServiceLoader}), with its bundle cache in a private temporary directory that {@link #close()} deletes.
 *
 * <p>Standard output belongs to the command that runs inside (fio prints JSON there), so the framework's own error
 * log is turned off and its error events are printed to the error stream given instead.
 */
public final class EmbeddedFramework implements AutoCloseable {
    /** How long {@link #close()} waits for the bundles to stop. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Framework framework;
    private final Path storage;
    private final PrintStream err;
    private final SilentPluginCheck silentPlugins;
    private boolean closed;

    private EmbeddedFramework(Framework framework, Path storage, PrintStream err, SilentPluginCheck silentPlugins) {
        this.framework = framework;
        this.storage = storage;
        this.err = err;
        this.silentPlugins = silentPlugins;
    }

    /**
     * Creates and starts a framework.
     *
     * @param config framework properties added to the storage settings, e.g.
     *               {@link Constants#FRAMEWORK_SYSTEMPACKAGES_EXTRA}
     * @param err    where framework errors are reported
     */
    public static EmbeddedFramework start(Map<String, String> config, PrintStream err) throws BundleException {
        return start(config, err, SilentPluginCheck.GRACE);
    }

    /**
     * {@link #start(Map, PrintStream)}, warning on {@code err} about a bundle that looks like a jiomap plugin but has
     * registered no device or filesystem type {@code pluginGrace} after it started ({@link SilentPluginCheck}).
     */
    static EmbeddedFramework start(Map<String, String> config, PrintStream err, Duration pluginGrace)
            throws BundleException {
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, EmbeddedFramework.class.getClassLoader())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path: the launcher "
                        + "needs lib/org.apache.felix.framework.jar next to launcher.jar"));
        Path storage;
        try {
            storage = Files.createTempDirectory("jiomap-felix-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the framework's bundle cache directory", e);
        }
        Map<String, String> all = new HashMap<>(config);
        all.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        all.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // The flight recorder rewrites the bytecode of a bundle's jdk.jfr.Event classes (the cli's bench events) to call
        // jdk.jfr.internal.event, which no bundle can import: its classes come from the boot class loader.
        all.putIfAbsent(Constants.FRAMEWORK_BOOTDELEGATION, "jdk.jfr.internal.event");
        // Felix logs errors to System.out; the listener below reports them on the error stream instead.
        all.putIfAbsent("felix.log.level", "0");
        Framework framework = factory.newFramework(all);
        SilentPluginCheck silentPlugins = new SilentPluginCheck(err, pluginGrace);
        try {
            framework.init();
            framework.getBundleContext().addBundleListener(silentPlugins);
            framework.getBundleContext().addFrameworkListener(event -> {
                if (event.getType() == FrameworkEvent.ERROR) {
                    err.println("jiomap: framework error in " + describe(event.getBundle()) + ": "
                            + (event.getThrowable() == null ? "" : event.getThrowable()));
                }
            });
            framework.start();
        } catch (BundleException | RuntimeException e) {
            silentPlugins.close();
            deleteTree(storage);
            throw e;
        }
        return new EmbeddedFramework(framework, storage, err, silentPlugins);
    }

    /** The sorted {@code *.jar} files of a bundle directory; a missing or empty directory is refused, saying so. */
    public static List<Path> bundleJars(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException("bundle directory " + directory + " does not exist (set -Djiomap.bundles=DIR)");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(directory)) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        }
        if (jars.isEmpty()) {
            throw new IOException("bundle directory " + directory + " holds no .jar file");
        }
        return jars;
    }

    /** How many started bundles the silent-plugin check has looked at so far (for tests). */
    int pluginChecks() {
        return silentPlugins.checked();
    }

    public Framework framework() {
        return framework;
    }

    /**
     * Installs each jar. A jar that is not a valid bundle stops the installation with a message naming the jar.
     */
    public List<Bundle> install(List<Path> jars) throws BundleException {
        List<Bundle> bundles = new ArrayList<>(jars.size());
        for (Path jar : jars) {
            try {
                bundles.add(framework.getBundleContext().installBundle(jar.toUri().toString()));
            } catch (BundleException e) {
                throw new BundleException("cannot install " + jar + ": " + e.getMessage(), e.getType(), e);
            }
        }
        return bundles;
    }

    /** Why one bundle did not start: the framework's message, which names a missing requirement if it is that. */
    public record StartFailure(Bundle bundle, String message) {
        @Override
        public String toString() {
            return describe(bundle) + " (" + bundle.getLocation() + "): " + message;
        }
    }

    /**
     * Starts every bundle, all installed before the first starts so that resolution sees all of them.
     *
     * @return the bundles that failed, with the reason; empty when all started
     */
    public List<StartFailure> startAll(List<Bundle> bundles) {
        List<StartFailure> failures = new ArrayList<>();
        for (Bundle b : bundles) {
            try {
                b.start();
            } catch (BundleException | RuntimeException e) {
                failures.add(new StartFailure(b, String.valueOf(e.getMessage())
                        + (e.getCause() == null ? "" : " (caused by " + e.getCause() + ")")));
            }
        }
        return failures;
    }

    /**
     * Waits for a service of {@code type} whose properties match {@code filter}.
     *
     * @param filter an LDAP filter on the service properties, e.g. {@code (jiomap.command=main)}
     * @return the service, or empty if none appeared within {@code timeout}
     */
    public <S> Optional<S> awaitService(Class<S> type, String filter, Duration timeout) throws InterruptedException {
        String full = "(&(" + Constants.OBJECTCLASS + "=" + type.getName() + ")" + filter + ")";
        ServiceTracker<S, S> tracker;
        try {
            tracker = new ServiceTracker<>(framework.getBundleContext(),
                    framework.getBundleContext().createFilter(full), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad service filter " + full + ": " + e.getMessage(), e);
        }
        tracker.open();
        try {
            return Optional.ofNullable(type.cast(tracker.waitForService(timeout.toMillis())));
        } finally {
            tracker.close();
        }
    }

    /** One line per bundle: symbolic name, version and state, for messages about what is missing. */
    public String bundleStates() {
        StringBuilder sb = new StringBuilder();
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (b.getBundleId() != 0) {
                sb.append("  ").append(describe(b)).append(' ').append(stateName(b.getState())).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Stops the framework, waiting at most {@code timeout} for the bundles to stop.
     *
     * @return true if it stopped in time
     */
    public boolean stop(Duration timeout) throws BundleException, InterruptedException {
        framework.stop();
        return framework.waitForStop(timeout.toMillis()).getType() != FrameworkEvent.WAIT_TIMEDOUT;
    }

    /**
     * Stops the framework (bounded by {@link #STOP_TIMEOUT}) and deletes its bundle cache. Idempotent, and safe to
     * call from a shutdown hook while another thread closes too.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        silentPlugins.close();
        try {
            if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE | Bundle.STOPPING)) != 0
                    && !stop(STOP_TIMEOUT)) {
                err.println("jiomap: the framework did not stop within " + STOP_TIMEOUT.toSeconds() + " s; still:\n"
                        + bundleStates());
            }
        } catch (BundleException e) {
            err.println("jiomap: stopping the framework failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteTree(storage);
        }
    }

    static String describe(Bundle b) {
        return b == null ? "the framework" : b.getSymbolicName() + " " + b.getVersion();
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED (not resolved)";
            case Bundle.RESOLVED -> "RESOLVED (not started)";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover cache directory in the temp dir is harmless: the next run uses a new one.
        }
    }
}
