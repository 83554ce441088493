package io.jiomap.fs.ext4like.meta;

import io.jiomap.api.Errno;
import io.jiomap.fs.ext4like.disk.GroupDesc;
import io.jiomap.fs.ext4like.disk.Superblock;
import java.util.BitSet;
import java.util.List;

/**
 * Block and inode allocation over the group bitmaps (docs/filesystems.md, "ext4-like allocation"): a request
 * starts at its goal (the end of the previous extent, or the inode's group) and takes the first free run there that
 * is long enough, else the first long-enough run anywhere, else the longest run found. Blocks freed in the running
 * transaction stay busy until it commits. Data allocations leave {@link #META_RESERVE} blocks for the extent-tree
 * nodes the same operation may need, so an ENOSPC always comes before anything was changed.
 *
 * <p>A method whose name ends in {@code Locked} runs with the metadata lock held (its changes inside a journal handle).
 */
public final class Allocator {
    private final java.util.concurrent.atomic.AtomicLong reservedNodes = new java.util.concurrent.atomic.AtomicLong();
    public static final int META_RESERVE = 2 * (io.jiomap.fs.ext4like.disk.ExtentNode.MAX_DEPTH + 2);

    private final Superblock sb;
    private final BlockCache cache;
    private final Journal journal;
    private final GroupDesc[] groups;
    private final BitSet[] busy;
    private long busyCount;

    public Allocator(Superblock sb, BlockCache cache, Journal journal, GroupDesc[] groups) {
        this.sb = sb;
        this.cache = cache;
        this.journal = journal;
        this.groups = groups;
        this.busy = new BitSet[groups.length];
        for (int g = 0; g < groups.length; g++) {
            busy[g] = new BitSet();
        }
    }

    public GroupDesc group(int g) {
        return groups[g];
    }

    /** Free blocks by the bitmaps, busy ones excluded. */
    public long freeBlocks() {
        long n = 0;
        for (GroupDesc d : groups) {
            n += d.freeBlocks;
        }
        return n - busyCount;
    }

    /** What a data allocation can still take: not the tree reserve, nor blocks set aside for end_io. */
    public long availableForData() {
        return Math.max(0, freeBlocks() - META_RESERVE - reservedNodes.get());
    }

    /**
     * Sets aside {@code n} free blocks for the extent-tree nodes a write's end_io may need to convert what it wrote
     * (docs/design-rules.md, "Rule 5": completion never fails for lack of space, so the room is taken before the I/O).
     *
     * @return false when the blocks are not there (the write fails with ENOSPC before any I/O)
     */
    public boolean reserveNodesLocked(int n) {
        if (freeBlocks() - META_RESERVE - reservedNodes.get() < n) {
            return false;
        }
        reservedNodes.addAndGet(n);
        return true;
    }

    /** Gives back a reservation of {@link #reserveNodes}, used or not. */
    public void releaseNodes(int n) {
        reservedNodes.addAndGet(-n);
    }

    /** Blocks set aside for end_io tree nodes right now. */
    public long reservedNodes() {
        return reservedNodes.get();
    }

    public long busyBlocks() {
        return busyCount;
    }

    public long freeInodes() {
        long n = 0;
        for (GroupDesc d : groups) {
            n += d.freeInodes;
        }
        return n;
    }

    /** Called when a transaction committed: its freed extents become allocatable. */
    public void committedLocked(List<long[]> freed) {
        for (long[] f : freed) {
            for (long b = f[0]; b < f[0] + f[1]; b++) {
                int g = sb.groupOf(b);
                int bit = (int) (b - sb.groupFirstBlock(g));
                if (busy[g].get(bit)) {
                    busy[g].clear(bit);
                    busyCount--;
                }
            }
        }
    }

    private boolean isFree(int g, byte[] bitmap, int bit) {
        return (bitmap[bit >>> 3] & (1 << (bit & 7))) == 0 && !busy[g].get(bit);
    }

    /**
     * Allocates up to {@code want} contiguous blocks near {@code goal}.
     *
     * @param forMetadata may use the reserve kept for extent-tree nodes
     * @return {start, count}
     * @throws FsError ENOSPC when nothing can be allocated
     */
    public long[] allocateLocked(long goal, int want, boolean forMetadata) {
        long avail = forMetadata ? freeBlocks() : availableForData();
        if (avail <= 0) {
            throw new FsError(Errno.ENOSPC, "no free blocks left (" + freeBlocks() + " free, "
                    + META_RESERVE + " kept for extent-tree blocks)");
        }
        want = (int) Math.min(want, avail);
        if (goal < sb.firstDataBlock || goal >= sb.blocksCount) {
            goal = sb.firstDataBlock;
        }
        int groupCount = groups.length;
        int g0 = sb.groupOf(goal);
        long bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i <= groupCount; i++) {
            int g = (g0 + i) % groupCount;
            if (groups[g].freeBlocks == 0) {
                continue;
            }
            byte[] bitmap = cache.get(groups[g].blockBitmap);
            int bits = (int) sb.groupBlocks(g);
            int from = i == 0 ? (int) (goal - sb.groupFirstBlock(g)) : 0;
            int to = i == groupCount ? (int) (goal - sb.groupFirstBlock(g)) : bits;
            int bit = from;
            while (bit < to) {
                if (!isFree(g, bitmap, bit)) {
                    bit++;
                    continue;
                }
                int run = 0;
                while (bit + run < bits && run < want && isFree(g, bitmap, bit + run)) {
                    run++;
                }
                if (run >= want) {
                    return take(g, bit, run);
                }
                if (run > bestLen) {
                    bestLen = run;
                    bestStart = sb.groupFirstBlock(g) + bit;
                }
                bit += run;
            }
        }
        if (bestLen == 0) {
            throw new FsError(Errno.ENOSPC, "no free run of blocks found");
        }
        int g = sb.groupOf(bestStart);
        return take(g, (int) (bestStart - sb.groupFirstBlock(g)), bestLen);
    }

    private long[] take(int g, int bit, int len) {
        setBits(g, bit, len, true);
        return new long[] {sb.groupFirstBlock(g) + bit, len};
    }

    /** Marks blocks used at mkfs-like setup time or by a caller that chose them. */
    public void markUsedLocked(long start, long count) {
        for (long b = start; b < start + count; ) {
            int g = sb.groupOf(b);
            int bit = (int) (b - sb.groupFirstBlock(g));
            int n = (int) Math.min(start + count - b, sb.groupBlocks(g) - bit);
            setBits(g, bit, n, true);
            b += n;
        }
    }

    /** Frees blocks: cleared in the bitmap now, reusable once this transaction commits. */
    public void freeLocked(long start, long count) {
        for (long b = start; b < start + count; ) {
            int g = sb.groupOf(b);
            int bit = (int) (b - sb.groupFirstBlock(g));
            int n = (int) Math.min(start + count - b, sb.groupBlocks(g) - bit);
            setBits(g, bit, n, false);
            for (int k = 0; k < n; k++) {
                if (!busy[g].get(bit + k)) {
                    busy[g].set(bit + k);
                    busyCount++;
                }
            }
            b += n;
        }
        journal.freedLocked(start, count);
    }

    private void setBits(int g, int bit, int len, boolean used) {
        GroupDesc d = groups[g];
        byte[] bitmap = cache.get(d.blockBitmap);
        for (int i = bit; i < bit + len; i++) {
            boolean was = (bitmap[i >>> 3] & (1 << (i & 7))) != 0;
            if (was == used) {
                throw new FsError(Errno.EUCLEAN, "block " + (sb.groupFirstBlock(g) + i) + " is already "
                        + (used ? "in use" : "free") + " in the bitmap of group " + g);
            }
            if (used) {
                bitmap[i >>> 3] |= (byte) (1 << (i & 7));
            } else {
                bitmap[i >>> 3] &= (byte) ~(1 << (i & 7));
            }
        }
        d.freeBlocks += used ? -len : len;
        d.blockBitmapCsum = GroupDesc.bitmapChecksum(g, bitmap);
        journal.dirtyLocked(d.blockBitmap);
        writeDescLocked(g);
    }

    /** Allocates an inode number, preferring {@code group}. */
    public long allocateInodeLocked(int group, boolean dir) {
        for (int i = 0; i < groups.length; i++) {
            int g = (group + i) % groups.length;
            GroupDesc d = groups[g];
            if (d.freeInodes == 0) {
                continue;
            }
            byte[] bitmap = cache.get(d.inodeBitmap);
            for (int bit = 0; bit < sb.inodesPerGroup; bit++) {
                long ino = g * sb.inodesPerGroup + bit + 1;
                if (ino < Superblock.FIRST_INO) {
                    continue;
                }
                if ((bitmap[bit >>> 3] & (1 << (bit & 7))) == 0) {
                    bitmap[bit >>> 3] |= (byte) (1 << (bit & 7));
                    d.freeInodes--;
                    if (dir) {
                        d.usedDirs++;
                    }
                    d.inodeBitmapCsum = GroupDesc.bitmapChecksum(g, bitmap);
                    journal.dirtyLocked(d.inodeBitmap);
                    writeDescLocked(g);
                    return ino;
                }
            }
        }
        throw new FsError(Errno.ENOSPC, "no free inodes left");
    }

    public void freeInodeLocked(long ino, boolean dir) {
        int g = (int) ((ino - 1) / sb.inodesPerGroup);
        int bit = (int) ((ino - 1) % sb.inodesPerGroup);
        GroupDesc d = groups[g];
        byte[] bitmap = cache.get(d.inodeBitmap);
        bitmap[bit >>> 3] &= (byte) ~(1 << (bit & 7));
        d.freeInodes++;
        if (dir) {
            d.usedDirs--;
        }
        d.inodeBitmapCsum = GroupDesc.bitmapChecksum(g, bitmap);
        journal.dirtyLocked(d.inodeBitmap);
        writeDescLocked(g);
    }

    public void writeDescLocked(int g) {
        long block = sb.descriptorBlock(g);
        groups[g].encode(g, cache.get(block), sb.descriptorOffset(g));
        journal.dirtyLocked(block);
    }
}
