package io.jiomap.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.util.tracker.ServiceTracker;

/** Replacing the filesystem plugin while the framework runs: the tracker follows, and the new one mounts. */
class FileSystemSwapIT {
    private static final Duration BOUND = Duration.ofSeconds(10);

    private PluginFramework osgi;
    private ServiceTracker<FileSystemType, FileSystemType> fileSystems;
    private FileSystemType original;

    @BeforeEach
    void boot() throws Exception {
        osgi = PluginFramework.start(PluginFramework.bundleDirectoryFromBuild(), System.err);
        fileSystems = osgi.fileSystemTypes();
        original = fileSystems.waitForService(BOUND.toMillis());
        assertThat(original).as("raw filesystem type service").isNotNull();
    }

    @AfterEach
    void shutDown() {
        osgi.close();
    }

    @Test
    void reinstallingTheRawBundleSwitchesTheTrackerToTheNewServiceObject() throws Exception {
        Bundle old = osgi.bundleAt(PluginFramework.RAW_JAR);
        old.stop();
        assertThat(fileSystems.isEmpty()).as("service withdrawn when its bundle stops").isTrue();
        old.uninstall();

        Bundle fresh = osgi.installAndStart(PluginFramework.RAW_JAR);

        FileSystemType replacement = awaitReplacement();
        assertThat(fresh.getBundleId()).isNotEqualTo(old.getBundleId());
        assertThat(fileSystems.getServiceReference().getBundle()).isEqualTo(fresh);
        assertMountsAndServesIo(replacement);
    }

    @Test
    void updatingTheRawBundleSwitchesTheTrackerToTheNewServiceObject() throws Exception {
        Bundle raw = osgi.bundleAt(PluginFramework.RAW_JAR);

        try (InputStream jar = Files.newInputStream(osgi.bundleDirectory().resolve(PluginFramework.RAW_JAR))) {
            raw.update(jar);
        }

        FileSystemType replacement = awaitReplacement();
        assertThat(raw.getState()).isEqualTo(Bundle.ACTIVE);
        assertMountsAndServesIo(replacement);
    }

    /** The tracked service once it is another object than the original, loaded by the new bundle revision. */
    private FileSystemType awaitReplacement() {
        await().atMost(BOUND).until(() -> {
            FileSystemType current = fileSystems.getService();
            return current != null && current != original;
        });
        FileSystemType replacement = fileSystems.getService();
        assertThat(replacement.name()).isEqualTo("raw");
        assertThat(replacement.getClass()).as("class of the new revision").isNotSameAs(original.getClass());
        assertThat(replacement.getClass().getClassLoader()).isNotSameAs(original.getClass().getClassLoader());
        return replacement;
    }

    private void assertMountsAndServesIo(FileSystemType type) throws Exception {
        BlockDeviceProvider memory = osgi.deviceProviders().waitForService(BOUND.toMillis());
        assertThat(memory).as("memory device provider service").isNotNull();
        BlockDevice device = memory.open(DeviceSpec.parse("memory:size=4m,lbs=4096"));
        try (Mount mount = Mount.mount(type, device, Mount.Options.defaults()); Arena arena = Arena.ofShared()) {
            OpenFile file = mount.open("/memory", 0);
            MemorySegment written = arena.allocate(Blocks.SIZE, Blocks.SIZE);
            MemorySegment read = arena.allocate(Blocks.SIZE, Blocks.SIZE);
            Blocks.fill(written, 0, 9);
            assertThat(file.pwrite(written, 0, Blocks.SIZE, 8192)).isEqualTo(Blocks.SIZE);
            assertThat(file.pread(read, 0, Blocks.SIZE, 8192)).isEqualTo(Blocks.SIZE);
            assertThat(Blocks.same(written, read, 1)).isTrue();
            assertThat(mount.fileSystem().typeName()).isEqualTo("raw");
        } finally {
            device.close();
        }
    }
}
