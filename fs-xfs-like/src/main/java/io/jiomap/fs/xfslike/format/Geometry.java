package io.jiomap.fs.xfslike.format;

/**
 * Where everything lives, fixed at mkfs (FORMAT.md "Layout"). Block numbers are global: block {@code b} is at device
 * byte {@code b * blockSize}; allocation group {@code g} covers {@code [g * agBlocks, (g + 1) * agBlocks)} and its
 * block 0 holds a superblock copy. The log and the two metadata checkpoint regions follow the primary superblock
 * in AG 0; every other block is data space.
 *
 * @param blockSize   filesystem block size in bytes
 * @param totalBlocks blocks of the filesystem
 * @param agCount     allocation groups
 * @param agBlocks    blocks per allocation group (the last may be shorter)
 * @param logStart    first block of the circular metadata log
 * @param logBlocks   blocks of the log
 * @param metaStart0  first block of checkpoint region A
 * @param metaStart1  first block of checkpoint region B
 * @param metaBlocks  blocks of each checkpoint region
 */
public record Geometry(int blockSize, long totalBlocks, int agCount, long agBlocks, long logStart, long logBlocks,
                       long metaStart0, long metaStart1, long metaBlocks) {
    /** The longest extent a map record can describe (XFS_MAX_BMBT_EXTLEN, 2^21 - 1). */
    public static final long MAX_EXTENT_BLOCKS = (1L << 21) - 1;
    /** File blocks a map record can address: every extent ends at or below this (a bmbt startoff is 54 bits). */
    public static final long MAX_FILE_BLOCKS = (1L << 54) - 1;

    /** The largest file size in bytes (the kernel's {@code s_maxbytes}): what {@link #MAX_FILE_BLOCKS} reach. */
    public static long maxFileBytes(int blockShift) {
        return blockShift >= Long.numberOfLeadingZeros(MAX_FILE_BLOCKS) - 1 ? Long.MAX_VALUE
                : MAX_FILE_BLOCKS << blockShift;
    }

    public int agOf(long block) {
        return (int) (block / agBlocks);
    }

    public long agStart(int ag) {
        return ag * agBlocks;
    }

    public long agEnd(int ag) {
        return Math.min(totalBlocks, (ag + 1) * agBlocks);
    }

    /** The first block of AG {@code ag} that can hold data. */
    public long agDataStart(int ag) {
        return ag == 0 ? metaStart1 + metaBlocks : agStart(ag) + 1;
    }

    public long metaStart(int slot) {
        return slot == 0 ? metaStart0 : metaStart1;
    }

    public long byteOf(long block) {
        return block * blockSize;
    }

    /** Whether {@code [block, block + count)} is entirely data space (no superblock, log or checkpoint region). */
    public boolean isDataRange(long block, long count) {
        if (block < 0 || count <= 0 || block + count > totalBlocks) {
            return false;
        }
        int ag = agOf(block);
        return agOf(block + count - 1) == ag && block >= agDataStart(ag);
    }

    /** Blocks that can hold file data in all. */
    public long dataBlocks() {
        long n = 0;
        for (int ag = 0; ag < agCount; ag++) {
            n += agEnd(ag) - agDataStart(ag);
        }
        return n;
    }
}
