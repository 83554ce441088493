package io.jiomap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.core.OpenFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/** A device type that needs a path (the file device) runs over a fresh image file, which goes away afterwards. */
class ImageFileDeviceTest {
    @JiomapTest(fs = {"raw", "scripted"}, devices = "file", size = "8m")
    void aFileDeviceGetsAFreshImageOfItsOwn(JiomapRig rig, OpenFile file) throws Exception {
        Path images = Path.of(System.getProperty(FreshDevices.DIR_PROPERTY));
        try (var dirs = Files.list(images)) {
            assertThat(dirs.filter(d -> d.getFileName().toString().startsWith("jiomap-testkit-")))
                    .as("the rig's image directory").isNotEmpty();
        }
        MemorySegment buffer = Bytes.fill(rig.buffer(4096), 0x6e);
        assertThat(file.pwrite(buffer, 0, 4096, 8192)).isEqualTo(4096);
        MemorySegment back = rig.buffer(4096);
        assertThat(file.pread(back, 0, 4096, 8192)).isEqualTo(4096);
        assertThat(Bytes.firstOther(back, 4096, 0x6e)).isEqualTo(-1);
        assertThat(rig.device().capabilities().capacityBytes()).isEqualTo(8 << 20);
    }
}
