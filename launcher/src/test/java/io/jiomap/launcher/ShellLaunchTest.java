package io.jiomap.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellLaunchTest {
    @TempDir
    Path dist;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void refusesArgumentsAfterShellSayingWhereCommandsGo() throws Exception {
        TestBundles.countingCommand(dist);

        int code = Launcher.runShell(dist, dist, new String[] {"lb"}, err);

        assertThat(code).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("takes no arguments (got lb)",
                "jiomap:help");
    }

    @Test
    void namesAMissingShellBundleDirectoryAndTheProperty() throws Exception {
        TestBundles.countingCommand(dist);
        Path missing = dist.resolve("shell");

        int code = Launcher.runShell(dist, missing, new String[0], err);

        assertThat(code).isEqualTo(1);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains(missing.toString(), "does not exist",
                "Gogo shell bundles", "-D" + Launcher.SHELL_BUNDLES_PROPERTY);
    }
}
