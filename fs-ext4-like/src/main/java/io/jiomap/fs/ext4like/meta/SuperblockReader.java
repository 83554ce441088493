package io.jiomap.fs.ext4like.meta;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.fs.ext4like.disk.FormatException;
import io.jiomap.fs.ext4like.disk.GroupDesc;
import io.jiomap.fs.ext4like.disk.Superblock;

/** Reads the superblock and the group descriptors of an unmounted device, checked: what mount and fsck start from. */
public final class SuperblockReader {
    private SuperblockReader() {
    }

    /** The primary superblock, checked. */
    public static Superblock readSuperblock(BlockDevice device) throws FormatException {
        byte[] b = new byte[Superblock.SIZE];
        BlockCache.readRaw(device, Superblock.OFFSET, b);
        return Superblock.decode(b, 0, device.capabilities().capacityBytes(), "superblock (byte 1024)");
    }

    /** Every group's descriptor, with its checksum, placement, counts and bitmap checksums checked. */
    public static GroupDesc[] readGroups(BlockDevice device, Superblock sb) throws FormatException {
        int count = sb.groupCount();
        GroupDesc[] out = new GroupDesc[count];
        for (int g = 0; g < count; g++) {
            long block = sb.descriptorBlock(g);
            byte[] b = BlockCache.readRaw(device, block, sb.blockSize);
            int off = sb.descriptorOffset(g);
            String where = "group descriptor " + g + " (block " + block + ")";
            if (GroupDesc.storedChecksum(b, off) != GroupDesc.checksum(g, b, off)) {
                throw new FormatException(where + ": checksum does not match its contents");
            }
            GroupDesc d = GroupDesc.decode(b, off);
            String misplaced = d.misplaced(sb, g);
            if (misplaced != null) {
                throw new FormatException(where + ": " + misplaced);
            }
            if (d.freeBlocks > sb.groupBlocks(g) || d.freeInodes > sb.inodesPerGroup) {
                throw new FormatException(where + ": free counts " + d.freeBlocks + "/" + d.freeInodes
                        + " exceed the group's size");
            }
            byte[] bb = BlockCache.readRaw(device, d.blockBitmap, sb.blockSize);
            if (GroupDesc.bitmapChecksum(g, bb) != d.blockBitmapCsum) {
                throw new FormatException("block bitmap of group " + g + " (block " + d.blockBitmap
                        + "): checksum does not match the one in its descriptor");
            }
            byte[] ib = BlockCache.readRaw(device, d.inodeBitmap, sb.blockSize);
            if (GroupDesc.bitmapChecksum(g, ib) != d.inodeBitmapCsum) {
                throw new FormatException("inode bitmap of group " + g + " (block " + d.inodeBitmap
                        + "): checksum does not match the one in its descriptor");
            }
            out[g] = d;
        }
        return out;
    }
}
