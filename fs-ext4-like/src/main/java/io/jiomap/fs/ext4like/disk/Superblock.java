package io.jiomap.fs.ext4like.disk;

/**
 * The superblock (FORMAT.md section 2): at byte 1024 of the device, copies at the start of every sparse group.
 * Geometry is fixed at mkfs; {@link #lastOrphan} is the head of the orphan list and is journaled with its block.
 */
public final class Superblock {
    public static final int OFFSET = 1024;
    public static final int SIZE = 1024;
    public static final int MAGIC = 0xEF53;
    /** Where {@link #MAGIC} lies in the superblock (a 16-bit field, as in ext4). */
    public static final int MAGIC_OFFSET = 0x38;
    /** Written into every superblock so that a real ext4 image (same magic) is not taken for this format. */
    public static final long SIGNATURE = 0x3445_5041_4D4F_494AL; // "JIOMAPE4" little-endian
    public static final int INODE_SIZE = 256;
    public static final int DESC_SIZE = 64;
    public static final int ROOT_INO = 2;
    public static final int FIRST_INO = 11;
    /** Where the incompatible-feature bits lie (ext4's s_feature_incompat). */
    public static final int INCOMPAT_OFFSET = 0x4C;
    /** Incompatible feature: inodes carry POSIX metadata (owner, times, xattr block), symlinks exist (FORMAT.md 4). */
    public static final long INCOMPAT_POSIX = 0x1;
    /** Every incompatible feature this code understands. */
    public static final long INCOMPAT_KNOWN = INCOMPAT_POSIX;

    public long inodesCount;
    public long blocksCount;
    public long firstDataBlock;
    public int blockSize;
    public long blocksPerGroup;
    public long inodesPerGroup;
    public long journalFirstBlock;
    public long journalBlocks;
    public long lastOrphan;
    public long groupNr;
    public long generation;
    public long featureIncompat = INCOMPAT_POSIX;

    public int groupCount() {
        return (int) ((blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup);
    }

    public int gdtBlocks() {
        return (groupCount() * DESC_SIZE + blockSize - 1) / blockSize;
    }

    public int inodeTableBlocks() {
        return (int) (inodesPerGroup * INODE_SIZE / blockSize);
    }

    public long groupFirstBlock(int g) {
        return firstDataBlock + g * blocksPerGroup;
    }

    public long groupBlocks(int g) {
        return Math.min(blocksPerGroup, blocksCount - groupFirstBlock(g));
    }

    public int groupOf(long block) {
        return (int) ((block - firstDataBlock) / blocksPerGroup);
    }

    /** sparse_super: groups 0, 1 and powers of 3, 5 and 7 hold superblock and descriptor-table backups. */
    public static boolean isSparseGroup(int g) {
        if (g <= 1) {
            return true;
        }
        for (int base : new int[] {3, 5, 7}) {
            long p = base;
            while (p < g) {
                p *= base;
            }
            if (p == g) {
                return true;
            }
        }
        return false;
    }

    /** The block of the primary descriptor table that holds group g's descriptor. */
    public long descriptorBlock(int g) {
        return superblockBlock(0) + 1 + g / (blockSize / DESC_SIZE);
    }

    /** Where group g's descriptor starts within {@link #descriptorBlock}. */
    public int descriptorOffset(int g) {
        return (g % (blockSize / DESC_SIZE)) * DESC_SIZE;
    }

    /** Block of group g's superblock copy (group 0: the block holding byte 1024). */
    public long superblockBlock(int g) {
        return g == 0 ? OFFSET / blockSize : groupFirstBlock(g);
    }

    /** Blocks a group starts with for its superblock copy and descriptor table (0 in non-sparse groups). */
    public int groupOverhead(int g) {
        return isSparseGroup(g) ? 1 + gdtBlocks() : 0;
    }

    /** Byte offset of this superblock copy within its block. */
    public int offsetInBlock(int g) {
        return g == 0 ? OFFSET % blockSize : 0;
    }

    public void encode(byte[] b, int off) {
        java.util.Arrays.fill(b, off, off + SIZE, (byte) 0);
        Bytes.u32(b, off, inodesCount);
        Bytes.u32(b, off + 0x04, blocksCount);
        Bytes.u32(b, off + 0x08, firstDataBlock);
        Bytes.u32(b, off + 0x0C, Integer.numberOfTrailingZeros(blockSize) - 10);
        Bytes.u32(b, off + 0x10, blocksPerGroup);
        Bytes.u32(b, off + 0x14, inodesPerGroup);
        Bytes.u32(b, off + 0x18, INODE_SIZE);
        Bytes.u32(b, off + 0x1C, FIRST_INO);
        Bytes.u32(b, off + 0x20, journalFirstBlock);
        Bytes.u32(b, off + 0x24, journalBlocks);
        Bytes.u32(b, off + 0x28, lastOrphan);
        Bytes.u32(b, off + 0x30, groupNr);
        Bytes.u16(b, off + MAGIC_OFFSET, MAGIC);
        Bytes.u32(b, off + 0x3C, generation);
        Bytes.u64(b, off + 0x40, SIGNATURE);
        Bytes.u32(b, off + 0x48, DESC_SIZE);
        Bytes.u32(b, off + INCOMPAT_OFFSET, featureIncompat);
        Bytes.u32(b, off + 0x3FC, Bytes.crc(0, b, off, 0x3FC) & 0xFFFFFFFFL);
    }

    /** Whether the bytes carry this format's magic and signature (probe); says nothing about the checksum. */
    public static boolean hasMagic(byte[] b, int off) {
        return Bytes.u16(b, off + MAGIC_OFFSET) == MAGIC && Bytes.u64(b, off + 0x40) == SIGNATURE;
    }

    /**
     * Decodes and validates a superblock copy.
     *
     * @throws FormatException naming what is wrong
     */
    public static Superblock decode(byte[] b, int off, long deviceBytes, String where) throws FormatException {
        if (!hasMagic(b, off)) {
            throw new FormatException(where + ": no ext4-like superblock (magic 0x"
                    + Integer.toHexString(Bytes.u16(b, off + 0x38)) + ", expected 0xef53 with the jiomap signature)");
        }
        long stored = Bytes.u32(b, off + 0x3FC);
        long computed = Bytes.crc(0, b, off, 0x3FC) & 0xFFFFFFFFL;
        if (stored != computed) {
            throw new FormatException(where + ": superblock checksum 0x" + Long.toHexString(stored)
                    + " does not match its contents (0x" + Long.toHexString(computed) + ")");
        }
        Superblock s = new Superblock();
        s.inodesCount = Bytes.u32(b, off);
        s.blocksCount = Bytes.u32(b, off + 0x04);
        s.firstDataBlock = Bytes.u32(b, off + 0x08);
        long log = Bytes.u32(b, off + 0x0C);
        if (log > 6) {
            throw new FormatException(where + ": block size 2^(10+" + log + ") is out of range");
        }
        s.blockSize = 1024 << log;
        s.blocksPerGroup = Bytes.u32(b, off + 0x10);
        s.inodesPerGroup = Bytes.u32(b, off + 0x14);
        s.journalFirstBlock = Bytes.u32(b, off + 0x20);
        s.journalBlocks = Bytes.u32(b, off + 0x24);
        s.lastOrphan = Bytes.u32(b, off + 0x28);
        s.groupNr = Bytes.u32(b, off + 0x30);
        s.generation = Bytes.u32(b, off + 0x3C);
        s.featureIncompat = Bytes.u32(b, off + INCOMPAT_OFFSET);
        if ((s.featureIncompat & ~INCOMPAT_KNOWN) != 0) {
            throw new FormatException(where + ": incompatible features 0x"
                    + Long.toHexString(s.featureIncompat & ~INCOMPAT_KNOWN) + " are unknown to this jiomap");
        }
        if ((s.featureIncompat & INCOMPAT_POSIX) == 0) {
            throw new FormatException(where + ": the image predates POSIX metadata (modes, owners, times, hard and"
                    + " symbolic links, xattrs) and lacks the posix feature; make a new one with"
                    + " 'jiomap mkfs --fs ext4-like -f IMAGE' and copy the files over");
        }
        String bad = s.geometryProblem(deviceBytes);
        if (bad != null) {
            throw new FormatException(where + ": " + bad);
        }
        return s;
    }

    /** A sentence saying what is inconsistent in the geometry, or null. */
    public String geometryProblem(long deviceBytes) {
        if (firstDataBlock != (blockSize == 1024 ? 1 : 0)) {
            return "first data block " + firstDataBlock + " does not match block size " + blockSize;
        }
        if (blocksPerGroup < 64 || blocksPerGroup > 8L * blockSize || blocksPerGroup % 8 != 0) {
            return "blocks per group " + blocksPerGroup + " is not a multiple of 8 in [64, " + 8L * blockSize + "]";
        }
        if (inodesPerGroup == 0 || inodesPerGroup > 8L * blockSize || inodesPerGroup * INODE_SIZE % blockSize != 0) {
            return "inodes per group " + inodesPerGroup + " does not fill whole inode-table blocks";
        }
        if (blocksCount * blockSize > deviceBytes || blocksCount <= firstDataBlock) {
            return "block count " + blocksCount + " does not fit the device of " + deviceBytes + " bytes";
        }
        if (inodesCount != inodesPerGroup * groupCount()) {
            return "inode count " + inodesCount + " is not " + inodesPerGroup + " x " + groupCount() + " groups";
        }
        long jEnd = journalFirstBlock + journalBlocks;
        if (journalBlocks < 64 || jEnd > blocksCount) {
            return "journal of " + journalBlocks + " blocks at " + journalFirstBlock + " lies outside the filesystem";
        }
        if (lastOrphan != 0 && (lastOrphan < FIRST_INO || lastOrphan > inodesCount)) {
            return "orphan list head " + lastOrphan + " is not a valid inode number";
        }
        return null;
    }
}
