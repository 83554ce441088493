package io.jiomap.fs.ext4like;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.device.memory.MemoryDeviceProvider;
import io.jiomap.device.nvme.NvmeLikeProvider;
import io.jiomap.device.sata.SataLikeProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/** A device with an ext4-like filesystem for a test: mkfs, mount, remount, fsck, patterned I/O. */
final class Ext4Env implements AutoCloseable {
    static final Ext4LikeFileSystemType TYPE = new Ext4LikeFileSystemType();

    final BlockDevice device;
    final Arena arena = Arena.ofShared();
    Mount mount;

    private Ext4Env(BlockDevice device) {
        this.device = device;
    }

    /** A memory device ({@code memory:size=...,...}, options appended) with a fresh filesystem, mounted. */
    static Ext4Env memory(String deviceOptions, Map<String, String> mkfs) throws JiomapException {
        return on(new MemoryDeviceProvider().open(DeviceSpec.parse("memory:" + deviceOptions)), mkfs);
    }

    static Ext4Env nvme(String deviceOptions, Map<String, String> mkfs) throws JiomapException {
        return on(new NvmeLikeProvider().open(DeviceSpec.parse(NvmeLikeProvider.TYPE + ":" + deviceOptions)), mkfs);
    }

    static Ext4Env sata(String deviceOptions, Map<String, String> mkfs) throws JiomapException {
        return on(new SataLikeProvider().open(DeviceSpec.parse(SataLikeProvider.TYPE + ":" + deviceOptions)), mkfs);
    }

    static Ext4Env on(BlockDevice device, Map<String, String> mkfs) throws JiomapException {
        Ext4Env env = new Ext4Env(device);
        Mount.mkfs(TYPE, device, mkfs);
        env.mount();
        return env;
    }

    Mount mount() throws JiomapException {
        mount = Mount.mount(TYPE, device, Mount.Options.defaults());
        return mount;
    }

    void unmount() throws JiomapException {
        if (mount != null) {
            mount.close();
            mount = null;
        }
    }

    Mount remount() throws JiomapException {
        unmount();
        return mount();
    }

    FsckReport fsck() throws JiomapException {
        return TYPE.fsck(device, Map.of());
    }

    OpenFile open(String path) throws JiomapException {
        return mount.open(path, OpenFile.CREATE);
    }

    MemorySegment pattern(long length, long seed) {
        MemorySegment b = arena.allocate(length, 4096);
        for (long i = 0; i < length; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (seed * 31 + i * 7 + (i >>> 9)));
        }
        return b;
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    long write(OpenFile f, long pos, long length, long seed) throws JiomapException {
        return f.pwrite(pattern(length, seed), 0, length, pos);
    }

    byte[] read(OpenFile f, long pos, int length) throws JiomapException {
        MemorySegment b = arena.allocate(length, 4096);
        long n = f.pread(b, 0, length, pos);
        return b.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() throws JiomapException {
        try {
            unmount();
        } finally {
            device.close();
            arena.close();
        }
    }
}
