package io.jiomap.launcher;

import io.jiomap.launcher.testbundle.CountingCommandActivator;
import io.jiomap.launcher.testbundle.TypeRegisteringActivator;
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

    /** The services file every jiomap device plugin carries, naming a provider class. */
    static final Map<String, String> DEVICE_SERVICES_FILE = Map.of(
            "META-INF/services/io.jiomap.api.block.BlockDeviceProvider", "org.example.Provider\n");

    /**
     * A jiomap device plugin as a bundle whose activator registers what {@code registers} says (see
     * {@link TypeRegisteringActivator}), with the plugin's services file.
     */
    static Path devicePlugin(Path dir, String symbolicName, String registers) throws IOException {
        return write(dir, symbolicName, Map.of(
                "Bundle-Activator", TypeRegisteringActivator.class.getName(),
                "Import-Package", "org.osgi.framework",
                TypeRegisteringActivator.HEADER, registers), TypeRegisteringActivator.class, DEVICE_SERVICES_FILE);
    }

    /** A jiomap device plugin with its services file and the given OSGi headers, and no code. */
    static Path devicePluginWithoutCode(Path dir, String symbolicName, Map<String, String> headers)
            throws IOException {
        return write(dir, symbolicName, headers, null, DEVICE_SERVICES_FILE);
    }

    /** A device plugin packed as a plain jar, as maven-jar-plugin makes it: a manifest without any OSGi header. */
    static Path plainJarPlugin(Path dir, String fileName) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Created-By", "Maven JAR Plugin");
        return jar(dir.resolve(fileName), mf, TypeRegisteringActivator.class, DEVICE_SERVICES_FILE);
    }

    private static Path write(Path dir, String symbolicName, Map<String, String> headers, Class<?> content)
            throws IOException {
        return write(dir, symbolicName, headers, content, Map.of());
    }

    private static Path write(Path dir, String symbolicName, Map<String, String> headers, Class<?> content,
                              Map<String, String> resources) throws IOException {
        Manifest mf = new Manifest();
        Attributes main = mf.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        headers.forEach(main::putValue);
        return jar(dir.resolve(symbolicName + ".jar"), mf, content, resources);
    }

    private static Path jar(Path jar, Manifest mf, Class<?> content, Map<String, String> resources)
            throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out, mf)) {
            if (content != null) {
                String entry = content.getName().replace('.', '/') + ".class";
                jos.putNextEntry(new JarEntry(entry));
                try (InputStream in = content.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(jos);
                }
                jos.closeEntry();
                // Nested classes (an activator's service factory) go along.
                String prefix = content.getSimpleName() + "$";
                Path classes = Path.of(content.getProtectionDomain().getCodeSource().getLocation().getPath())
                        .resolve(content.getPackageName().replace('.', '/'));
                try (var nested = Files.list(classes)) {
                    for (Path p : nested.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
                        jos.putNextEntry(new JarEntry(content.getPackageName().replace('.', '/') + "/"
                                + p.getFileName()));
                        Files.copy(p, jos);
                        jos.closeEntry();
                    }
                }
            }
            for (Map.Entry<String, String> r : resources.entrySet()) {
                jos.putNextEntry(new JarEntry(r.getKey()));
                jos.write(r.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                jos.closeEntry();
            }
        }
        return jar;
    }
}
