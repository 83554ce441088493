package io.jiomap.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unprivileged path: fusermount3 mounts, hands the /dev/fuse descriptor back, and unmounts. */
class FusermountHelperTest {
    @TempDir
    Path dir;

    @Test
    void aMountThroughFusermount3ServesFilesAndUnmountsThroughItToo() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing: no FUSE in this kernel or container");
        assumeTrue(Fusermount.helper() != null, "fusermount3 is not installed (Debian: fuse3)");
        Path image = dir.resolve("fs.img");
        Path mountpoint = Files.createDirectory(dir.resolve("mnt"));
        BlockDeviceProvider files = ServiceLoader.load(BlockDeviceProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.type().equals("file")).findFirst().orElseThrow();
        FileSystemType xfs = ServiceLoader.load(FileSystemType.class).stream().map(ServiceLoader.Provider::get)
                .filter(t -> t.name().equals("xfs-like")).findFirst().orElseThrow();
        try (BlockDevice device = files.open(new DeviceSpec("file", Map.of("path", image.toString(),
                "size", Long.toString(256L << 20))))) {
            Mount.mkfs(xfs, device, Map.of());
            Mount mount = Mount.mount(xfs, device, Mount.Options.defaults());
            FuseMount fuse;
            try (FuseMount.Prepared prepared = FuseMount.prepare(mountpoint)) {
                fuse = prepared.mount(mount, image.toString(), FuseOptions.parse(List.of()), System.err, true);
            }
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> MountTable.isServedJiomap(mountpoint));
                assertThat(MountTable.sourceAt(mountpoint)).isEqualTo(image.toString());
                Files.writeString(mountpoint.resolve("through-the-helper"), "served");
                assertThat(Files.readString(mountpoint.resolve("through-the-helper"))).isEqualTo("served");
                assertThat(Fusermount.unmount(fuse.mountpoint(), false)).isZero();
                assertThat(fuse.awaitUnmounted(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                if (MountTable.isMountpoint(mountpoint)) {
                    MountTable.unmount(mountpoint, true);
                }
                mount.close();
            }
            assertThat(xfs.fsck(device, Map.of()).clean()).isTrue();
        }
    }
}
