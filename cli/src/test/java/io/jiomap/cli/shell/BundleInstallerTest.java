package io.jiomap.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@code jiomap:install} installs from: one location per jar, however the jar is named. */
class BundleInstallerTest {
    @TempDir
    Path base;

    private BundleInstaller installer() {
        return new BundleInstaller(null, base);
    }

    @Test
    void aRelativeFileUrlAPathAndAnAbsoluteFileUrlOfOneJarAreOneLocation() throws Exception {
        Path jar = Files.createDirectories(base.resolve("target")).resolve("plugin.jar");
        Files.writeString(jar, "jar");
        String expected = jar.toUri().toString();

        assertThat(installer().location("file:target/plugin.jar")).isEqualTo(expected);
        assertThat(installer().location("target/../target/plugin.jar")).isEqualTo(expected);
        assertThat(installer().location("file:" + jar)).isEqualTo(expected);
        assertThat(installer().location(expected)).isEqualTo(expected);
    }

    @Test
    void aUrlOfAnotherSchemeIsLeftAsItIs() {
        assertThat(installer().location("https://example.org/plugin.jar")).isEqualTo("https://example.org/plugin.jar");
    }

    @Test
    void aMissingFileIsRefusedNamingTheFileAndTheDirectoryItWasLookedFor() {
        assertThatThrownBy(() -> installer().location("file:target/none.jar"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no such file " + base.resolve("target/none.jar"))
                .hasMessageContaining("relative to " + base);
    }
}
