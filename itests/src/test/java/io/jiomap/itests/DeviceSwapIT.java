package io.jiomap.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.util.tracker.ServiceTracker;

/**
 * One raw filesystem type, found as a service, mounted in turn on every device type of the distribution, each opened
 * through its provider service: the data path is the same on all of them, and the engine's counters show what each
 * device is for an O_DSYNC write (docs/dio-contract.md, "Row 6", "Row 7", "TV5", "TV6", "TV7"). Then a device bundle is
 * stopped under I/O and started again (docs/design-rules.md, "Rule 3").
 */
class DeviceSwapIT {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final int BLOCKS = 16;
    private static final int DSYNC_WRITES = 8;
    private static final List<String> PLUGINS = List.of(PluginFramework.RAW_JAR, PluginFramework.MEMORY_JAR,
            PluginFramework.NVME_LIKE_JAR, PluginFramework.SATA_LIKE_JAR, PluginFramework.FILE_JAR);

    private PluginFramework osgi;
    private FileSystemType raw;
    private Path scratch;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void boot() throws Exception {
        Path bundles = PluginFramework.bundleDirectoryFromBuild();
        osgi = PluginFramework.start(bundles, System.err, PLUGINS);
        raw = osgi.fileSystemTypes().waitForService(BOUND.toMillis());
        assertThat(raw).as("raw filesystem type service").isNotNull();
        // Beside the bundles, in target/: a real file for the file device, on the disk the build runs on.
        scratch = Files.createTempDirectory(bundles.getParent(), "device-swap-");
    }

    @AfterEach
    void shutDown() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        osgi.close();
        try (var files = Files.list(scratch)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(scratch);
    }

    @Test
    void eachDeviceTypeInTurnServesTheSameRawFileSystemAndShowsItsNatureOnDsyncWrites() throws Exception {
        swapIn("memory", "memory:size=64m", (type, dsync) -> {
            // vwc=off by default: every completed write is durable, so O_DSYNC needs neither FUA nor a flush
            // (docs/dio-contract.md, "TV6").
            assertThat(dsync.fuaWrites()).as(type + " FUA writes").isZero();
            assertThat(dsync.flushes()).as(type + " flushes").isZero();
            assertCompletedWithTheCaller(type, dsync);
        });
        swapIn("nvme-like", "nvme-like:size=64m,queues=2", (type, dsync) -> {
            // Write cache with FUA: each O_DSYNC overwrite is one FUA write and stays with the caller
            // (docs/dio-contract.md, "TV5").
            assertThat(dsync.fuaWrites()).as(type + " FUA writes").isEqualTo(DSYNC_WRITES);
            assertThat(dsync.flushes()).as(type + " flushes").isZero();
            assertCompletedWithTheCaller(type, dsync);
        });
        swapIn("sata-like", "sata-like:size=64m", (type, dsync) -> {
            // Write cache without FUA: each O_DSYNC write is synced by a flush on the workqueue (docs/dio-contract.md,
            // "TV7", "Row 7").
            assertThat(dsync.fuaWrites()).as(type + " FUA writes").isZero();
            assertThat(dsync.flushes()).as(type + " flushes").isGreaterThanOrEqualTo(DSYNC_WRITES);
            assertThat(dsync.caller()).as(type + " completions run by the ring").isZero();
            // A write whose bio ended before its submitter let go completes (and syncs) in the submitter.
            assertThat(dsync.workqueue() + dsync.submitter()).as(type + " workqueue + submitter completions")
                    .isEqualTo(DSYNC_WRITES);
        });
        Path image = scratch.resolve("disk.img");
        swapIn("file", "file:path=" + image + ",size=64m", (type, dsync) -> {
            // FUA is RWF_DSYNC on the file's write: the kernel makes that write durable, no separate flush.
            assertThat(dsync.fuaWrites()).as(type + " FUA (RWF_DSYNC) writes").isEqualTo(DSYNC_WRITES);
            assertThat(dsync.flushes()).as(type + " flushes").isZero();
            assertCompletedWithTheCaller(type, dsync);
        });
    }

    @Test
    void stoppingTheNvmeBundleUnderIoFailsEveryPendingIoAndItsRestartServesANewMount() throws Exception {
        ServiceTracker<BlockDeviceProvider, BlockDeviceProvider> nvme = osgi.deviceProviders("nvme-like");
        BlockDeviceProvider first = provider(nvme, "nvme-like");
        // A second of service time: the writes are certainly still inside the device when its bundle stops, and
        // the stop ends them at once, so the test does not wait for it.
        BlockDevice device = first.open(DeviceSpec.parse("nvme-like:size=64m,latency=1s"));
        Mount mount = Mount.mount(raw, device, Mount.Options.defaults());
        opened.add(mount);
        String deviceName = device.name();
        OpenFile file = mount.open("/disk", 0);

        try (IoRing ring = IoRing.create(BLOCKS, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer((long) BLOCKS * Blocks.SIZE, Blocks.SIZE);
            for (int i = 0; i < BLOCKS; i++) {
                Blocks.fill(buf, i, 4);
                ring.prepWrite(file, buf, (long) i * Blocks.SIZE, Blocks.SIZE, (long) i * Blocks.SIZE, 0, i);
            }
            assertThat(ring.submit()).isEqualTo(BLOCKS);
            assertThat(jiomapThreadsOf(deviceName)).as("irq threads of " + deviceName)
                    .anyMatch(t -> t.endsWith("-irq"));

            osgi.bundleAt(PluginFramework.NVME_LIKE_JAR).stop();

            List<Long> results = new ArrayList<>();
            await().atMost(BOUND).pollInSameThread().until(() -> {
                ring.poll();
                ring.reap((user, result) -> results.add(result));
                return results.size() == BLOCKS;
            });
            assertThat(results).as("results of the writes in flight at the stop")
                    .allSatisfy(r -> assertThat(r).isIn((long) -Errno.ENODEV, (long) -Errno.EIO));
            assertThat(ring.inFlight()).isZero();
        }
        assertThat(device.isClosed()).as("device of the stopped bundle").isTrue();
        assertThat(nvme.isEmpty()).as("nvme-like provider withdrawn with its bundle").isTrue();
        await().atMost(BOUND).until(() -> jiomapThreadsOf(deviceName).stream().noneMatch(t -> t.endsWith("-irq")));
        mount.close();
        opened.remove(mount);
        await().atMost(BOUND).until(() -> jiomapThreadsOf(deviceName).isEmpty());

        osgi.bundleAt(PluginFramework.NVME_LIKE_JAR).start();
        await().atMost(BOUND).until(() -> nvme.getService() != null);
        BlockDeviceProvider second = nvme.getService();
        assertThat(second).as("provider of the restarted bundle").isNotSameAs(first);
        Mount again = mount(second.open(DeviceSpec.parse("nvme-like:size=64m,queues=2")));
        assertThat(again.fileSystem().typeName()).isEqualTo(raw.name());
        OpenFile fresh = again.open("/disk", 0);
        try (IoRing ring = IoRing.create(BLOCKS, CompletionMode.CALLER)) {
            writeReadAndVerify(ring, again, fresh, "nvme-like after the restart");
        }
    }

    /**
     * Opens a device of {@code type} through its provider service, mounts the raw filesystem on it, checks the data
     * path and the async write completions, then hands the counters of {@link #DSYNC_WRITES} O_DSYNC overwrites
     * to {@code dsyncNature}; unmounts and closes the device, and checks none of its threads is left.
     */
    private void swapIn(String type, String spec, BiConsumer<String, DioCounters> dsyncNature) throws Exception {
        BlockDeviceProvider provider = provider(osgi.deviceProviders(type), type);
        BlockDevice device = provider.open(DeviceSpec.parse(spec));
        String deviceName = device.name();
        try (Mount mount = Mount.mount(raw, device, Mount.Options.defaults());
             IoRing ring = IoRing.create(BLOCKS, CompletionMode.CALLER)) {
            assertThat(mount.fileSystem().typeName()).isEqualTo("raw");

            DioCounters async = writeReadAndVerify(ring, mount, mount.open("/disk", 0), type);
            // Every raw write is a pure overwrite: caller completion, or the submitter if the bio ended first.
            assertThat(async.caller() + async.submitter()).as(type + " write completions").isEqualTo(BLOCKS);
            assertThat(async.workqueue()).as(type + " completions punted to the workqueue").isZero();
            assertThat(async.fuaWrites()).as(type + " FUA writes without O_DSYNC").isZero();

            OpenFile dsyncFile = mount.open("/disk", OpenFile.DSYNC);
            DioCounters before = mount.counters();
            MemorySegment buf = ring.allocateBuffer((long) DSYNC_WRITES * Blocks.SIZE, Blocks.SIZE);
            for (int i = 0; i < DSYNC_WRITES; i++) {
                Blocks.fill(buf, i, 8);
                assertThat(ring.prepWrite(dsyncFile, buf, (long) i * Blocks.SIZE, Blocks.SIZE,
                        (long) (BLOCKS + i) * Blocks.SIZE, 0, i)).isTrue();
            }
            assertThat(ring.submitAndWait(DSYNC_WRITES)).isEqualTo(DSYNC_WRITES);
            assertThat(DirectIoThroughPluginsIT.reapAll(ring)).as(type + " O_DSYNC write results")
                    .containsOnly((long) Blocks.SIZE).hasSize(DSYNC_WRITES);
            DioCounters dsync = mount.counters().minus(before);
            assertThat(dsync.dataBios()).as(type + " data bios of the O_DSYNC writes").isEqualTo(DSYNC_WRITES);
            assertThat(dsync.completions()).as(type + " O_DSYNC write completions").isEqualTo(DSYNC_WRITES);
            dsyncNature.accept(type, dsync);

            MemorySegment check = ring.allocateBuffer((long) DSYNC_WRITES * Blocks.SIZE, Blocks.SIZE);
            assertThat(dsyncFile.pread(check, 0, check.byteSize(), (long) BLOCKS * Blocks.SIZE))
                    .isEqualTo(check.byteSize());
            assertThat(Blocks.same(buf, check, DSYNC_WRITES)).as(type + " O_DSYNC writes read back").isTrue();
        } finally {
            device.close();
        }
        assertThat(device.isClosed()).isTrue();
        await().atMost(BOUND).until(() -> jiomapThreadsOf(deviceName).isEmpty());
    }

    /**
     * Asynchronous writes, then reads of them in another order, through {@code ring}; the data must match. Returns
     * the counters of the writes alone (a read that ends before its submitter lets go counts as a completion too).
     */
    private static DioCounters writeReadAndVerify(IoRing ring, Mount mount, OpenFile file, String what) {
        DioCounters before = mount.counters();
        MemorySegment written = ring.allocateBuffer((long) BLOCKS * Blocks.SIZE, Blocks.SIZE);
        MemorySegment read = ring.allocateBuffer((long) BLOCKS * Blocks.SIZE, Blocks.SIZE);
        for (int i = 0; i < BLOCKS; i++) {
            Blocks.fill(written, i, what.hashCode());
            assertThat(ring.prepWrite(file, written, (long) i * Blocks.SIZE, Blocks.SIZE,
                    (long) (BLOCKS - 1 - i) * Blocks.SIZE, 0, i)).isTrue();
        }
        assertThat(ring.submitAndWait(BLOCKS)).isEqualTo(BLOCKS);
        assertThat(DirectIoThroughPluginsIT.reapAll(ring)).as(what + " write results")
                .containsOnly((long) Blocks.SIZE).hasSize(BLOCKS);
        DioCounters writes = mount.counters().minus(before);
        for (int i = 0; i < BLOCKS; i++) {
            assertThat(ring.prepRead(file, read, (long) (BLOCKS - 1 - i) * Blocks.SIZE, Blocks.SIZE,
                    (long) i * Blocks.SIZE, 0, i)).isTrue();
        }
        assertThat(ring.submitAndWait(BLOCKS)).isEqualTo(BLOCKS);
        assertThat(DirectIoThroughPluginsIT.reapAll(ring)).as(what + " read results")
                .containsOnly((long) Blocks.SIZE).hasSize(BLOCKS);
        assertThat(Blocks.same(written, read, BLOCKS)).as(what + ": blocks read back equal blocks written").isTrue();
        return writes;
    }

    /**
     * A write cache with FUA or none: the O_DSYNC overwrite keeps caller completion (docs/dio-contract.md, "Row 6"); it
     * completes in the submitter instead when its bio ended before the submitter let go.
     */
    private static void assertCompletedWithTheCaller(String type, DioCounters dsync) {
        assertThat(dsync.caller() + dsync.submitter()).as(type + " caller + submitter completions")
                .isEqualTo(DSYNC_WRITES);
        assertThat(dsync.workqueue()).as(type + " completions punted to the workqueue").isZero();
    }

    private Mount mount(BlockDevice device) throws Exception {
        opened.add(device);
        Mount m = Mount.mount(raw, device, Mount.Options.defaults());
        opened.add(m);
        return m;
    }

    private static BlockDeviceProvider provider(ServiceTracker<BlockDeviceProvider, BlockDeviceProvider> tracker,
                                                String type) throws InterruptedException {
        BlockDeviceProvider p = tracker.waitForService(BOUND.toMillis());
        assertThat(p).as(type + " device provider service").isNotNull();
        assertThat(p.type()).isEqualTo(type);
        return p;
    }

    /** Live {@code jiomap-...} threads of the device (irq, ring, io) or of its mount (workqueue). */
    private static List<String> jiomapThreadsOf(String deviceName) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("jiomap-") && n.contains(deviceName + "-"))
                .toList();
    }
}
