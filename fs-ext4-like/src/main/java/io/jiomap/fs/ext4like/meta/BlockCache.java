package io.jiomap.fs.ext4like.meta;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * The in-memory copies of metadata blocks. Metadata is only ever written home by a checkpoint of committed
 * journal copies, so a block here may be newer than its home location; readers that need the device itself use
 * {@link #readRaw}.
 */
public final class BlockCache {
    private final BlockDevice device;
    private final int blockSize;
    private final Map<Long, byte[]> blocks = new HashMap<>();

    public BlockCache(BlockDevice device, int blockSize) {
        this.device = device;
        this.blockSize = blockSize;
    }

    public BlockDevice device() {
        return device;
    }

    public int blockSize() {
        return blockSize;
    }

    /** The cached block, read from the device on first use. */
    public byte[] get(long block) {
        byte[] b = blocks.get(block);
        if (b == null) {
            b = readRaw(block);
            blocks.put(block, b);
        }
        return b;
    }

    /** A zeroed buffer for a block that becomes metadata now (its old content is irrelevant). */
    public byte[] fresh(long block) {
        byte[] b = new byte[blockSize];
        blocks.put(block, b);
        return b;
    }

    /** Drops the cached copy of a block that stopped being metadata. */
    public void forget(long block) {
        blocks.remove(block);
    }

    public byte[] readRaw(long block) {
        return readRaw(device, block, blockSize);
    }

    public static byte[] readRaw(BlockDevice device, long block, int blockSize) {
        byte[] out = new byte[blockSize];
        readRaw(device, block * blockSize, out);
        return out;
    }

    /**
     * Reads {@code out.length} bytes at a byte address. The request is widened to whole logical blocks of the device
     * (the superblock is 1024 bytes at byte 1024, inside the first 4096-byte sector of a 4Kn device, and a bio must
     * be sector-aligned) and split at the device's largest transfer.
     */
    public static void readRaw(BlockDevice device, long address, byte[] out) {
        int lbs = device.capabilities().logicalBlockSize();
        long from = Math.floorDiv(address, lbs) * lbs;
        long to = Math.ceilDiv(address + out.length, (long) lbs) * lbs;
        int length = Math.toIntExact(to - from);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(length, 4096);
            int max = device.capabilities().maxTransferBytes();
            for (int done = 0; done < length; ) {
                int n = Math.min(max, length - done);
                int r = SyncBio.read(device, from + done, seg, done, n);
                if (r < 0) {
                    throw new FsError(-r, "reading " + n + " bytes at byte " + (from + done) + " of "
                            + device.name() + ": " + SyncBio.describe(r));
                }
                done += n;
            }
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, address - from, out, 0, out.length);
        }
    }

    public void writeRaw(long block, byte[] data, int flags) {
        writeRaw(device, block * blockSize, data, flags);
    }

    /** Writes {@code data} at a byte address, split at the device's largest transfer. */
    public static void writeRaw(BlockDevice device, long address, byte[] data, int flags) {
        int max = device.capabilities().maxTransferBytes();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(data.length, 4096);
            MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_BYTE, 0, data.length);
            for (int done = 0; done < data.length; ) {
                int n = Math.min(max, data.length - done);
                int r = SyncBio.write(device, address + done, seg, done, n, flags);
                if (r < 0) {
                    throw new FsError(-r, "writing " + n + " bytes at byte " + (address + done) + " of "
                            + device.name() + ": " + SyncBio.describe(r));
                }
                done += n;
            }
        }
    }

    public void flush() {
        int r = SyncBio.flush(device);
        if (r < 0 && r != -Errno.EOPNOTSUPP) {
            throw new FsError(-r, "flushing " + device.name() + ": " + SyncBio.describe(r));
        }
    }
}
