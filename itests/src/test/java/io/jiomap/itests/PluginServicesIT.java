package io.jiomap.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.fs.FileSystemType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.util.tracker.ServiceTracker;

class PluginServicesIT {
    private PluginFramework osgi;

    @BeforeEach
    void boot() throws Exception {
        osgi = PluginFramework.start(PluginFramework.bundleDirectoryFromBuild(), System.err);
    }

    @AfterEach
    void shutDown() {
        osgi.close();
    }

    @Test
    void theMemoryDeviceProviderAndTheRawFileSystemTypeAppearAsServices() {
        ServiceTracker<BlockDeviceProvider, BlockDeviceProvider> devices = osgi.deviceProviders();
        ServiceTracker<FileSystemType, FileSystemType> fileSystems = osgi.fileSystemTypes();

        await().atMost(Duration.ofSeconds(5)).until(() -> devices.size() == 1 && fileSystems.size() == 1);

        ServiceReference<BlockDeviceProvider> device = devices.getServiceReference();
        assertThat(device.getProperty(BlockDeviceProvider.TYPE_PROPERTY)).isEqualTo("memory");
        assertThat(devices.getService().type()).isEqualTo("memory");
        assertThat(device.getBundle().getLocation()).endsWith(PluginFramework.MEMORY_JAR);

        ServiceReference<FileSystemType> fs = fileSystems.getServiceReference();
        assertThat(fs.getProperty(FileSystemType.TYPE_PROPERTY)).isEqualTo("raw");
        assertThat(fileSystems.getService().name()).isEqualTo("raw");
        assertThat(fs.getBundle().getLocation()).endsWith(PluginFramework.RAW_JAR);
    }

    @Test
    void pluginBundlesExportNothingAndTakeTheApiFromTheHost() {
        for (String jar : List.of(PluginFramework.MEMORY_JAR, PluginFramework.RAW_JAR)) {
            Bundle plugin = osgi.bundleAt(jar);
            BundleWiring wiring = plugin.adapt(BundleWiring.class);

            List<BundleCapability> exports = wiring.getCapabilities(PackageNamespace.PACKAGE_NAMESPACE);
            assertThat(exports).as("packages exported by %s", jar).isEmpty();

            List<BundleWire> imports = wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE);
            assertThat(imports).as("package imports of %s", jar).isNotEmpty();
            for (BundleWire wire : imports) {
                String pkg = (String) wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE);
                assertThat(pkg).as("package imported by %s", jar).matches("io\\.jiomap\\.api(\\..*)?|org\\.osgi\\..*");
                assertThat(wire.getProvider().getBundle().getBundleId())
                        .as("bundle providing %s to %s (0 is the system bundle, i.e. the host)", pkg, jar)
                        .isZero();
            }
        }
    }
}
