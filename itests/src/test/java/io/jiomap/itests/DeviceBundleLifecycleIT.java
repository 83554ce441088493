package io.jiomap.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Stopping and starting the device bundle under a mounted filesystem: a stopped device never leaves an I/O hanging
 * (docs/design-rules.md, "Rule 3").
 */
class DeviceBundleLifecycleIT {
    private static final Duration BOUND = Duration.ofSeconds(10);
    /** Long enough that the writes queued just before the stop are still waiting for it when it comes. */
    private static final String SLOW_DEVICE = "memory:size=8m,lbs=4096,completion=delay,delay=1s";

    private PluginFramework osgi;
    private ServiceTracker<BlockDeviceProvider, BlockDeviceProvider> providers;
    private FileSystemType raw;
    private final List<Mount> mounts = new ArrayList<>();

    @BeforeEach
    void boot() throws Exception {
        osgi = PluginFramework.start(PluginFramework.bundleDirectoryFromBuild(), System.err);
        providers = osgi.deviceProviders();
        raw = osgi.fileSystemTypes().waitForService(BOUND.toMillis());
        assertThat(raw).as("raw filesystem type service").isNotNull();
    }

    @AfterEach
    void shutDown() throws Exception {
        for (Mount m : mounts) {
            m.close();
        }
        osgi.close();
    }

    private Mount mount(BlockDeviceProvider provider, String spec) throws Exception {
        BlockDevice device = provider.open(DeviceSpec.parse(spec));
        Mount m = Mount.mount(raw, device, Mount.Options.defaults());
        mounts.add(m);
        return m;
    }

    private BlockDeviceProvider provider() throws InterruptedException {
        BlockDeviceProvider p = providers.waitForService(BOUND.toMillis());
        assertThat(p).as("memory device provider service").isNotNull();
        return p;
    }

    @Test
    void stoppingTheDeviceBundleEndsEveryPendingIoWithAnErrorAndNoneHangs() throws Exception {
        Mount mount = mount(provider(), SLOW_DEVICE);
        OpenFile file = mount.open("/memory", 0);
        Bundle deviceBundle = osgi.bundleAt(PluginFramework.MEMORY_JAR);
        try (IoRing ring = IoRing.create(16, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(16L * Blocks.SIZE, Blocks.SIZE);
            MemorySegment check = ring.allocateBuffer(4L * Blocks.SIZE, Blocks.SIZE);

            // Acknowledged before the stop: their CQEs say done, and the device holds their data.
            for (int i = 0; i < 4; i++) {
                Blocks.fill(buf, i, 1);
                ring.prepWrite(file, buf, (long) i * Blocks.SIZE, Blocks.SIZE, (long) i * Blocks.SIZE, 0, i);
            }
            ring.submitAndWait(4);
            assertThat(DirectIoThroughPluginsIT.reapAll(ring)).containsOnly((long) Blocks.SIZE).hasSize(4);
            assertThat(file.pread(check, 0, check.byteSize(), 0)).isEqualTo(check.byteSize());
            assertThat(Blocks.same(buf, check, 4)).as("acknowledged writes read back").isTrue();

            // In flight at the stop: queued on the device, a second from completing.
            for (int i = 4; i < 12; i++) {
                Blocks.fill(buf, i, 2);
                ring.prepWrite(file, buf, (long) i * Blocks.SIZE, Blocks.SIZE, (long) i * Blocks.SIZE, 0, i);
            }
            assertThat(ring.submit()).isEqualTo(8);
            deviceBundle.stop();

            List<Long> results = new ArrayList<>();
            await().atMost(BOUND).pollInSameThread().until(() -> {
                ring.poll();
                ring.reap((user, result) -> results.add(result));
                return results.size() == 8;
            });
            assertThat(results).as("results of the writes pending at the stop")
                    .allSatisfy(r -> assertThat(r).isIn((long) -Errno.ENODEV, (long) -Errno.EIO));
            assertThat(ring.inFlight()).isZero();

            // The device is gone: a new write fails at once instead of waiting for it.
            ring.prepWrite(file, buf, 0, Blocks.SIZE, 0, 0, 99);
            ring.submitAndWait(1);
            assertThat(DirectIoThroughPluginsIT.reapAll(ring)).containsExactly((long) -Errno.ENODEV);
        }
        assertThat(mount.device().isClosed()).isTrue();
    }

    @Test
    void startingTheDeviceBundleAgainRegistersANewProviderThatServesIo() throws Exception {
        BlockDeviceProvider first = provider();
        Mount before = mount(first, "memory:size=8m,lbs=4096");
        Bundle deviceBundle = osgi.bundleAt(PluginFramework.MEMORY_JAR);

        deviceBundle.stop();
        assertThat(providers.isEmpty()).as("provider service withdrawn with its bundle").isTrue();
        assertThat(before.device().isClosed()).as("device of the stopped bundle").isTrue();

        deviceBundle.start();
        await().atMost(BOUND).until(() -> providers.getService() != null);
        BlockDeviceProvider second = providers.getService();
        assertThat(second).isNotSameAs(first);

        OpenFile file = mount(second, "memory:size=8m,lbs=4096").open("/memory", 0);
        try (IoRing ring = IoRing.create(4, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(Blocks.SIZE, Blocks.SIZE);
            MemorySegment check = ring.allocateBuffer(Blocks.SIZE, Blocks.SIZE);
            Blocks.fill(buf, 0, 5);
            ring.prepWrite(file, buf, 0, Blocks.SIZE, 4096, 0, 1);
            ring.submitAndWait(1);
            assertThat(DirectIoThroughPluginsIT.reapAll(ring)).containsExactly((long) Blocks.SIZE);
            ring.prepRead(file, check, 0, Blocks.SIZE, 4096, 0, 2);
            ring.submitAndWait(1);
            assertThat(DirectIoThroughPluginsIT.reapAll(ring)).containsExactly((long) Blocks.SIZE);
            assertThat(Blocks.same(buf, check, 1)).isTrue();
        }
    }

    @Test
    void noJiomapThreadOfTheDevicesOrMountsIsLeftRunningOnceTheyStopped() throws Exception {
        BlockDeviceProvider provider = provider();
        List<Mount> ours = List.of(mount(provider, "memory:size=8m,completion=thread"),
                mount(provider, SLOW_DEVICE));
        List<String> deviceNames = ours.stream().map(m -> m.device().name()).toList();
        assertThat(jiomapThreadsOf(deviceNames)).as("device and workqueue threads while mounted").isNotEmpty();

        osgi.bundleAt(PluginFramework.MEMORY_JAR).stop();
        await().atMost(BOUND).until(() -> jiomapThreadsOf(deviceNames).stream().noneMatch(t -> t.endsWith("-irq")));

        for (Mount m : ours) {
            m.close();
        }
        await().atMost(BOUND).until(() -> jiomapThreadsOf(deviceNames).isEmpty());
    }

    /** Live threads named {@code jiomap-...} that belong to one of the devices (irq) or their mounts (workqueue). */
    private static List<String> jiomapThreadsOf(List<String> deviceNames) {
        Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
        return all.keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("jiomap-") && deviceNames.stream().anyMatch(d -> n.contains(d + "-")))
                .collect(Collectors.toList());
    }
}
