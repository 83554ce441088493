package io.jiomap.fs.xfslike.format;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Synchronous metadata I/O in whole blocks (off the data path: allocation per call is fine here). */
public final class Disk {
    private final BlockDevice device;
    private final int blockSize;

    public Disk(BlockDevice device, int blockSize) {
        this.device = device;
        this.blockSize = blockSize;
    }

    public BlockDevice device() {
        return device;
    }

    public int blockSize() {
        return blockSize;
    }

    /** Reads {@code bytes} at device byte {@code address}, in pieces no larger than the device's max transfer. */
    public byte[] readBytes(long address, int bytes) throws JiomapException {
        int max = device.capabilities().maxTransferBytes();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(bytes, 4096);
            for (int done = 0; done < bytes; ) {
                int n = Math.min(max, bytes - done);
                int r = SyncBio.read(device, address + done, seg, done, n);
                if (r < 0) {
                    throw new JiomapException(-r, "reading " + n + " bytes at " + (address + done) + " of "
                            + device.name() + ": " + SyncBio.describe(r));
                }
                done += n;
            }
            return seg.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    public byte[] read(long block, int count) throws JiomapException {
        return readBytes(block * blockSize, count * blockSize);
    }

    /**
     * Writes {@code data} (a multiple of the logical block size) at device byte {@code address}, split at the
     * device's max transfer and issued one after the other: PREFLUSH goes on the first piece; FUA goes on the last,
     * with a PREFLUSH of its own when earlier pieces exist, so that the whole write is stable when it returns.
     */
    public void writeBytes(long address, byte[] data, int offset, int length, int bioFlags) throws JiomapException {
        int max = device.capabilities().maxTransferBytes();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(length, 4096);
            MemorySegment.copy(data, offset, seg, ValueLayout.JAVA_BYTE, 0, length);
            for (int done = 0; done < length; ) {
                int n = Math.min(max, length - done);
                boolean first = done == 0;
                boolean last = done + n == length;
                int flags = (first ? bioFlags & Bio.PREFLUSH : 0);
                if (last && (bioFlags & Bio.FUA) != 0) {
                    flags |= Bio.FUA | (first ? 0 : Bio.PREFLUSH);
                }
                int r = SyncBio.write(device, address + done, seg, done, n, flags);
                if (r < 0) {
                    throw new JiomapException(-r, "writing " + n + " bytes at " + (address + done) + " of "
                            + device.name() + ": " + SyncBio.describe(r));
                }
                done += n;
            }
        }
    }

    public void write(long block, byte[] data, int bioFlags) throws JiomapException {
        writeBytes(block * blockSize, data, 0, data.length, bioFlags);
    }

    public void flush() throws JiomapException {
        int r = SyncBio.flush(device);
        if (r < 0) {
            throw new JiomapException(-r, "flushing " + device.name() + ": " + SyncBio.describe(r));
        }
    }

    /** Zeroes {@code count} blocks from {@code block}, in chunks. */
    public void zero(long block, long count) throws JiomapException {
        int chunk = (int) Math.min(count, Math.max(1, (1 << 20) / blockSize));
        byte[] zeros = new byte[chunk * blockSize];
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(chunk, count - done);
            writeBytes((block + done) * blockSize, zeros, 0, n * blockSize, 0);
            done += n;
        }
    }
}
