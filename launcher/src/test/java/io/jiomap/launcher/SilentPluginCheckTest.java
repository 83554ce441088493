package io.jiomap.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/** The container's warning about a bundle that looks like a jiomap plugin but registers no type once started. */
class SilentPluginCheckTest {
    private static final Duration GRACE = Duration.ofMillis(100);

    @TempDir
    Path jars;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private EmbeddedFramework fw;

    @BeforeEach
    void startFramework() throws Exception {
        fw = EmbeddedFramework.start(Map.of(), err, GRACE);
    }

    @AfterEach
    void stopFramework() {
        fw.close();
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    /** Starts the jar's bundle and waits until the check has looked at it. */
    private Bundle startAndCheck(Path jar) throws Exception {
        int before = fw.pluginChecks();
        Bundle bundle = fw.install(List.of(jar)).getFirst();
        assertThat(fw.startAll(List.of(bundle))).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> fw.pluginChecks() > before);
        return bundle;
    }

    @Test
    void aPlainJarWithAPluginsServicesFileIsCalledAPlainJarNamingTheBundleAndTheFix() throws Exception {
        Path jar = TestBundles.plainJarPlugin(jars, "my-device-1.0.jar");

        Bundle bundle = startAndCheck(jar);

        assertThat(bundle.getState()).as("the framework starts it without complaint").isEqualTo(Bundle.ACTIVE);
        assertThat(err()).contains("jiomap: warning: bundle " + bundle.getBundleId() + " ")
                .contains(jar.toUri().toString())
                .contains("registered no device or filesystem type")
                .contains("no Bundle-SymbolicName").contains("plain jar").contains("bnd-maven-plugin");
    }

    @Test
    void aBundleWithoutAnActivatorIsToldToNameOne() throws Exception {
        startAndCheck(TestBundles.devicePluginWithoutCode(jars, "test.no.activator", Map.of()));

        assertThat(err()).contains("test.no.activator 1.0.0").contains("names no Bundle-Activator");
    }

    @Test
    void anActivatorThatRegistersNothingIsNamed() throws Exception {
        startAndCheck(TestBundles.devicePlugin(jars, "test.registers.nothing", "none"));

        assertThat(err()).contains("test.registers.nothing")
                .contains("its activator io.jiomap.launcher.testbundle.TypeRegisteringActivator registered none")
                .contains("jiomap.device.type");
    }

    @Test
    void aTypeRegisteredWithoutItsTypePropertyIsNamedAsSuch() throws Exception {
        startAndCheck(TestBundles.devicePlugin(jars, "test.unnamed", "device-unnamed"));

        assertThat(err()).contains("test.unnamed")
                .contains("io.jiomap.api.block.BlockDeviceProvider without the property jiomap.device.type");
    }

    @Test
    void aPluginThatRegistersItsTypeGetsNoWarning() throws Exception {
        startAndCheck(TestBundles.devicePlugin(jars, "test.good.plugin", "device"));

        assertThat(err()).isEmpty();
    }

    @Test
    void aBundleThatIsNoJiomapPluginGetsNoWarning() throws Exception {
        startAndCheck(TestBundles.manifestOnly(jars, "test.some.library", Map.of()));

        assertThat(err()).isEmpty();
    }
}
