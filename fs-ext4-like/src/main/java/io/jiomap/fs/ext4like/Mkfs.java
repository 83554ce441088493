package io.jiomap.fs.ext4like;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.fs.ext4like.disk.DirBlock;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.ExtentNode;
import io.jiomap.fs.ext4like.disk.GroupDesc;
import io.jiomap.fs.ext4like.disk.InodeRecord;
import io.jiomap.fs.ext4like.disk.JournalBlock;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.meta.BlockCache;
import io.jiomap.fs.ext4like.meta.FsError;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes an empty filesystem (FORMAT.md section 1): groups with their bitmaps and zeroed inode tables, the journal
 * in group 0 (zeroed, so nothing of an older filesystem can ever be replayed), the root directory, the superblock
 * and group-descriptor copies in the sparse groups; a flush, then the primary superblock with FUA last, so a device
 * that lost power during mkfs is never taken for a filesystem.
 */
final class Mkfs {
    static final Set<String> OPTIONS = Set.of("block-size", "blocks-per-group", "inode-ratio", "journal-size");
    private static final int ZERO_CHUNK = 1 << 20;

    private Mkfs() {
    }

    static void run(BlockDevice device, Map<String, String> options) throws JiomapException {
        for (String k : options.keySet()) {
            if (!OPTIONS.contains(k)) {
                throw new JiomapException(Errno.EINVAL, "unknown ext4-like mkfs option '" + k + "' (known: "
                        + String.join(", ", OPTIONS.stream().sorted().toList()) + ")");
            }
        }
        long capacity = device.capabilities().capacityBytes();
        int lbs = device.capabilities().logicalBlockSize();
        int bs = (int) number(options, "block-size", 4096);
        if (Integer.bitCount(bs) != 1 || bs < 1024 || bs > 65536 || bs < lbs) {
            throw new JiomapException(Errno.EINVAL, "block-size " + bs + " must be a power of two in [1024, 65536] and"
                    + " at least the device's logical block size " + lbs);
        }
        long bpg = number(options, "blocks-per-group", 8L * bs);
        if (bpg < 64 || bpg > 8L * bs || bpg % 8 != 0) {
            throw new JiomapException(Errno.EINVAL, "blocks-per-group " + bpg + " must be a multiple of 8 in [64, "
                    + 8L * bs + "]");
        }
        long ratio = number(options, "inode-ratio", 16384);
        if (ratio < bs || ratio > (1L << 26)) {
            throw new JiomapException(Errno.EINVAL, "inode-ratio " + ratio + " must be in [block-size, 64 MiB]");
        }
        Superblock sb = new Superblock();
        sb.blockSize = bs;
        sb.firstDataBlock = bs == 1024 ? 1 : 0;
        sb.blocksPerGroup = bpg;
        sb.blocksCount = Math.min(capacity / bs, 0xFFFF_FFFFL);
        int perItBlock = bs / Superblock.INODE_SIZE;
        long ipg = Math.max(perItBlock, (bpg * bs / ratio + perItBlock - 1) / perItBlock * perItBlock);
        sb.inodesPerGroup = Math.min(ipg, 8L * bs / perItBlock * perItBlock);
        // A last group too small for its own tables is dropped, as mke2fs does.
        while (sb.groupCount() > 1) {
            int last = sb.groupCount() - 1;
            if (sb.groupBlocks(last) >= sb.groupOverhead(last) + 2 + sb.inodeTableBlocks() + 16) {
                break;
            }
            sb.blocksCount = sb.groupFirstBlock(last);
        }
        int groups = sb.groupCount();
        sb.inodesCount = sb.inodesPerGroup * groups;
        long group0Tables = sb.groupOverhead(0) + 2 + sb.inodeTableBlocks();
        long group0Free = sb.groupBlocks(0) - group0Tables - 1;
        long defJournal = Math.min(Math.max(256, sb.blocksCount / 32), Math.min(8192, group0Free / 2));
        long journal = number(options, "journal-size", defJournal);
        if (journal < 128 || journal > group0Free) {
            throw new JiomapException(Errno.EINVAL, "journal-size " + journal + " blocks must be in [128, "
                    + group0Free + "] (what group 0 has room for)");
        }
        if (group0Free - journal < 16) {
            throw new JiomapException(Errno.EINVAL, "device " + device.name() + " of " + capacity
                    + " bytes is too small for an ext4-like filesystem with " + bs + "-byte blocks");
        }
        sb.journalFirstBlock = sb.groupFirstBlock(0) + group0Tables;
        sb.journalBlocks = journal;
        sb.generation = System.nanoTime() & 0xFFFFFFFFL;
        try {
            write(device, sb);
        } catch (FsError e) {
            throw e.toException();
        }
    }

    private static long number(Map<String, String> options, String key, long def) throws JiomapException {
        String v = options.get(key);
        if (v == null) {
            return def;
        }
        try {
            String t = v.trim().toLowerCase();
            long mult = 1;
            if (t.endsWith("k")) {
                mult = 1024;
            } else if (t.endsWith("m")) {
                mult = 1024 * 1024;
            }
            if (mult != 1) {
                t = t.substring(0, t.length() - 1);
            }
            return Math.multiplyExact(Long.parseLong(t), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new JiomapException(Errno.EINVAL, "mkfs option " + key + "=" + v + " is not a number");
        }
    }

    private static void write(BlockDevice device, Superblock sb) {
        int bs = sb.blockSize;
        int groups = sb.groupCount();
        GroupDesc[] gds = new GroupDesc[groups];
        long rootBlock = sb.journalFirstBlock + sb.journalBlocks;
        for (int g = 0; g < groups; g++) {
            long start = sb.groupFirstBlock(g) + sb.groupOverhead(g);
            GroupDesc d = new GroupDesc();
            d.blockBitmap = start;
            d.inodeBitmap = start + 1;
            d.inodeTable = start + 2;
            long used = sb.groupOverhead(g) + 2 + sb.inodeTableBlocks();
            if (g == 0) {
                used += sb.journalBlocks + 1;
            }
            byte[] bb = new byte[bs];
            for (int i = 0; i < used; i++) {
                bb[i >>> 3] |= (byte) (1 << (i & 7));
            }
            byte[] ib = new byte[bs];
            long usedInodes = g == 0 ? Superblock.FIRST_INO - 1 : 0;
            for (int i = 0; i < usedInodes; i++) {
                ib[i >>> 3] |= (byte) (1 << (i & 7));
            }
            d.freeBlocks = sb.groupBlocks(g) - used;
            d.freeInodes = sb.inodesPerGroup - usedInodes;
            d.usedDirs = g == 0 ? 1 : 0;
            d.blockBitmapCsum = GroupDesc.bitmapChecksum(g, bb);
            d.inodeBitmapCsum = GroupDesc.bitmapChecksum(g, ib);
            gds[g] = d;
            BlockCache.writeRaw(device, d.blockBitmap * bs, bb, 0);
            BlockCache.writeRaw(device, d.inodeBitmap * bs, ib, 0);
            zero(device, d.inodeTable * bs, (long) sb.inodeTableBlocks() * bs);
        }
        // The journal: zeroed, then an empty journal superblock.
        zero(device, sb.journalFirstBlock * bs, sb.journalBlocks * bs);
        byte[] jsb = new byte[bs];
        JournalBlock.encodeSuper(jsb, bs, sb.journalBlocks, 1, 0);
        BlockCache.writeRaw(device, sb.journalFirstBlock * bs, jsb, 0);
        // The root directory: "." and "..", one block.
        byte[] dir = new byte[bs];
        DirBlock.encode(dir, Superblock.ROOT_INO, List.of(
                new DirBlock.Entry(Superblock.ROOT_INO, DirBlock.TYPE_DIR, "."),
                new DirBlock.Entry(Superblock.ROOT_INO, DirBlock.TYPE_DIR, "..")));
        BlockCache.writeRaw(device, rootBlock * bs, dir, 0);
        InodeRecord root = new InodeRecord();
        root.mode = InodeRecord.MODE_DIR | 0755;
        root.links = 2;
        root.flags = InodeRecord.EXTENTS_FL;
        root.size = bs;
        root.blocks = 1;
        root.generation = sb.generation;
        long now = io.jiomap.api.vfs.Timestamps.now();
        root.atime = now;
        root.mtime = now;
        root.ctime = now;
        ExtentNode.encodeLeaf(root.iBlock, 0, ExtentNode.ROOT_MAX, List.of(new Extent(0, 1, rootBlock, false)));
        long rootItBlock = gds[0].inodeTable + (long) (Superblock.ROOT_INO - 1) * Superblock.INODE_SIZE / bs;
        byte[] it = new byte[bs];
        root.encode(Superblock.ROOT_INO, it, (int) ((long) (Superblock.ROOT_INO - 1) * Superblock.INODE_SIZE % bs));
        BlockCache.writeRaw(device, rootItBlock * bs, it, 0);
        // Descriptor tables and superblock copies in every sparse group; the primary last.
        byte[] gdt = new byte[sb.gdtBlocks() * bs];
        for (int g = 0; g < groups; g++) {
            gds[g].encode(g, gdt, g * Superblock.DESC_SIZE);
        }
        for (int g = groups - 1; g >= 0; g--) {
            if (!Superblock.isSparseGroup(g)) {
                continue;
            }
            long sbBlock = sb.superblockBlock(g);
            BlockCache.writeRaw(device, (sbBlock + 1) * bs, gdt, 0);
            if (g > 0) {
                byte[] copy = new byte[bs];
                sb.groupNr = g;
                sb.encode(copy, 0);
                BlockCache.writeRaw(device, sbBlock * bs, copy, 0);
            }
        }
        int r = io.jiomap.api.block.SyncBio.flush(device);
        if (r < 0) {
            throw new FsError(-r, "flushing " + device.name() + " during mkfs");
        }
        sb.groupNr = 0;
        byte[] block0 = new byte[bs];
        sb.encode(block0, sb.offsetInBlock(0));
        BlockCache.writeRaw(device, sb.superblockBlock(0) * bs, block0, Bio.FUA);
    }

    private static void zero(BlockDevice device, long address, long length) {
        byte[] z = new byte[(int) Math.min(ZERO_CHUNK, length)];
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(z.length, length - done);
            BlockCache.writeRaw(device, address + done, n == z.length ? z : new byte[n], 0);
            done += n;
        }
    }
}
