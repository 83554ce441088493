package io.jiomap.cli.format;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Byte-addressed reads and writes of a device off the I/O path: each request is widened to whole logical blocks
 * (a bio must be aligned) and split at the device's largest transfer.
 */
final class DeviceBytes {
    // Shared arenas: a device may complete the bio, and touch the buffer, on its own thread.
    private DeviceBytes() {
    }

    /** The {@code length} bytes at device byte {@code address}. */
    static byte[] read(BlockDevice device, long address, int length) throws JiomapException {
        int lbs = device.capabilities().logicalBlockSize();
        long from = Math.floorDiv(address, lbs) * lbs;
        long to = Math.ceilDiv(address + length, (long) lbs) * lbs;
        byte[] out = new byte[length];
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(to - from, 4096);
            transfer(device, false, from, seg);
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, address - from, out, 0, length);
        }
        return out;
    }

    /** Writes {@code data} at device byte {@code address} durably (FUA), keeping the rest of the blocks it touches. */
    static void write(BlockDevice device, long address, byte[] data) throws JiomapException {
        int lbs = device.capabilities().logicalBlockSize();
        long from = Math.floorDiv(address, lbs) * lbs;
        long to = Math.ceilDiv(address + data.length, (long) lbs) * lbs;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(to - from, 4096);
            transfer(device, false, from, seg);
            MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_BYTE, address - from, data.length);
            transfer(device, true, from, seg);
        }
    }

    private static void transfer(BlockDevice device, boolean write, long from, MemorySegment seg)
            throws JiomapException {
        int max = device.capabilities().maxTransferBytes();
        for (long done = 0; done < seg.byteSize(); ) {
            int n = (int) Math.min(max, seg.byteSize() - done);
            int r = write ? SyncBio.write(device, from + done, seg, done, n, Bio.FUA)
                    : SyncBio.read(device, from + done, seg, done, n);
            if (r < 0) {
                throw new JiomapException(-r, (write ? "writing " : "reading ") + n + " bytes at byte "
                        + (from + done) + " of " + device.name() + ": " + SyncBio.describe(r));
            }
            done += n;
        }
    }
}
