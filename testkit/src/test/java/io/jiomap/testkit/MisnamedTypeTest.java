package io.jiomap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.jupiter.api.Test;

/** A type that is not installed fails the test, listing the installed ones; it is never skipped in silence. */
class MisnamedTypeTest {
    /** Run only by the tests below, through the launcher (a static nested class surefire does not pick up). */
    static class NamesAMissingFilesystem {
        @JiomapTest(fs = {"raw", "xfs-lik"}, devices = "memory")
        void neverRuns(JiomapRig rig) {
            throw new AssertionError("ran on " + rig.name());
        }
    }

    static class NamesAMissingDevice {
        @JiomapTest(fs = "raw", devices = "nvme")
        void neverRuns(JiomapRig rig) {
            throw new AssertionError("ran on " + rig.name());
        }
    }

    private static TestExecutionSummary run(Class<?> testClass) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
                listener);
        return listener.getSummary();
    }

    @Test
    void aMissingFilesystemTypeFailsNamingTheInstalledOnes() {
        TestExecutionSummary summary = run(NamesAMissingFilesystem.class);
        List<TestExecutionSummary.Failure> failures = summary.getFailures();
        assertThat(failures).hasSize(1);
        assertThat(summary.getTestsSkippedCount()).isZero();
        assertThat(summary.getTestsSucceededCount()).isZero();
        assertThat(failures.getFirst().getException()).hasMessageContaining("[xfs-lik]")
                .hasMessageContaining("installed: [raw, scripted]");
    }

    @Test
    void aMissingDeviceTypeFailsNamingTheInstalledOnes() {
        TestExecutionSummary summary = run(NamesAMissingDevice.class);
        assertThat(summary.getFailures()).hasSize(1);
        assertThat(summary.getFailures().getFirst().getException()).hasMessageContaining("[nvme]")
                .hasMessageContaining("installed: [file, memory, nvme-like, sata-like]");
    }

    @Test
    void aMissingScriptedFilesystemIsToldWhichServicesFileRegistersIt() {
        // In this module scripted is registered (test resources), so the message is checked where it is built.
        assertThat(Installed.scriptedHint(List.of("raw", "scripted")))
                .contains("src/test/resources/META-INF/services/io.jiomap.api.fs.FileSystemType")
                .contains("io.jiomap.tck.scripted.ScriptedFileSystemType");
        assertThat(Installed.scriptedHint(List.of("xfs-lik"))).as("no hint for any other type").isEmpty();
    }
}
