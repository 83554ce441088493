package io.jiomap.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -o uring}: requests taken as io_uring completions, replies committed as submissions (kernel 6.14+). */
class FuseUringTransportTest {
    @TempDir
    Path dir;
    private String enableUringBefore;

    @BeforeEach
    void rememberEnableUring() throws IOException {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing: no FUSE in this kernel or container");
        assumeTrue(Files.exists(FuseUringTransport.ENABLE_URING), FuseUringTransport.ENABLE_URING
                + " is missing: this kernel has no FUSE over io_uring (Linux 6.14+, CONFIG_FUSE_IO_URING)");
        enableUringBefore = Files.readString(FuseUringTransport.ENABLE_URING).trim();
    }

    @AfterEach
    void restoreEnableUring() throws IOException {
        if (enableUringBefore != null) {
            Files.writeString(FuseUringTransport.ENABLE_URING, enableUringBefore);
        }
    }

    private void setEnableUring(String value) {
        try {
            Files.writeString(FuseUringTransport.ENABLE_URING, value);
        } catch (IOException e) {
            assumeTrue(false, "cannot write " + FuseUringTransport.ENABLE_URING + " (needs root): " + e.getMessage());
        }
    }

    @Test
    void filesWrittenAndReadByProgramsThroughTheMountTravelOnTheRing() throws Exception {
        setEnableUring("Y");
        Path image = dir.resolve("fs.img");
        Path mountpoint = Files.createDirectory(dir.resolve("mnt"));
        Path source = dir.resolve("source");
        run("dd", "if=/dev/urandom", "of=" + source, "bs=1M", "count=4", "status=none");
        FileSystemType xfs = fsType("xfs-like");
        try (BlockDevice device = fileDevice(image)) {
            Mount.mkfs(xfs, device, Map.of());
            Mount mount = Mount.mount(xfs, device, Mount.Options.defaults());
            FuseMount fuse;
            try (FuseMount.Prepared prepared = FuseMount.prepare(mountpoint)) {
                fuse = prepared.mount(mount, image.toString(), FuseOptions.parse(List.of("uring,depth=8")),
                        System.err, false);
            }
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> MountTable.isServedJiomap(mountpoint));
                Path file = mountpoint.resolve("data");
                // Extending direct writes (the synchronous path), then pure overwrites (through the engine ring).
                run("dd", "if=" + source, "of=" + file, "bs=64k", "oflag=direct", "status=none");
                long afterExtend = fuse.uringRequests();
                run("dd", "if=" + source, "of=" + file, "bs=4k", "oflag=direct", "conv=notrunc", "status=none");
                assertThat(fuse.uringRequests() - afterExtend)
                        .as("1024 overwrites of 4 KiB, each one request taken from a ring")
                        .isGreaterThanOrEqualTo(1024);
                run("cmp", source.toString(), file.toString());
                Path copy = dir.resolve("copy");
                run("sh", "-c", "cat " + file + " > " + copy);
                run("cmp", source.toString(), copy.toString());
                run("dd", "if=" + file, "of=" + dir.resolve("direct-copy"), "bs=1M", "iflag=direct", "status=none");
                run("cmp", source.toString(), dir.resolve("direct-copy").toString());
                fuse.unmount();
                assertThat(fuse.awaitUnmounted(30, TimeUnit.SECONDS)).as("every queue ends at unmount").isTrue();
            } finally {
                if (MountTable.isMountpoint(mountpoint)) {
                    MountTable.unmount(mountpoint, true);
                }
                mount.close();
            }
            assertThat(xfs.fsck(device, Map.of()).clean()).isTrue();
        }
    }

    @Test
    void uringIsRefusedNamingTheSwitchWhileTheKernelHasItOff() throws Exception {
        setEnableUring("N");
        Path image = dir.resolve("fs.img");
        Path mountpoint = Files.createDirectory(dir.resolve("mnt"));
        FileSystemType xfs = fsType("xfs-like");
        try (BlockDevice device = fileDevice(image)) {
            Mount.mkfs(xfs, device, Map.of());
            try (Mount mount = Mount.mount(xfs, device, Mount.Options.defaults());
                 FuseMount.Prepared prepared = FuseMount.prepare(mountpoint)) {
                assertThatThrownBy(() -> prepared.mount(mount, image.toString(), FuseOptions.parse(List.of("uring")),
                        System.err, false))
                        .isInstanceOf(JiomapException.class)
                        .hasMessageContaining("/sys/module/fuse/parameters/enable_uring is N")
                        .satisfies(e -> assertThat(((JiomapException) e).errno()).isEqualTo(Errno.EOPNOTSUPP));
            }
            assertThat(MountTable.isMountpoint(mountpoint)).isFalse();
        }
    }

    private static FileSystemType fsType(String name) {
        return ServiceLoader.load(FileSystemType.class).stream().map(ServiceLoader.Provider::get)
                .filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static BlockDevice fileDevice(Path image) throws Exception {
        BlockDeviceProvider files = ServiceLoader.load(BlockDeviceProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.type().equals("file")).findFirst().orElseThrow();
        return files.open(new DeviceSpec("file", Map.of("path", image.toString(), "size", Long.toString(256L << 20))));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
        }
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
