package io.jiomap.device.toolkit.crash;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A live device used as a base image: only ever read. Reads go through a bounce buffer from a shared arena, because
 * the caller's memory may be confined to its thread while the device completes on its own.
 */
final class DeviceBase implements BaseImage {
    private final BlockDevice device;
    private final int unit;
    private MemorySegment bounce;

    DeviceBase(BlockDevice device) {
        this.device = device;
        this.unit = Math.min(device.capabilities().maxTransferBytes(), 1 << 20);
    }

    @Override
    public long capacity() {
        return device.capabilities().capacityBytes();
    }

    @Override
    public int logicalBlockSize() {
        return device.capabilities().logicalBlockSize();
    }

    @Override
    public synchronized int read(long address, MemorySegment dst, long dstOffset, int length) {
        if (bounce == null) {
            bounce = Arena.ofAuto().allocate(unit, Math.max(4096, device.capabilities().dmaAlignment()));
        }
        for (int done = 0; done < length; ) {
            int n = Math.min(unit, length - done);
            int result = SyncBio.read(device, address + done, bounce, 0, n);
            if (result != 0) {
                return result;
            }
            MemorySegment.copy(bounce, 0, dst, dstOffset + done, n);
            done += n;
        }
        return 0;
    }
}
