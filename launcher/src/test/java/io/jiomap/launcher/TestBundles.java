package io.jiomap.launcher;

import io.jiomap.launcher.testbundle.CountingCommandActivator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Writes small bundle jars for the launcher tests. */
final class TestBundles {
    private TestBundles() {
    }

    /** A bundle with only a manifest: the given headers after the standard ones. */
    static Path manifestOnly(Path dir, String symbolicName, Map<String, String> headers) throws IOException {
        return write(dir, symbolicName, headers, null);
    }

    /** A bundle whose activator registers a command service (see {@link CountingCommandActivator}). */
    static Path countingCommand(Path dir) throws IOException {
        return write(dir, "test.counting.command", Map.of(
                "Bundle-Activator", CountingCommandActivator.class.getName(),
                "Import-Package", "org.osgi.framework"), CountingCommandActivator.class);
    }

    private static Path write(Path dir, String symbolicName, Map<String, String> headers, Class<?> content)
            throws IOException {
        Manifest mf = new Manifest();
        Attributes main = mf.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        headers.forEach(main::putValue);
        Path jar = dir.resolve(symbolicName + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out, mf)) {
            if (content != null) {
                String entry = content.getName().replace('.', '/') + ".class";
                jos.putNextEntry(new JarEntry(entry));
                try (InputStream in = content.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(jos);
                }
                jos.closeEntry();
            }
        }
        return jar;
    }
}
