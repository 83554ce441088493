package io.jiomap.fs.ext4like.disk;

/** One 64-byte group descriptor (FORMAT.md section 3): where the group's tables are, its free counts, checksums. */
public final class GroupDesc {
    public long blockBitmap;
    public long inodeBitmap;
    public long inodeTable;
    public long freeBlocks;
    public long freeInodes;
    public long usedDirs;
    public int blockBitmapCsum;
    public int inodeBitmapCsum;

    public void encode(int group, byte[] b, int off) {
        java.util.Arrays.fill(b, off, off + Superblock.DESC_SIZE, (byte) 0);
        Bytes.u32(b, off, blockBitmap);
        Bytes.u32(b, off + 4, inodeBitmap);
        Bytes.u32(b, off + 8, inodeTable);
        Bytes.u32(b, off + 12, freeBlocks);
        Bytes.u32(b, off + 16, freeInodes);
        Bytes.u32(b, off + 20, usedDirs);
        Bytes.u32(b, off + 24, blockBitmapCsum & 0xFFFFFFFFL);
        Bytes.u32(b, off + 28, inodeBitmapCsum & 0xFFFFFFFFL);
        Bytes.u32(b, off + 60, checksum(group, b, off));
    }

    public static long checksum(int group, byte[] b, int off) {
        return Bytes.crc(group, b, off, 60) & 0xFFFFFFFFL;
    }

    public static long storedChecksum(byte[] b, int off) {
        return Bytes.u32(b, off + 60);
    }

    public static GroupDesc decode(byte[] b, int off) {
        GroupDesc d = new GroupDesc();
        d.blockBitmap = Bytes.u32(b, off);
        d.inodeBitmap = Bytes.u32(b, off + 4);
        d.inodeTable = Bytes.u32(b, off + 8);
        d.freeBlocks = Bytes.u32(b, off + 12);
        d.freeInodes = Bytes.u32(b, off + 16);
        d.usedDirs = Bytes.u32(b, off + 20);
        d.blockBitmapCsum = (int) Bytes.u32(b, off + 24);
        d.inodeBitmapCsum = (int) Bytes.u32(b, off + 28);
        return d;
    }

    /** Bitmap checksum as kept in the descriptor: CRC32C of the bitmap block seeded with the group number. */
    public static int bitmapChecksum(int group, byte[] bitmap) {
        return Bytes.crc(group, bitmap, 0, bitmap.length);
    }

    /**
     * Why this descriptor of group {@code g} cannot be right about where its bitmaps and inode table are (outside the
     * group's blocks), or null: what mount refuses and fsck reports.
     */
    public String misplaced(Superblock sb, int g) {
        long lo = sb.groupFirstBlock(g);
        long hi = lo + sb.groupBlocks(g);
        if (blockBitmap < lo || blockBitmap >= hi || inodeBitmap < lo || inodeBitmap >= hi
                || inodeTable < lo || inodeTable + sb.inodeTableBlocks() > hi) {
            return "bitmaps or inode table lie outside the group's blocks " + lo + ".." + (hi - 1);
        }
        return null;
    }
}
