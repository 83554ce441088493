package io.jiomap.fs.ext4like.check;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.fs.ext4like.disk.DirBlock;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.ExtentNode;
import io.jiomap.fs.ext4like.disk.FormatException;
import io.jiomap.fs.ext4like.disk.GroupDesc;
import io.jiomap.fs.ext4like.disk.InodeRecord;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.disk.XattrBlock;
import io.jiomap.fs.ext4like.meta.BlockCache;
import io.jiomap.fs.ext4like.meta.Recovery;
import io.jiomap.fs.ext4like.meta.SuperblockReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A read-only check of an unmounted ext4-like image, in the spirit of {@code e2fsck -fn} (docs/filesystems.md,
 * "fsck checks"): the superblock and its copies, the journal (an image needing recovery is reported, not checked
 * further), group descriptors and bitmap checksums, every in-use inode and its extent tree (header magic, entries &lt;=
 * max, depth &lt;= 5, key order, index keys covering their children, length limits, blocks inside the filesystem, no
 * initialized blocks past EOF), every block owned exactly once, bitmaps and free counts equal to the computed
 * usage, directory entries and link counts, and an empty orphan list.
 */
public final class Fsck {
    private static final int MAX_LISTED = 8;

    private final BlockDevice device;
    private final List<String> problems = new ArrayList<>();
    private Superblock sb;
    private final Map<Long, String> owner = new HashMap<>();
    private final Map<Long, InodeRecord> inodes = new TreeMap<>();
    private final Map<Long, List<Extent>> extents = new HashMap<>();
    private int duplicates;
    /** The orphan list as read from the superblock chain. */
    private final java.util.Set<Long> orphans = new java.util.HashSet<>();

    private final String typeName;

    /** @param typeName the filesystem type the report names */
    public Fsck(BlockDevice device, String typeName) {
        this.device = device;
        this.typeName = typeName;
    }

    public FsckReport run() {
        List<String> summary = new ArrayList<>();
        try {
            sb = SuperblockReader.readSuperblock(device);
        } catch (FormatException e) {
            problems.add(e.getMessage() + "; the filesystem cannot be checked further.");
            return report(summary);
        }
        checkBackups();
        try {
            Recovery.Scan scan = Recovery.scan(device, sb.blockSize, sb.journalFirstBlock, sb.journalBlocks);
            if (scan.needed()) {
                problems.add("The journal needs recovery (" + scan.committed().size()
                        + " committed transactions not yet written home); mount it first.");
                summary.add("superblock and journal checked; the rest needs the journal replayed first");
                return report(summary);
            }
        } catch (FormatException e) {
            problems.add(e.getMessage() + ".");
        }
        GroupDesc[] groups = readGroups();
        if (groups == null) {
            return report(summary);
        }
        claimMetadata(groups);
        int used = readInodes(groups);
        Map<Long, Integer> refs = checkDirectories();
        checkLinks(refs);
        checkBitmaps(groups);
        if (sb.lastOrphan != 0) {
            problems.add("The orphan list is not empty (head inode " + sb.lastOrphan
                    + "): mount the filesystem to process it.");
        }
        if (duplicates > MAX_LISTED) {
            problems.add((duplicates - MAX_LISTED) + " more blocks are claimed twice.");
        }
        summary.add(sb.groupCount() + " block groups of " + sb.blocksPerGroup + " blocks, " + sb.blockSize
                + "-byte blocks, superblock and " + (countSparse() - 1) + " backups");
        summary.add(used + " inodes in use of " + sb.inodesCount + ", " + owner.size() + " blocks in use of "
                + sb.blocksCount);
        summary.add("journal of " + sb.journalBlocks + " blocks clean; extent trees, bitmaps, free counts, "
                + "directories and link counts checked");
        return report(summary);
    }

    private FsckReport report(List<String> summary) {
        return new FsckReport(typeName, problems, summary);
    }

    private int countSparse() {
        int n = 0;
        for (int g = 0; g < sb.groupCount(); g++) {
            if (Superblock.isSparseGroup(g)) {
                n++;
            }
        }
        return n;
    }

    private void checkBackups() {
        for (int g = 1; g < sb.groupCount(); g++) {
            if (!Superblock.isSparseGroup(g)) {
                continue;
            }
            long block = sb.superblockBlock(g);
            byte[] b = BlockCache.readRaw(device, block, sb.blockSize);
            try {
                Superblock copy = Superblock.decode(b, 0, device.capabilities().capacityBytes(),
                        "superblock copy of group " + g + " (block " + block + ")");
                if (copy.blocksCount != sb.blocksCount || copy.blocksPerGroup != sb.blocksPerGroup
                        || copy.inodesPerGroup != sb.inodesPerGroup || copy.blockSize != sb.blockSize
                        || copy.journalFirstBlock != sb.journalFirstBlock) {
                    problems.add("The superblock copy of group " + g + " (block " + block
                            + ") has a different geometry from the primary; rewrite it from the primary.");
                }
            } catch (FormatException e) {
                problems.add(e.getMessage() + "; rewrite it from the primary.");
            }
        }
    }

    private GroupDesc[] readGroups() {
        int count = sb.groupCount();
        GroupDesc[] out = new GroupDesc[count];
        for (int g = 0; g < count; g++) {
            long block = sb.descriptorBlock(g);
            byte[] b = BlockCache.readRaw(device, block, sb.blockSize);
            int off = sb.descriptorOffset(g);
            if (GroupDesc.storedChecksum(b, off) != GroupDesc.checksum(g, b, off)) {
                problems.add("Group descriptor " + g + " (block " + block + ") has a bad checksum; its group cannot"
                        + " be checked.");
                return null;
            }
            out[g] = GroupDesc.decode(b, off);
            GroupDesc d = out[g];
            String misplaced = d.misplaced(sb, g);
            if (misplaced != null) {
                problems.add("Group descriptor " + g + " (block " + block + "): " + misplaced + ".");
                return null;
            }
            if (GroupDesc.bitmapChecksum(g, BlockCache.readRaw(device, d.blockBitmap, sb.blockSize))
                    != d.blockBitmapCsum) {
                problems.add("The block bitmap of group " + g + " (block " + d.blockBitmap
                        + ") does not match the checksum in its descriptor.");
            }
            if (GroupDesc.bitmapChecksum(g, BlockCache.readRaw(device, d.inodeBitmap, sb.blockSize))
                    != d.inodeBitmapCsum) {
                problems.add("The inode bitmap of group " + g + " (block " + d.inodeBitmap
                        + ") does not match the checksum in its descriptor.");
            }
        }
        return out;
    }

    private void claim(long block, String who) {
        if (block < sb.firstDataBlock || block >= sb.blocksCount) {
            problems.add(who + " claims block " + block + ", outside the filesystem (" + sb.firstDataBlock + ".."
                    + (sb.blocksCount - 1) + ").");
            return;
        }
        String prev = owner.putIfAbsent(block, who);
        if (prev != null) {
            if (++duplicates <= MAX_LISTED) {
                problems.add("Block " + block + " is claimed by both " + prev + " and " + who + ".");
            }
        }
    }

    private void claimMetadata(GroupDesc[] groups) {
        for (int g = 0; g < groups.length; g++) {
            if (Superblock.isSparseGroup(g)) {
                long s = sb.superblockBlock(g);
                claim(s, "the superblock copy of group " + g);
                for (int k = 0; k < sb.gdtBlocks(); k++) {
                    claim(s + 1 + k, "the descriptor table of group " + g);
                }
            }
            claim(groups[g].blockBitmap, "the block bitmap of group " + g);
            claim(groups[g].inodeBitmap, "the inode bitmap of group " + g);
            for (int k = 0; k < sb.inodeTableBlocks(); k++) {
                claim(groups[g].inodeTable + k, "the inode table of group " + g);
            }
        }
        for (long k = 0; k < sb.journalBlocks; k++) {
            claim(sb.journalFirstBlock + k, "the journal");
        }
    }

    private int readInodes(GroupDesc[] groups) {
        int used = 0;
        for (int g = 0; g < groups.length; g++) {
            byte[] bitmap = BlockCache.readRaw(device, groups[g].inodeBitmap, sb.blockSize);
            byte[] table = new byte[sb.inodeTableBlocks() * sb.blockSize];
            BlockCache.readRaw(device, groups[g].inodeTable * sb.blockSize, table);
            long freeCount = 0;
            long dirs = 0;
            for (int i = 0; i < sb.inodesPerGroup; i++) {
                long ino = g * sb.inodesPerGroup + i + 1;
                boolean marked = (bitmap[i >>> 3] & (1 << (i & 7))) != 0;
                InodeRecord r;
                try {
                    r = InodeRecord.decode(ino, table, i * Superblock.INODE_SIZE, "inode table of group " + g);
                } catch (FormatException e) {
                    problems.add(e.getMessage() + ".");
                    continue;
                }
                boolean reserved = ino < Superblock.FIRST_INO;
                if (!marked) {
                    freeCount++;
                }
                if (!r.inUse()) {
                    if (marked && !reserved) {
                        problems.add("Inode " + ino + " is marked in use in the bitmap but is free.");
                    }
                    continue;
                }
                if (!marked) {
                    problems.add("Inode " + ino + " is in use but not marked in the inode bitmap of group " + g + ".");
                }
                if (reserved && ino != Superblock.ROOT_INO) {
                    problems.add("Reserved inode " + ino + " is in use.");
                    continue;
                }
                used++;
                if (r.isDir()) {
                    dirs++;
                }
                inodes.put(ino, r);
            }
            if (freeCount != groups[g].freeInodes) {
                problems.add("Group " + g + " descriptor says " + groups[g].freeInodes + " free inodes, the bitmap has "
                        + freeCount + ".");
            }
            if (dirs != groups[g].usedDirs) {
                problems.add("Group " + g + " descriptor says " + groups[g].usedDirs + " directories, found " + dirs
                        + ".");
            }
        }
        for (long at = sb.lastOrphan; at != 0 && inodes.containsKey(at) && orphans.add(at); ) {
            at = inodes.get(at).nextOrphan;
        }
        inodes.forEach((ino, r) -> checkExtents(ino, r, orphans.contains(ino)));
        return used;
    }

    private void checkExtents(long ino, InodeRecord r, boolean orphan) {
        checkXattrs(ino, r);
        if (!r.hasExtents()) {
            checkFastSymlink(ino, r);
            return;
        }
        List<Extent> out = new ArrayList<>();
        long[] nodes = {0};
        try {
            ExtentNode.Decoded root = ExtentNode.decode(r.iBlock, 0, ExtentNode.ROOT_MAX, -1,
                    "inode " + ino + " extent root");
            walk(ino, root, 0, Long.MAX_VALUE, out, nodes);
        } catch (FormatException e) {
            problems.add(e.getMessage() + "; inode " + ino + "'s blocks cannot be checked.");
            return;
        }
        extents.put(ino, out);
        long bs = sb.blockSize;
        long eofBlock = (r.size + bs - 1) / bs;
        long data = 0;
        for (Extent e : out) {
            data += e.length();
            for (long k = 0; k < e.length(); k++) {
                claim(e.physical() + k, "inode " + ino);
            }
            if (r.isDir() && e.unwritten()) {
                problems.add("Directory inode " + ino + " has an unwritten extent at logical block " + e.logical()
                        + ".");
            }
            if (!r.isDir() && !e.unwritten() && e.end() > eofBlock && !orphan) {
                problems.add("Inode " + ino + " has written blocks past its end of file (logical "
                        + Math.max(eofBlock, e.logical()) + ".." + (e.end() - 1) + ", size " + r.size
                        + ") without being on the orphan list; only KEEP_SIZE preallocation (unwritten) may lie"
                        + " there.");
            }
        }
        if (r.isDir() && r.size != data * bs) {
            problems.add("Directory inode " + ino + " has size " + r.size + " but " + data + " blocks.");
        }
        if (r.isSymlink()) {
            checkSlowSymlink(ino, r, out);
        }
        long xattr = r.xattrBlock != 0 ? 1 : 0;
        if (r.blocks != data + nodes[0] + xattr) {
            problems.add("Inode " + ino + " counts " + r.blocks + " blocks but maps " + data + " data, " + nodes[0]
                    + " extent-tree and " + xattr + " xattr blocks.");
        }
    }

    private void checkFastSymlink(long ino, InodeRecord r) {
        if (r.size < 1 || r.size > InodeRecord.FAST_SYMLINK_MAX) {
            problems.add("Fast symbolic link inode " + ino + " has size " + r.size + ", outside 1.."
                    + InodeRecord.FAST_SYMLINK_MAX + ".");
            return;
        }
        checkTarget(ino, java.util.Arrays.copyOf(r.iBlock, (int) r.size));
        for (int i = (int) r.size; i < r.iBlock.length; i++) {
            if (r.iBlock[i] != 0) {
                problems.add("Fast symbolic link inode " + ino + " has bytes past its target in i_block.");
                break;
            }
        }
        if (r.blocks != (r.xattrBlock != 0 ? 1 : 0)) {
            problems.add("Fast symbolic link inode " + ino + " counts " + r.blocks + " blocks.");
        }
    }

    private void checkSlowSymlink(long ino, InodeRecord r, List<Extent> out) {
        int bs = sb.blockSize;
        if (r.size <= InodeRecord.FAST_SYMLINK_MAX || r.size > 4095) {
            problems.add("Symbolic link inode " + ino + " keeps a target of " + r.size + " bytes in blocks; only "
                    + (InodeRecord.FAST_SYMLINK_MAX + 1) + "..4095 bytes belong there.");
            return;
        }
        byte[] target = new byte[(int) r.size];
        long need = (r.size + bs - 1) / bs;
        long have = 0;
        for (Extent e : out) {
            if (e.unwritten()) {
                problems.add("Symbolic link inode " + ino + " has an unwritten extent.");
                return;
            }
            for (long k = 0; k < e.length(); k++) {
                long lblk = e.logical() + k;
                if (lblk >= need) {
                    continue;
                }
                byte[] b = BlockCache.readRaw(device, e.physical() + k, bs);
                int from = (int) (lblk * bs);
                System.arraycopy(b, 0, target, from, (int) Math.min(bs, r.size - from));
                have++;
            }
        }
        if (have != need || out.size() > 0 && out.getLast().end() > need) {
            problems.add("Symbolic link inode " + ino + " of " + r.size + " bytes maps " + have + " of its " + need
                    + " blocks (or blocks past them).");
            return;
        }
        checkTarget(ino, target);
    }

    private void checkTarget(long ino, byte[] target) {
        for (byte b : target) {
            if (b == 0) {
                problems.add("Symbolic link inode " + ino + " has a NUL byte in its target.");
                return;
            }
        }
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(target));
        } catch (java.nio.charset.CharacterCodingException e) {
            problems.add("Symbolic link inode " + ino + " has a target that is not UTF-8.");
        }
    }

    private void checkXattrs(long ino, InodeRecord r) {
        if (r.xattrBlock == 0) {
            return;
        }
        if (r.xattrBlock < sb.firstDataBlock || r.xattrBlock >= sb.blocksCount) {
            problems.add("Inode " + ino + " has its xattr block at " + r.xattrBlock + ", outside the filesystem.");
            return;
        }
        claim(r.xattrBlock, "inode " + ino + " (xattrs)");
        try {
            Map<String, byte[]> attrs = XattrBlock.decode(BlockCache.readRaw(device, r.xattrBlock, sb.blockSize), ino,
                    "block " + r.xattrBlock);
            if (attrs.isEmpty()) {
                problems.add("Inode " + ino + " keeps an empty xattr block " + r.xattrBlock + ".");
            }
            for (String name : attrs.keySet()) {
                if (!name.startsWith("user.") || name.length() == "user.".length()) {
                    problems.add("Inode " + ino + " has xattr '" + name + "' outside the user. namespace.");
                }
            }
        } catch (FormatException e) {
            problems.add(e.getMessage() + ".");
        }
    }

    /** Walks a node whose keys must lie in [lo, hi), checking order, limits and coverage. */
    private void walk(long ino, ExtentNode.Decoded n, long lo, long hi, List<Extent> out, long[] nodes)
            throws FormatException {
        String where = "inode " + ino;
        if (n.depth() == 0) {
            long prevEnd = lo;
            for (Extent e : n.extents()) {
                if (e.logical() < prevEnd) {
                    problems.add(where + ": extent at logical block " + e.logical() + " is out of order or overlaps"
                            + " the one before (or is not covered by its index key " + lo + ").");
                }
                if (e.end() > hi) {
                    problems.add(where + ": extent at logical block " + e.logical() + " runs past the next index key "
                            + hi + ".");
                }
                if (e.length() > Extent.maxLength(e.unwritten())) {
                    problems.add(where + ": extent at logical block " + e.logical() + " is " + e.length()
                            + " blocks long, more than " + Extent.maxLength(e.unwritten()) + ".");
                }
                if (e.end() > (1L << 32)) {
                    problems.add(where + ": extent at logical block " + e.logical() + " passes the 2^32-block limit.");
                }
                if (!out.isEmpty() && out.getLast().end() > e.logical()) {
                    problems.add(where + ": extents at logical blocks " + out.getLast().logical() + " and "
                            + e.logical() + " overlap.");
                }
                out.add(e);
                prevEnd = e.end();
            }
            return;
        }
        List<ExtentNode.Index> idx = n.indexes();
        if (idx.isEmpty()) {
            problems.add(where + ": an index node at depth " + n.depth() + " has no entries.");
        }
        for (int i = 0; i < idx.size(); i++) {
            ExtentNode.Index e = idx.get(i);
            long next = i + 1 < idx.size() ? idx.get(i + 1).logical() : hi;
            if (e.logical() < lo || e.logical() >= next) {
                problems.add(where + ": index key " + e.logical() + " is out of order.");
            }
            if (e.child() < sb.firstDataBlock || e.child() >= sb.blocksCount) {
                problems.add(where + ": index points at block " + e.child() + ", outside the filesystem.");
                continue;
            }
            claim(e.child(), "inode " + ino + " (extent tree)");
            nodes[0]++;
            byte[] b = BlockCache.readRaw(device, e.child(), sb.blockSize);
            ExtentNode.Decoded child = ExtentNode.decode(b, 0, ExtentNode.blockMax(sb.blockSize), ino,
                    "extent block " + e.child() + " of inode " + ino);
            if (child.depth() != n.depth() - 1) {
                problems.add(where + ": extent block " + e.child() + " has depth " + child.depth() + " under depth "
                        + n.depth() + ".");
                continue;
            }
            long firstKey = child.depth() == 0
                    ? (child.extents().isEmpty() ? e.logical() : child.extents().getFirst().logical())
                    : (child.indexes().isEmpty() ? e.logical() : child.indexes().getFirst().logical());
            if (firstKey < e.logical()) {
                problems.add(where + ": index key " + e.logical() + " does not cover its child block " + e.child()
                        + " (first key " + firstKey + ").");
            }
            if (child.depth() == 0 && child.extents().isEmpty() || child.depth() > 0 && child.indexes().isEmpty()) {
                problems.add(where + ": extent block " + e.child() + " is empty.");
            }
            walk(ino, child, e.logical(), next, out, nodes);
        }
    }

    private Map<Long, Integer> checkDirectories() {
        Map<Long, Integer> refs = new HashMap<>();
        Map<Long, Long> dotdots = new HashMap<>();
        Map<Long, Long> namedBy = new HashMap<>();
        refs.put((long) Superblock.ROOT_INO, 0);
        InodeRecord root = inodes.get((long) Superblock.ROOT_INO);
        if (root == null || !root.isDir()) {
            problems.add("The root inode " + Superblock.ROOT_INO + " is not an in-use directory.");
            return refs;
        }
        for (Map.Entry<Long, InodeRecord> me : inodes.entrySet()) {
            long ino = me.getKey();
            InodeRecord r = me.getValue();
            if (!r.isDir() || !extents.containsKey(ino)) {
                continue;
            }
            boolean dot = false;
            boolean dotdot = false;
            for (Extent e : extents.get(ino)) {
                for (long k = 0; k < e.length(); k++) {
                    long phys = e.physical() + k;
                    List<DirBlock.Entry> entries;
                    try {
                        entries = DirBlock.decode(BlockCache.readRaw(device, phys, sb.blockSize), ino,
                                "block " + phys);
                    } catch (FormatException ex) {
                        problems.add(ex.getMessage() + ".");
                        continue;
                    }
                    for (DirBlock.Entry d : entries) {
                        if (d.name().equals(".")) {
                            dot = true;
                            if (d.ino() != ino) {
                                problems.add("Directory " + ino + " has '.' pointing at inode " + d.ino() + ".");
                            }
                        } else if (d.name().equals("..")) {
                            dotdot = true;
                            dotdots.put(ino, d.ino());
                        } else if (inodes.containsKey(d.ino()) && inodes.get(d.ino()).isDir()) {
                            namedBy.merge(d.ino(), ino, (a, b) -> -1L);
                        }
                        InodeRecord target = inodes.get(d.ino());
                        if (target == null) {
                            problems.add("Directory " + ino + " entry '" + d.name() + "' points at inode " + d.ino()
                                    + ", which is not in use.");
                            continue;
                        }
                        int wantType = target.isDir() ? DirBlock.TYPE_DIR
                                : target.isSymlink() ? DirBlock.TYPE_SYMLINK : DirBlock.TYPE_REG;
                        if (d.type() != wantType) {
                            problems.add("Directory " + ino + " entry '" + d.name() + "' has file type " + d.type()
                                    + " but inode " + d.ino() + " is a " + (target.isDir() ? "directory"
                                    : target.isSymlink() ? "symbolic link" : "file") + ".");
                        }
                        refs.merge(d.ino(), 1, Integer::sum);
                    }
                }
            }
            if (!dot || !dotdot) {
                problems.add("Directory " + ino + " lacks its '.' or '..' entry.");
            }
        }
        dotdots.forEach((dir, parent) -> {
            long expected = dir == Superblock.ROOT_INO ? Superblock.ROOT_INO : namedBy.getOrDefault(dir, 0L);
            if (expected == -1) {
                problems.add("Directory " + dir + " has more than one name.");
            } else if (expected != 0 && parent != expected) {
                problems.add("Directory " + dir + " has '..' pointing at inode " + parent + " but directory "
                        + expected + " names it.");
            }
        });
        return refs;
    }

    private void checkLinks(Map<Long, Integer> refs) {
        for (Map.Entry<Long, InodeRecord> me : inodes.entrySet()) {
            long ino = me.getKey();
            InodeRecord r = me.getValue();
            int found = refs.getOrDefault(ino, 0);
            if (found == 0 && r.links == 0) {
                // Unlinked and still open at the crash: only the orphan list keeps it from leaking.
                if (!orphans.contains(ino)) {
                    problems.add("Inode " + ino + " is in use with 0 links and is not on the orphan list: its "
                            + r.blocks + " blocks are lost until it is freed.");
                }
                continue;
            }
            if (found == 0) {
                problems.add("Inode " + ino + " is in use with " + r.links + " links but no directory entry names it.");
            } else if (found != r.links) {
                problems.add("Inode " + ino + " has link count " + r.links + " but " + found
                        + " directory entries refer to it.");
            }
        }
    }

    private void checkBitmaps(GroupDesc[] groups) {
        for (int g = 0; g < groups.length; g++) {
            byte[] bitmap = BlockCache.readRaw(device, groups[g].blockBitmap, sb.blockSize);
            long first = sb.groupFirstBlock(g);
            int n = (int) sb.groupBlocks(g);
            long free = 0;
            List<Long> usedNotMarked = new ArrayList<>();
            List<Long> markedNotUsed = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                boolean marked = (bitmap[i >>> 3] & (1 << (i & 7))) != 0;
                boolean inUse = owner.containsKey(first + i);
                if (!marked) {
                    free++;
                }
                if (inUse && !marked) {
                    usedNotMarked.add(first + i);
                } else if (!inUse && marked) {
                    markedNotUsed.add(first + i);
                }
            }
            if (!usedNotMarked.isEmpty()) {
                problems.add("Group " + g + ": " + usedNotMarked.size() + " blocks in use are free in the bitmap"
                        + " (first " + usedNotMarked.subList(0, Math.min(MAX_LISTED, usedNotMarked.size())) + ").");
            }
            if (!markedNotUsed.isEmpty()) {
                problems.add("Group " + g + ": " + markedNotUsed.size() + " blocks are marked in use but nothing owns"
                        + " them (first " + markedNotUsed.subList(0, Math.min(MAX_LISTED, markedNotUsed.size()))
                        + ").");
            }
            if (free != groups[g].freeBlocks) {
                problems.add("Group " + g + " descriptor says " + groups[g].freeBlocks + " free blocks, the bitmap has "
                        + free + ".");
            }
        }
    }
}
