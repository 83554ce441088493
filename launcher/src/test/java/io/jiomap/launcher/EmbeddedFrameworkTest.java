package io.jiomap.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

class EmbeddedFrameworkTest {
    @TempDir
    Path bundles;

    private final PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @Test
    void keepsItsBundleCacheInATemporaryDirectoryThatCloseDeletes() throws Exception {
        Path storage;
        try (EmbeddedFramework fw = EmbeddedFramework.start(Map.of(), err)) {
            storage = Path.of(fw.framework().getBundleContext().getProperty(Constants.FRAMEWORK_STORAGE));
            fw.install(List.of(TestBundles.manifestOnly(bundles, "test.cached", Map.of())));
            assertThat(storage).isDirectory();
        }
        assertThat(storage).doesNotExist();
    }

    @Test
    void stopsItsBundlesOnClose() throws Exception {
        Bundle bundle;
        try (EmbeddedFramework fw = EmbeddedFramework.start(Map.of(), err)) {
            bundle = fw.install(List.of(TestBundles.countingCommand(bundles))).getFirst();
            assertThat(fw.startAll(List.of(bundle))).isEmpty();
            assertThat(bundle.getState()).isEqualTo(Bundle.ACTIVE);
        }
        assertThat(bundle.getState()).isNotEqualTo(Bundle.ACTIVE);
    }

    @Test
    void findsAServiceByItsPropertiesOnly() throws Exception {
        try (EmbeddedFramework fw = EmbeddedFramework.start(Map.of(), err)) {
            fw.startAll(fw.install(List.of(TestBundles.countingCommand(bundles))));

            assertThat(fw.awaitService(ToIntFunction.class, "(jiomap.command=main)", Duration.ofSeconds(5)))
                    .isPresent();
            assertThat(fw.awaitService(ToIntFunction.class, "(jiomap.command=other)", Duration.ofMillis(50)))
                    .isEmpty();
        }
    }

    @Test
    void listsBundleJarsInNameOrderAndIgnoresOtherFiles() throws Exception {
        Path b = TestBundles.manifestOnly(bundles, "b", Map.of());
        Path a = TestBundles.manifestOnly(bundles, "a", Map.of());
        Files.writeString(bundles.resolve("notes.txt"), "x");

        assertThat(EmbeddedFramework.bundleJars(bundles)).containsExactly(a, b);
    }
}
