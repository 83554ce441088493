package io.jiomap.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.launcher.EmbeddedFramework;
import io.jiomap.launcher.Launcher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The whole distribution in a framework of its own, as {@code ./jiomap} runs it: api, core, the plugins, the cli and
 * their libraries are all bundles; the host shares nothing but JDK packages (the framework configuration is the
 * launcher's own).
 */
class FullDistributionIT {
    private static final String[] FIO = {"fio", "--name=it", "--size=8m", "--bs=4k", "--rw=randwrite",
            "--ioengine=io_uring", "--iodepth=4", "--runtime=1", "--time_based", "--output-format=json"};

    private final Path bundles = PluginFramework.bundleDirectoryFromBuild();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream originalOut = System.out;

    @BeforeEach
    void captureStdout() {
        // The cli reads System.out per command, so what it prints lands here.
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStdout() {
        System.setOut(originalOut);
        System.err.print(err.toString(StandardCharsets.UTF_8));
    }

    private int launch(String... args) throws InterruptedException {
        return Launcher.run(bundles, args, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void fioRunsAnIoUringJobThroughTheCommandServiceAndPrintsJson() throws Exception {
        int code = launch(FIO);

        assertThat(code).as("fio exit code; stderr:%n%s", err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(stdout().strip()).startsWith("{").endsWith("}").contains("\"jiomap", "\"jobname\"", "\"it\"");
    }

    @Test
    void devicesListsTheMemoryDeviceTypeOfItsBundle() throws Exception {
        int code = launch("devices");

        assertThat(code).as("devices exit code; stderr:%n%s", err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(stdout()).contains("memory");
    }

    @Test
    void everyBundleResolvesInsideTheFrameworkWithApiAndCoreAsBundlesNotFromTheHost() throws Exception {
        try (EmbeddedFramework fw = EmbeddedFramework.start(Launcher.frameworkConfig(), System.err)) {
            List<Bundle> installed = fw.install(EmbeddedFramework.bundleJars(bundles));

            assertThat(fw.startAll(installed)).as("bundles that failed to start").isEmpty();

            Bundle cli = installed.stream().filter(b -> b.getLocation().endsWith("jiomap-cli.jar")).findFirst()
                    .orElseThrow();
            List<BundleWire> wires = cli.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE);
            for (BundleWire wire : wires) {
                String pkg = (String) wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE);
                if (pkg.startsWith("io.jiomap.") || pkg.startsWith("picocli") || pkg.startsWith("org.jctools")) {
                    assertThat(wire.getProvider().getBundle().getBundleId())
                            .as("provider of %s to the cli (0 would be the host)", pkg).isNotZero();
                }
            }
            assertThat(wires).extracting(w -> w.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE))
                    .contains("io.jiomap.api", "io.jiomap.core");
        }
    }

    @Test
    void noJiomapThreadOutlivesTheFramework() throws Exception {
        assertThat(launch(FIO)).isZero();

        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).noneMatch(t -> t.getName().startsWith("jiomap-")));
    }
}
