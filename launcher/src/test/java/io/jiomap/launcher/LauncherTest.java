package io.jiomap.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {
    @TempDir
    Path bundles;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final PrintStream originalOut = System.out;

    @AfterEach
    void restoreOut() {
        System.setOut(originalOut);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void passesTheArgumentsToTheCommandServiceAndReturnsItsExitCode() throws Exception {
        TestBundles.countingCommand(bundles);
        System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));

        int code = Launcher.run(bundles, new String[] {"devices", "--verbose"}, err);

        assertThat(code).isEqualTo(42);
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("args: devices --verbose");
        assertThat(err()).isEmpty();
    }

    @Test
    void namesTheBundleThatFailedToResolveAndTheMissingPackage() throws Exception {
        TestBundles.countingCommand(bundles);
        TestBundles.manifestOnly(bundles, "test.needs.missing", Map.of("Import-Package", "io.jiomap.nowhere"));

        int code = Launcher.run(bundles, new String[] {"devices"}, err);

        assertThat(code).isEqualTo(1);
        assertThat(err()).contains("1 of 2 bundles", "failed to start", "test.needs.missing 1.0.0",
                "test.needs.missing.jar", "missing requirement", "io.jiomap.nowhere");
    }

    @Test
    void saysWhichServiceIsMissingWhenNoBundleRegistersTheCommand() throws Exception {
        TestBundles.manifestOnly(bundles, "test.no.command", Map.of());

        int code = Launcher.run(bundles, new String[] {"devices"}, err, Duration.ofMillis(200));

        assertThat(code).isEqualTo(1);
        assertThat(err()).contains("no command service (jiomap.command=main)", "jiomap-cli.jar",
                "test.no.command 1.0.0 ACTIVE");
    }

    @Test
    void refusesAMissingBundleDirectoryNamingItAndTheProperty() throws Exception {
        Path missing = bundles.resolve("nowhere");

        int code = Launcher.run(missing, new String[] {"devices"}, err);

        assertThat(code).isEqualTo(1);
        assertThat(err()).contains(missing.toString(), "does not exist", "-Djiomap.bundles");
    }

    @Test
    void refusesABundleDirectoryWithoutJars() throws Exception {
        Files.writeString(bundles.resolve("README.txt"), "not a bundle");

        int code = Launcher.run(bundles, new String[] {"devices"}, err);

        assertThat(code).isEqualTo(1);
        assertThat(err()).contains("holds no .jar file");
    }

    @Test
    void namesAJarThatIsNotABundle() throws Exception {
        Path notABundle = bundles.resolve("plain.jar");
        Files.write(notABundle, new byte[] {1, 2, 3});

        int code = Launcher.run(bundles, new String[] {"devices"}, err);

        assertThat(code).isEqualTo(1);
        assertThat(err()).contains("cannot install", "plain.jar");
    }

    @Test
    void findsTheBundlesNextToTheLauncherJarUnlessThePropertyNamesThem() {
        String before = System.getProperty(Launcher.BUNDLES_PROPERTY);
        try {
            System.setProperty(Launcher.BUNDLES_PROPERTY, bundles.toString());
            assertThat(Launcher.bundleDirectory()).isEqualTo(bundles);
            System.clearProperty(Launcher.BUNDLES_PROPERTY);
            assertThat(Launcher.bundleDirectory().getFileName()).hasToString("bundles");
        } finally {
            if (before != null) {
                System.setProperty(Launcher.BUNDLES_PROPERTY, before);
            }
        }
    }
}
