package io.jiomap.fs.xfslike;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.device.memory.MemoryDeviceProvider;
import io.jiomap.device.nvme.NvmeLikeProvider;
import io.jiomap.device.sata.SataLikeProvider;
import io.jiomap.core.Mount;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/** Devices and mounts for the tests. */
final class Devices {
    static final XfsLikeFileSystemType TYPE = new XfsLikeFileSystemType();

    private Devices() {
    }

    static BlockDevice memory(String options) throws JiomapException {
        return new MemoryDeviceProvider().open(DeviceSpec.parse("memory:" + options));
    }

    static BlockDevice memory() throws JiomapException {
        return memory("size=64m,vwc=on,fua=on");
    }

    static BlockDevice nvme(String options) throws JiomapException {
        return new NvmeLikeProvider().open(DeviceSpec.parse("nvme-like:" + options));
    }

    static BlockDevice sata(String options) throws JiomapException {
        return new SataLikeProvider().open(DeviceSpec.parse("sata-like:" + options));
    }

    static Mount mkfsAndMount(BlockDevice device) throws JiomapException {
        return mkfsAndMount(device, Map.of());
    }

    static Mount mkfsAndMount(BlockDevice device, Map<String, String> mkfs) throws JiomapException {
        Mount.mkfs(TYPE, device, mkfs);
        return mount(device);
    }

    static Mount mount(BlockDevice device) throws JiomapException {
        return Mount.mount(TYPE, device, Mount.Options.defaults());
    }

    /** A shared-arena buffer filled with {@code seed}-derived bytes. */
    static MemorySegment pattern(Arena arena, int length, int seed) {
        MemorySegment s = arena.allocate(length, 4096);
        for (int i = 0; i < length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (seed * 31 + i * 7 + (i >>> 9)));
        }
        return s;
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }
}
