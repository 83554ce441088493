package io.jiomap.device.toolkit.crash;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * A crash state opened as a device: three layers, read top-down per logical block: blocks written since it was opened
 * (private copies), the crash state's applied writes (shared recorded payloads, indexed by {@link SectorMap}), the
 * base image. Completes every bio inline; a FLUSH has nothing to do, since there is no cache to lose. Bios are
 * checked like a real device checks them (EINVAL, EIO, EFAULT, ENODEV), never thrown at.
 */
final class CrashStateDevice implements BlockDevice {
    private final String name;
    private final WriteHistory history;
    private final BaseImage base;
    private final SectorMap overlay;
    private final DeviceCapabilities capabilities;
    private final int blockSize;
    private final int shift;
    private final long capacity;
    private final Map<Long, byte[]> written = new HashMap<>();
    private volatile boolean closed;

    CrashStateDevice(String name, WriteHistory history, BaseImage base, SectorMap overlay) {
        this.name = name;
        this.history = history;
        this.base = base;
        this.overlay = overlay;
        this.capabilities = history.recording.capabilities();
        this.blockSize = capabilities.logicalBlockSize();
        this.shift = Integer.numberOfTrailingZeros(blockSize);
        this.capacity = capabilities.capacityBytes();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public void submit(Bio bio) {
        bio.complete(execute(bio));
    }

    private synchronized int execute(Bio bio) {
        if (closed) {
            return Errno.ENODEV;
        }
        if (bio.op() == BioOp.FLUSH) {
            return 0;
        }
        if (bio.op() == BioOp.DISCARD) {
            // Its capabilities are the recording's, which has no discard support: a recording holds no discards.
            return Errno.EOPNOTSUPP;
        }
        long address = bio.address();
        int length = bio.length();
        if (length <= 0 || length > capabilities.maxTransferBytes() || ((address | length) & (blockSize - 1)) != 0) {
            return Errno.EINVAL;
        }
        if (address < 0 || address > capacity - length) {
            return Errno.EIO;
        }
        MemorySegment segment = bio.segment();
        long offset = bio.segmentOffset();
        if (offset < 0 || offset > segment.byteSize() - length
                || (bio.op() == BioOp.READ && segment.isReadOnly())) {
            return Errno.EFAULT;
        }
        try {
            return bio.op() == BioOp.READ ? read(address, segment, offset, length) : write(address, segment, offset,
                    length);
        } catch (IllegalStateException | IllegalArgumentException | IndexOutOfBoundsException e) {
            // Memory the bio cannot use (a closed arena, another thread's confined segment): the bio's fault.
            return Errno.EFAULT;
        }
    }

    private int read(long address, MemorySegment dst, long offset, int length) {
        int result = base.read(address, dst, offset, length);
        if (result != 0) {
            return -result;
        }
        long first = address >>> shift;
        int count = length >>> shift;
        for (int i = 0; i < count; i++) {
            long sector = first + i;
            long at = offset + ((long) i << shift);
            byte[] own = written.isEmpty() ? null : written.get(sector);
            if (own != null) {
                MemorySegment.copy(own, 0, dst, ValueLayout.JAVA_BYTE, at, blockSize);
                continue;
            }
            int w = overlay.get(sector);
            if (w >= 0) {
                var write = history.writes[w];
                write.payload().copyTo((int) ((sector << shift) - write.address()), dst, at, blockSize);
            }
        }
        return 0;
    }

    private int write(long address, MemorySegment src, long offset, int length) {
        long first = address >>> shift;
        int count = length >>> shift;
        for (int i = 0; i < count; i++) {
            byte[] block = written.computeIfAbsent(first + i, s -> new byte[blockSize]);
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, offset + ((long) i << shift), block, 0, blockSize);
        }
        return 0;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Drops the blocks written since open; the base and the recording are untouched. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        written.clear();
    }

    @Override
    public String toString() {
        return name + " (" + overlay.size() + " recorded blocks, " + written.size() + " written since open)";
    }
}
