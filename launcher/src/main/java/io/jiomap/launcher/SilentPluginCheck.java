package io.jiomap.launcher;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * Warns about a bundle that looks like a jiomap plugin but, once started, registers no device or filesystem type: a
 * plain jar built without bnd, a manifest without {@code Bundle-Activator}, an activator that registers nothing or
 * registers without the type property. The framework starts such a bundle without complaint, and the type is then
 * simply missing from {@code jiomap:devices}; this says which bundle and the likely cause.
 *
 * <p>A bundle looks like a plugin when it lists a device or filesystem type in {@code META-INF/services} (every
 * plugin does, EXTENDING.md §1), or when it imports the jiomap api or holds {@code io/jiomap} classes, exports
 * nothing and registered no service at all (a library exports, the cli registers commands). The check runs
 * {@code grace} after the bundle started, so a type registered asynchronously is seen too; a bundle stopped by then
 * is not checked.
 */
final class SilentPluginCheck implements BundleListener, AutoCloseable {
    static final String DEVICE_TYPE = "io.jiomap.api.block.BlockDeviceProvider";
    static final String FS_TYPE = "io.jiomap.api.fs.FileSystemType";
    static final String DEVICE_PROPERTY = "jiomap.device.type";
    static final String FS_PROPERTY = "jiomap.fs.type";
    /** How long after its start a bundle may take to register its type. */
    static final Duration GRACE = Duration.ofSeconds(2);

    private final PrintStream err;
    private final Duration grace;
    private final ScheduledExecutorService timer;
    private final AtomicInteger checked = new AtomicInteger();

    SilentPluginCheck(PrintStream err, Duration grace) {
        this.err = err;
        this.grace = grace;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jiomap-plugin-check");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.STARTED && event.getBundle().getBundleId() != 0) {
            Bundle bundle = event.getBundle();
            try {
                timer.schedule(() -> check(bundle), grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // The framework is stopping: nothing to warn about any more.
            }
        }
    }

    /** How many started bundles have been checked so far (whether or not they got a warning). */
    int checked() {
        return checked.get();
    }

    private void check(Bundle bundle) {
        try {
            if (bundle.getState() == Bundle.ACTIVE) {
                String problem = problem(bundle, grace);
                if (problem != null) {
                    err.println("jiomap: warning: bundle " + bundle.getBundleId() + " (" + name(bundle) + ", "
                            + bundle.getLocation() + ") " + problem);
                }
            }
        } catch (IllegalStateException uninstalledMeanwhile) {
            // Nothing left to warn about.
        } finally {
            checked.incrementAndGet();
        }
    }

    /** What is wrong with the bundle as a jiomap plugin, or null if it is fine or not a plugin. */
    static String problem(Bundle bundle, Duration grace) {
        ServiceReference<?>[] services = bundle.getRegisteredServices();
        List<ServiceReference<?>> registered = services == null ? List.of() : Arrays.asList(services);
        List<String> unnamed = new ArrayList<>();
        for (ServiceReference<?> ref : registered) {
            List<String> classes = Arrays.asList((String[]) ref.getProperty(Constants.OBJECTCLASS));
            if (classes.contains(DEVICE_TYPE)) {
                if (ref.getProperty(DEVICE_PROPERTY) == null) {
                    unnamed.add(DEVICE_TYPE + " without the property " + DEVICE_PROPERTY);
                } else {
                    return null;
                }
            }
            if (classes.contains(FS_TYPE)) {
                if (ref.getProperty(FS_PROPERTY) == null) {
                    unnamed.add(FS_TYPE + " without the property " + FS_PROPERTY);
                } else {
                    return null;
                }
            }
        }
        if (!unnamed.isEmpty()) {
            return "registered " + String.join(" and ", unnamed) + ", so jiomap cannot find it by type name: put the"
                    + " type name in that service property when registering (EXTENDING.md §5)";
        }
        Dictionary<String, String> headers = bundle.getHeaders("");
        boolean declaresType = bundle.getEntry("META-INF/services/" + DEVICE_TYPE) != null
                || bundle.getEntry("META-INF/services/" + FS_TYPE) != null;
        boolean jiomapCode = importsJiomapApi(headers.get(Constants.IMPORT_PACKAGE))
                || holdsJiomapClasses(bundle);
        boolean exports = headers.get(Constants.EXPORT_PACKAGE) != null;
        if (!declaresType && !(jiomapCode && !exports && registered.isEmpty())) {
            return null;
        }
        String what = declaresType ? "lists a jiomap type in META-INF/services" : "uses the jiomap api";
        String started = "started and " + what + ", but registered no device or filesystem type service: ";
        if (headers.get(Constants.BUNDLE_SYMBOLICNAME) == null) {
            return started + "its manifest has no Bundle-SymbolicName, so it is a plain jar, not a bundle, and none of"
                    + " its code runs. Build it with bnd-maven-plugin (<extensions>true</extensions> and the jar goal,"
                    + " as examples/ramdisk/pom.xml does; EXTENDING.md §5)";
        }
        String activator = headers.get(Constants.BUNDLE_ACTIVATOR);
        if (activator == null && headers.get("Service-Component") == null) {
            return started + "its manifest names no Bundle-Activator, so none of its code runs when it starts. Add"
                    + " Bundle-Activator: YOUR.ACTIVATOR.CLASS to the bnd instructions (EXTENDING.md §5)";
        }
        return started + (activator == null ? "its components" : "its activator " + activator.trim())
                + " registered none within " + grace.toMillis() + " ms. Register the "
                + "BlockDeviceProvider with the property " + DEVICE_PROPERTY + ", or the FileSystemType with "
                + FS_PROPERTY + " (EXTENDING.md §5)";
    }

    private static boolean importsJiomapApi(String importPackage) {
        if (importPackage == null) {
            return false;
        }
        // Clauses are separated by commas outside quotes: version="[1.0,2)" holds one.
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= importPackage.length(); i++) {
            char c = i < importPackage.length() ? importPackage.charAt(i) : ',';
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                String pkg = importPackage.substring(start, i).split(";", 2)[0].trim();
                if (pkg.equals("io.jiomap.api") || pkg.startsWith("io.jiomap.api.")) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    private static boolean holdsJiomapClasses(Bundle bundle) {
        java.util.Enumeration<java.net.URL> classes = bundle.findEntries("io/jiomap", "*.class", true);
        return classes != null && classes.hasMoreElements();
    }

    private static String name(Bundle bundle) {
        String symbolic = bundle.getSymbolicName();
        return symbolic == null ? "no symbolic name" : symbolic + " " + bundle.getVersion();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
