package io.jiomap.fs.xfslike.mount;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.format.Superblock;
import java.nio.ByteBuffer;

/** Reads and writes the superblock at the start of an allocation group (FORMAT.md, "Superblock"). */
public final class Superblocks {
    private Superblocks() {
    }

    /** Bytes a superblock write takes on {@code device}: the record, rounded up to the logical block size. */
    public static int bytes(BlockDevice device) {
        return Math.max(Superblock.SIZE, device.capabilities().logicalBlockSize());
    }

    /** The primary superblock (block 0); EUCLEAN when it is damaged, EINVAL when it is not an xfs-like one. */
    public static Superblock read(BlockDevice device) throws JiomapException {
        int n = bytes(device);
        Disk raw = new Disk(device, n);
        byte[] bytes = raw.readBytes(0, n);
        return Superblock.decode(ByteBuffer.wrap(bytes), "block 0 of " + device.name(),
                device.capabilities().capacityBytes(), device.capabilities().logicalBlockSize());
    }

    /** Writes {@code sb} at filesystem block {@code block} with the bio flags {@code flags}. */
    static void write(Disk disk, Superblock sb, long block, int flags) throws JiomapException {
        int n = bytes(disk.device());
        ByteBuffer b = sb.encode(n);
        disk.writeBytes(block * sb.geometry().blockSize(), b.array(), 0, n, flags);
    }
}
