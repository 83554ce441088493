package io.jiomap.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A hundred bundle updates under a writing load (live container; docs/design-rules.md, "Rule 3", "Rule 5"): writers
 * keep overwriting self-describing blocks of a raw filesystem on an nvme-like device whose media is an image file, so
 * the data outlives each device object, while the device bundle (or, separately, the raw filesystem bundle) is updated
 * again and again. Each update makes the load's I/O fail cleanly (ENODEV or ESHUTDOWN, never a hang), the test
 * remounts on the new bundle's service, and the load goes on there. At the end every acknowledged write reads back,
 * both through the last mount and from a fresh device on the image, and no thread is left behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HotUpdateUnderLoadIT {
    private static final int CYCLES = 100;
    private static final int BLOCKS_PER_WRITER = 64;
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final List<SelfCheckingLoad.Style> WRITERS = List.of(SelfCheckingLoad.Style.DSYNC,
            SelfCheckingLoad.Style.FSYNC, SelfCheckingLoad.Style.RING);

    private PluginFramework osgi;
    private Path scratch;
    private String deviceSpec;
    private ServiceTracker<BlockDeviceProvider, BlockDeviceProvider> nvme;
    private ServiceTracker<FileSystemType, FileSystemType> fileSystems;
    private Set<Thread> threadsBefore;
    /** What a failing test leaves mounted and open, closed after it. */
    private Mount mount;
    private BlockDevice device;

    @BeforeEach
    void boot() throws Exception {
        Path bundles = PluginFramework.bundleDirectoryFromBuild();
        osgi = PluginFramework.start(bundles, System.err, List.of(PluginFramework.RAW_JAR,
                PluginFramework.NVME_LIKE_JAR));
        nvme = osgi.deviceProviders("nvme-like");
        fileSystems = osgi.fileSystemTypes();
        assertThat(nvme.waitForService(BOUND.toMillis())).as("nvme-like provider service").isNotNull();
        assertThat(fileSystems.waitForService(BOUND.toMillis())).as("raw filesystem type service").isNotNull();
        scratch = Files.createTempDirectory(bundles.getParent(), "hot-update-");
        // A volatile write cache with FUA, two queues with their irq threads, lbs 4096 so a block is one sector, and
        // a service time, so that every update finds writes inside the device.
        deviceSpec = "nvme-like:size=8m,lbs=4096,queues=2,latency=200us,path=" + scratch.resolve("disk.img");
    }

    @AfterEach
    void shutDown() throws Exception {
        try {
            if (mount != null) {
                mount.close();
            }
        } finally {
            if (device != null) {
                device.close();
            }
            osgi.close();
        }
        try (var files = Files.list(scratch)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(scratch);
    }

    @Test
    void aHundredDeviceBundleUpdatesUnderLoadLoseNoAcknowledgedWriteAndLeaveNoThread() throws Exception {
        threadsBefore = liveThreads();
        device = nvme.getService().open(DeviceSpec.parse(deviceSpec));
        mount = Mount.mount(fileSystems.getService(), device, Mount.Options.defaults());
        MountSlot slot = new MountSlot(mount);
        SelfCheckingLoad load = SelfCheckingLoad.start(slot, WRITERS, BLOCKS_PER_WRITER);
        try {
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                BlockDeviceProvider old = nvme.getService();
                update(PluginFramework.NVME_LIKE_JAR);
                // The old bundle's stop closed its device under the load: what was queued ended with ENODEV, what
                // was moving finished, and the cache went to the image.
                assertThat(device.isClosed()).as("device of the replaced bundle, cycle %d", cycle).isTrue();
                unmountAfterTheDeviceWent(mount);

                BlockDeviceProvider fresh = successor(nvme, old);
                device = fresh.open(DeviceSpec.parse(deviceSpec));
                mount = Mount.mount(fileSystems.getService(), device, Mount.Options.defaults());
                slot.replace(mount);
                awaitProgress(load, cycle);
            }
        } finally {
            load.stop();
        }

        assertTheLoadSurvived(load, mount);
        closeMountAndDevice();
        assertEveryAcknowledgedWriteIsOnTheImage(load);
        assertNoThreadLeft();
    }

    @Test
    void aHundredRawBundleUpdatesUnderLoadLoseNoAcknowledgedWriteAndLeaveNoThread() throws Exception {
        threadsBefore = liveThreads();
        device = nvme.getService().open(DeviceSpec.parse(deviceSpec));
        MountSlot slot = new MountSlot(Mount.mount(fileSystems.getService(), device, Mount.Options.defaults()));
        // As the shell's live mounts do: let go of a filesystem type when it unregisters, by unmounting while its
        // bundle is still there to drain and persist.
        BundleContext context = osgi.framework().framework().getBundleContext();
        List<String> unmountErrors = new ArrayList<>();
        ServiceListener letGo = event -> {
            if (event.getType() == ServiceEvent.UNREGISTERING) {
                try {
                    slot.current().mount().close();
                } catch (JiomapException e) {
                    unmountErrors.add(e.getMessage());
                }
            }
        };
        context.addServiceListener(letGo, "(" + Constants.OBJECTCLASS + "=" + FileSystemType.class.getName() + ")");
        SelfCheckingLoad load = SelfCheckingLoad.start(slot, WRITERS, BLOCKS_PER_WRITER);
        try {
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                FileSystemType old = fileSystems.getService();
                update(PluginFramework.RAW_JAR);

                FileSystemType fresh = successor(fileSystems, old);
                assertThat(fresh.getClass().getClassLoader()).isNotSameAs(old.getClass().getClassLoader());
                slot.replace(Mount.mount(fresh, device, Mount.Options.defaults()));
                awaitProgress(load, cycle);
            }
        } finally {
            load.stop();
            context.removeServiceListener(letGo);
            mount = slot.current().mount();
        }

        assertThat(unmountErrors).as("errors unmounting the departing filesystem type").isEmpty();
        assertTheLoadSurvived(load, mount);
        closeMountAndDevice();
        assertEveryAcknowledgedWriteIsOnTheImage(load);
        assertNoThreadLeft();
    }

    private void closeMountAndDevice() throws JiomapException {
        try {
            mount.close();
            mount = null;
        } finally {
            device.close();
            device = null;
        }
    }

    /** Bundle.update from the same jar: the old revision stops (its services unregister), a new one starts. */
    private void update(String jarName) throws Exception {
        Bundle bundle = osgi.bundleAt(jarName);
        try (InputStream jar = Files.newInputStream(osgi.bundleDirectory().resolve(jarName))) {
            bundle.update(jar);
        }
        assertThat(bundle.getState()).as("state of %s after the update", bundle.getSymbolicName())
                .isEqualTo(Bundle.ACTIVE);
    }

    /**
     * Unmounts a filesystem whose device is already closed: it must return (the filesystem's final flush fails with
     * the device's error, which is all it can do) rather than wait for a device that is gone.
     */
    private static void unmountAfterTheDeviceWent(Mount mount) {
        try {
            mount.close();
        } catch (JiomapException e) {
            assertThat(e.getMessage()).as("unmount error after the device closed").startsWith("ENODEV");
        }
    }

    /**
     * A bounded wait that looks at once and then every millisecond: the conditions here usually hold already or
     * within microseconds, and Awaitility's default first look after 100 ms would make the hundred cycles crawl.
     */
    private static ConditionFactory soon() {
        return await().atMost(BOUND).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
    }

    private static <S> S successor(ServiceTracker<S, S> tracker, S old) {
        soon().until(() -> {
            S now = tracker.getService();
            return now != null && now != old;
        });
        return tracker.getService();
    }

    /** The load goes on, on the new mount: more writes acknowledged than when it was published. */
    private static void awaitProgress(SelfCheckingLoad load, int cycle) {
        long before = load.ackedWrites();
        soon()
                .failFast("a writer met an unexpected error", () -> !load.unexpectedErrors().isEmpty())
                .until(() -> load.ackedWrites() >= before + WRITERS.size() * 4L);
        assertThat(load.unexpectedErrors()).as("unexpected errors up to cycle %d", cycle).isEmpty();
    }

    private static void assertTheLoadSurvived(SelfCheckingLoad load, Mount mount) throws JiomapException {
        assertThat(load.unexpectedErrors()).as("errors other than ENODEV/ESHUTDOWN, or stuck writers").isEmpty();
        // Each update cut the load off: its writers saw clean failures, not silence.
        assertThat(load.cleanFailures().values().stream().mapToLong(Long::longValue).sum())
                .as("clean failures " + load.cleanFailures()).isGreaterThanOrEqualTo(CYCLES);
        assertThat(load.verify(mount.open(SelfCheckingLoad.PATH, 0))).as("blocks read through the last mount")
                .isEmpty();
    }

    /** A new device object on the image sees every acknowledged write: the data outlived each device. */
    private void assertEveryAcknowledgedWriteIsOnTheImage(SelfCheckingLoad load) throws Exception {
        BlockDevice fresh = nvme.getService().open(DeviceSpec.parse(deviceSpec));
        try (Mount check = Mount.mount(fileSystems.getService(), fresh, Mount.Options.defaults())) {
            assertThat(load.verify(check.open(SelfCheckingLoad.PATH, 0))).as("blocks read from the image").isEmpty();
        } finally {
            fresh.close();
        }
    }

    /** The writers, the devices' irq threads and the workqueues have all ended: the thread count is back. */
    private void assertNoThreadLeft() {
        soon().untilAsserted(() -> assertThat(liveThreads())
                .as("threads started since the framework booted and still alive")
                .extracting(Thread::getName)
                .containsExactlyInAnyOrderElementsOf(threadsBefore.stream().filter(Thread::isAlive)
                        .map(Thread::getName).toList()));
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }
}
