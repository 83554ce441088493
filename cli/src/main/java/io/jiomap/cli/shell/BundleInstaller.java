package io.jiomap.cli.shell;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Installs bundles for {@code jiomap:install}, saying when a location is installed already: the framework then hands
 * back the bundle it has (one bundle per location) and installs nothing, so a rebuilt jar would not be loaded.
 */
public final class BundleInstaller {
    /** What an install found or did. */
    public record Installed(long id, String location, boolean already, String state) {
    }

    private final BundleContext context;
    private final Path baseDirectory;

    /** @param baseDirectory what a relative path or {@code file:} URL is relative to: where the container started */
    public BundleInstaller(BundleContext context, Path baseDirectory) {
        this.context = context;
        this.baseDirectory = baseDirectory;
    }

    /**
     * Installs the bundle at {@code url} (a URL, or a file path), or finds the one installed from there already.
     *
     * @throws IllegalArgumentException naming a file that does not exist, or the framework's reason for refusing
     */
    public Installed install(String url) {
        String location = location(url);
        Bundle existing = context.getBundle(location);
        if (existing != null) {
            return new Installed(existing.getBundleId(), location, true, state(existing));
        }
        try {
            Bundle bundle = context.installBundle(location);
            return new Installed(bundle.getBundleId(), location, false, state(bundle));
        } catch (BundleException | SecurityException | IllegalStateException e) {
            throw new IllegalArgumentException("cannot install " + location + ": " + e.getMessage(), e);
        }
    }

    /** Starts an installed bundle; the framework's reason (an unresolved import, say) if it cannot. */
    public void start(long id) {
        Bundle bundle = context.getBundle(id);
        if (bundle == null) {
            throw new IllegalArgumentException("no bundle " + id);
        }
        try {
            bundle.start();
        } catch (BundleException | IllegalStateException e) {
            throw new IllegalArgumentException("cannot start bundle " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * The location to install from: a {@code file:} URL made absolute against the base directory (so the same jar has
     * one location however it is named), a path made a {@code file:} URL, any other URL as it is.
     */
    String location(String url) {
        String text = url.trim();
        boolean fileUrl = text.startsWith("file:");
        if (!fileUrl && text.matches("[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
            return text;
        }
        Path path;
        try {
            path = fileUrl ? Path.of(text.substring("file:".length()).replaceFirst("^//", "")) : Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a file path or URL: " + url);
        }
        Path file = baseDirectory.resolve(path).normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such file " + file + (path.isAbsolute() ? ""
                    : " (relative to " + baseDirectory + ", where the container started)"));
        }
        return file.toUri().toString();
    }

    private static String state(Bundle bundle) {
        return switch (bundle.getState()) {
            case Bundle.INSTALLED -> "Installed";
            case Bundle.RESOLVED -> "Resolved";
            case Bundle.STARTING -> "Starting";
            case Bundle.STOPPING -> "Stopping";
            case Bundle.ACTIVE -> "Active";
            default -> "Uninstalled";
        };
    }
}
