package io.jiomap.fs.xfslike.format;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.device.memory.MemoryDeviceProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import io.jiomap.api.block.SyncBio;

/** In-memory devices holding given bytes, for format tests. */
final class TestDisks {
    private TestDisks() {
    }

    static BlockDevice withContent(byte[] content) throws JiomapException {
        long size = Math.max(1 << 20, (content.length + 4095L) / 4096 * 4096);
        BlockDevice dev = new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=" + size));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(content.length, 4096);
            MemorySegment.copy(content, 0, seg, ValueLayout.JAVA_BYTE, 0, content.length);
            SyncBio.write(dev, 0, seg, 0, content.length, 0);
        }
        return dev;
    }
}
