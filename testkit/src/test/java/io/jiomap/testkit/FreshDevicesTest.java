package io.jiomap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.block.SyncBio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A device type that needs a path gets a fresh image file in a temporary directory, deleted afterwards. */
class FreshDevicesTest {
    /** A device type that refuses to open without {@code path}, as the file device does; it opens memory. */
    private static final class NeedsAPath implements BlockDeviceProvider {
        final List<Path> paths = new ArrayList<>();

        @Override
        public String type() {
            return "needs-path";
        }

        @Override
        public String description() {
            return "a device over an image file";
        }

        @Override
        public Map<String, String> options() {
            return Map.of("path", "the image (required)", "size", "bytes");
        }

        @Override
        public BlockDevice open(DeviceSpec spec) throws JiomapException {
            String path = spec.options().get("path");
            if (path == null) {
                throw new JiomapException(Errno.EINVAL, "needs-path: option path is required");
            }
            paths.add(Path.of(path));
            try {
                Files.write(Path.of(path), new byte[0]);
            } catch (IOException e) {
                throw new JiomapException(Errno.EIO, "cannot create " + path, e);
            }
            return Installed.deviceProvider("memory").open(DeviceSpec.parse("memory:size=" + spec.options()
                    .get("size")));
        }
    }

    @Test
    void aTypeThatNeedsAPathGetsAnImageInATemporaryDirectoryRemovedOnClose() throws Exception {
        NeedsAPath provider = new NeedsAPath();
        Path image;
        try (FreshDevices devices = new FreshDevices(provider, Map.of("size", "1m"))) {
            BlockDevice first = devices.open();
            BlockDevice second = devices.open();
            assertThat(provider.paths).hasSize(2).doesNotHaveDuplicates().allSatisfy(p -> assertThat(p).exists());
            assertThat(SyncBio.flush(first)).isZero();
            image = provider.paths.getFirst();
            first.close();
            second.close();
        }
        assertThat(image).doesNotExist();
        assertThat(image.getParent()).doesNotExist();
    }

    @Test
    void aTypeThatNeedsNoPathIsNeverGivenOne() throws Exception {
        try (FreshDevices devices = new FreshDevices(Installed.deviceProvider("memory"), Map.of("size", "1m"));
             BlockDevice device = devices.open()) {
            assertThat(device.capabilities().capacityBytes()).isEqualTo(1 << 20);
        }
    }
}
