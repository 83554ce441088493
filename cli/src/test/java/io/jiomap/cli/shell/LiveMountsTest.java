package io.jiomap.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.cli.CliRun;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.fs.MountContext;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.cli.format.FormatPolicy;
import io.jiomap.cli.format.Images;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.plugin.Storage;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveMountsTest {
    /** Where the format notes go when a test does not look at them. */
    private static final Consumer<String> QUIET = line -> { };

    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    private final Plugins plugins = CliRun.plugins();
    private final LiveMounts mounts = new LiveMounts(plugins);

    @AfterEach
    void closeAll() {
        mounts.close();
    }

    @Test
    void mountsByNameAndListsDeviceFilesystemAndWorkqueueWorkers() throws Exception {
        mounts.mount("m0", "memory:size=8m", "raw", 2, FormatPolicy.NEVER, QUIET);

        assertThat(mounts.list()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("m0");
            assertThat(r.mounted()).isTrue();
            assertThat(r.deviceSpec()).isEqualTo("memory:size=8m");
            assertThat(r.deviceName()).startsWith("memory");
            assertThat(r.fsSpec()).isEqualTo("raw");
            assertThat(r.workqueueWorkers()).isEqualTo(2);
            assertThat(r.downReason()).isNull();
        });
        assertThat(mounts.counters("m0").completions()).isZero();
    }

    @Test
    void makingAFreshFilesystemForAMountPassesTheMkfsOptionsItsTypeDerivesFromTheMountOptions() throws Exception {
        FileSystemType raw = plugins.fileSystemType("raw");
        List<Map<String, String>> made = new ArrayList<>();
        FileSystemType wrapper = new FileSystemType() {
            @Override
            public String name() {
                return "wrapper";
            }

            @Override
            public String description() {
                return "raw, with an option mkfs must see";
            }

            @Override
            public void mkfs(BlockDevice device, Map<String, String> options) throws JiomapException {
                made.add(options);
                raw.mkfs(device, Map.of());
            }

            @Override
            public Map<String, String> mkfsOptionsFor(Map<String, String> mountOptions) {
                return Map.of("over", mountOptions.get("over"));
            }

            @Override
            public FileSystem mount(BlockDevice device, MountContext context) throws JiomapException {
                return raw.mount(device, new MountContext() {
                    @Override
                    public DirectIoEngine directIo() {
                        return context.directIo();
                    }

                    @Override
                    public Map<String, String> options() {
                        return Map.of();
                    }
                });
            }

            @Override
            public boolean probe(BlockDevice device) {
                return false;
            }

            @Override
            public FsckReport fsck(BlockDevice device, Map<String, String> options) throws JiomapException {
                return raw.fsck(device, options);
            }
        };
        Plugins withWrapper = new Plugins() {
            @Override
            public List<BlockDeviceProvider> deviceProviders() {
                return plugins.deviceProviders();
            }

            @Override
            public List<FileSystemType> fileSystemTypes() {
                List<FileSystemType> all = new ArrayList<>(plugins.fileSystemTypes());
                all.add(wrapper);
                return all;
            }
        };
        try (LiveMounts live = new LiveMounts(withWrapper)) {
            live.mount("w", "memory:size=8m", "wrapper:over=raw,fail-begin=5", 1, FormatPolicy.ALWAYS, QUIET);
            assertThat(live.list()).singleElement().satisfies(r -> assertThat(r.mounted()).isTrue());
        }
        try (Storage storage = Storage.open(withWrapper, "memory:size=8m", "wrapper:over=raw,delay=1ms", 1,
                FormatPolicy.ALWAYS, QUIET)) {
            assertThat(storage.mount().fileSystem()).isNotNull();
        }
        assertThat(made).as("mkfs options of the shell's mount, then of bench/fio's storage")
                .containsExactly(Map.of("over", "raw"), Map.of("over", "raw"));
    }

    @Test
    void refusesANameInUseAndAnUnknownTypeSayingWhich() throws Exception {
        mounts.mount("m0", "memory:size=8m", "raw", 1, FormatPolicy.NEVER, QUIET);

        assertThatThrownBy(() -> mounts.mount("m0", "memory:size=8m", "raw", 1, FormatPolicy.NEVER, QUIET))
                .isInstanceOf(JiomapException.class).hasMessageContaining("EEXIST", "'m0' exists");
        assertThatThrownBy(() -> mounts.mount("m1", "memory:size=8m", "nofs", 1, FormatPolicy.NEVER, QUIET))
                .hasMessageContaining("ENODEV", "unknown filesystem type 'nofs'", "raw");
        assertThatThrownBy(() -> mounts.counters("m9")).hasMessageContaining("ENOENT", "no mount named 'm9'", "m0");
        assertThat(mounts.list()).extracting(LiveMounts.Row::name).containsExactly("m0");
    }

    @Test
    void aDepartingFilesystemTypeDrainsTheWritesInFlightAndTheRemountSeesThemOnTheSameDevice() throws Exception {
        // A tenth of a second per write: all eight are still inside the device when the type goes.
        mounts.mount("m0", "memory:size=8m,lbs=4096,completion=delay,delay=100ms", "raw", 1, FormatPolicy.NEVER, QUIET);
        OpenFile file = mounts.mounted("m0").open("/disk", 0);
        try (IoRing ring = IoRing.create(8, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(8L * BLOCK, BLOCK);
            for (int i = 0; i < 8; i++) {
                buf.asSlice((long) i * BLOCK, BLOCK).fill((byte) (i + 1));
                ring.prepWrite(file, buf, (long) i * BLOCK, BLOCK, (long) i * BLOCK, 0, i);
            }
            assertThat(ring.submit()).isEqualTo(8);

            mounts.fileSystemTypeWithdrawn(plugins.fileSystemType("raw"), "test bundle stopping");

            // Every write ended when the unmount returned; a CQE can trail its inode_dio_end by a moment (the kernel
            // also posts it after the drain count drops), so the ring's owner polls for the last ones.
            await().atMost(Duration.ofSeconds(5)).pollInSameThread().until(() -> {
                ring.poll();
                return ring.cqReady() == 8;
            });
            List<Long> results = new ArrayList<>();
            ring.reap((user, result) -> results.add(result));
            assertThat(results).as("writes drained by the unmount").containsOnly((long) BLOCK).hasSize(8);
        }
        LiveMounts.Row down = mounts.list().getFirst();
        assertThat(down.mounted()).isFalse();
        assertThat(down.downReason()).contains("filesystem type 'raw' withdrawn (test bundle stopping)",
                "unmounted cleanly", "device kept open", "jiomap:remount m0");
        assertThatThrownBy(() -> mounts.counters("m0")).hasMessageContaining("ENODEV", "'m0' is down");

        mounts.remount("m0");

        try (Arena arena = Arena.ofShared()) {
            MemorySegment back = arena.allocate(8L * BLOCK, BLOCK);
            mounts.mounted("m0").open("/disk", 0).pread(back, 0, back.byteSize(), 0);
            for (int i = 0; i < 8; i++) {
                assertThat(back.get(ValueLayout.JAVA_BYTE, (long) i * BLOCK + 17))
                        .as("block %d after the remount", i).isEqualTo((byte) (i + 1));
            }
        }
    }

    @Test
    void aDepartingDeviceTypeUnmountsClosesTheDeviceAndTheRemountOpensANewOne() throws Exception {
        mounts.mount("m0", "memory:size=8m", "raw", 1, FormatPolicy.NEVER, QUIET);
        BlockDevice device = mounts.mounted("m0").device();
        OpenFile file = mounts.mounted("m0").open("/disk", 0);

        mounts.deviceProviderWithdrawn(plugins.deviceProvider("memory"), "memory bundle stopping");

        assertThat(device.isClosed()).isTrue();
        assertThat(mounts.list().getFirst().downReason()).contains("device type 'memory' withdrawn",
                "unmounted cleanly", "device closed", "reopens memory:size=8m");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(BLOCK, BLOCK);
            assertThatThrownBy(() -> file.pwrite(buf, 0, BLOCK, 0)).isInstanceOf(JiomapException.class)
                    .satisfies(e -> assertThat(((JiomapException) e).errno()).isEqualTo(Errno.ESHUTDOWN));
        }

        mounts.remount("m0");

        Mount again = mounts.mounted("m0");
        assertThat(again.device()).isNotSameAs(device);
        assertThat(again.device().isClosed()).isFalse();
    }

    @Test
    void aDeviceWithoutAnImageThatLeftWarnsItsDataMayBeGoneAndAFailedRemountSaysWhy() throws Exception {
        mounts.mount("m0", "memory:size=8m", "xfs-like", 1, FormatPolicy.ALWAYS, QUIET);

        mounts.deviceProviderWithdrawn(plugins.deviceProvider("memory"), "memory bundle stopping");
        assertThat(mounts.list().getFirst().downReason()).contains("no path=", "the successor starts blank");

        // The successor's memory device is blank: nothing to mount.
        assertThatThrownBy(() -> mounts.remount("m0")).hasMessageContaining("EUCLEAN");
        assertThat(mounts.list().getFirst().downReason()).startsWith("remount failed: EUCLEAN")
                .contains("jiomap:umount m0");
    }

    @Test
    void aDepartingTypeThatNoMountUsesChangesNothing() throws Exception {
        mounts.mount("m0", "memory:size=8m", "raw", 1, FormatPolicy.NEVER, QUIET);

        mounts.deviceProviderWithdrawn(new Object(), "someone else's provider");
        mounts.fileSystemTypeWithdrawn(new Object(), "someone else's type");

        assertThat(mounts.list().getFirst().mounted()).isTrue();
    }

    @Test
    void remountRefusesAMountThatIsUpAndUmountForgetsADownOne() throws Exception {
        mounts.mount("m0", "memory:size=8m", "raw", 1, FormatPolicy.NEVER, QUIET);
        assertThatThrownBy(() -> mounts.remount("m0")).hasMessageContaining("EBUSY", "'m0' is mounted");

        mounts.deviceProviderWithdrawn(plugins.deviceProvider("memory"), "gone");
        mounts.umount("m0");

        assertThat(mounts.list()).isEmpty();
    }

    @Test
    void closingTheSessionUnmountsEverythingAndClosesTheDevices() throws Exception {
        mounts.mount("a", "memory:size=8m", "raw", 1, FormatPolicy.NEVER, QUIET);
        mounts.mount("b", "memory:size=8m", "raw", 1, FormatPolicy.ALWAYS, QUIET);
        List<BlockDevice> devices = List.of(mounts.mounted("a").device(), mounts.mounted("b").device());

        mounts.close();

        assertThat(devices).allSatisfy(d -> assertThat(d.isClosed()).isTrue());
        assertThat(mounts.list()).isEmpty();
    }

    @Test
    void aMountFormatsABlankDeviceMountsAnImageHoldingItsTypeAndRefusesAnotherType() throws Exception {
        Path image = dir.resolve("shell.img");
        Images.mkfs(image, "ext4-like", "64m");
        Images.writeFile(image, "ext4-like", "/keep", (byte) 0x77);
        List<String> notes = new ArrayList<>();

        mounts.mount("blank", "memory:size=64m", "xfs-like", 1, FormatPolicy.IF_BLANK, notes::add);
        assertThat(notes).as("a blank device is formatted without a word").isEmpty();
        assertThatThrownBy(() -> mounts.mount("wrong", "file:path=" + image, "xfs-like", 1, FormatPolicy.IF_BLANK,
                notes::add)).hasMessageContaining("EEXIST", "holds an ext4-like filesystem (64m)",
                "it mounts as ext4-like", "--mkfs=1 wipes it");
        mounts.mount("kept", "file:path=" + image, "ext4-like", 1, FormatPolicy.IF_BLANK, notes::add);
        mounts.umount("kept");

        assertThat(notes).singleElement().asString().startsWith("file:path=" + image + " holds an ext4-like"
                + " filesystem").endsWith("mounting it as it is (--mkfs=1 formats it afresh)");
        assertThat(mounts.list()).extracting(LiveMounts.Row::name).containsExactly("blank");
        Images.assertFileHolds(image, "ext4-like", "/keep", (byte) 0x77);
    }
}
