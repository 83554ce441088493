package io.jiomap.fs.xfslike.fsck;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.fs.xfslike.format.BlockType;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.InodeRecords;
import io.jiomap.fs.xfslike.format.Superblock;
import io.jiomap.fs.xfslike.checkpoint.Checkpoint;
import io.jiomap.fs.xfslike.log.Log;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.FreeSpace;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.meta.RefcountIndex;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The checker (docs/filesystems.md, "Checks of both filesystems", "xfs-like fsck extras"), as xfs_repair -n: it changes
 * nothing and reports each problem as one sentence saying what is wrong, where, and what was expected.
 */
public final class Checker {
    private Checker() {
    }

    /** One claim on a range of blocks. */
    private record Claim(long start, long length, int kind, String owner) {
        static final int FREE = 0;
        static final int DATA = 1;
        static final int STAGING = 2;

        long end() {
            return start + length;
        }
    }

    /**
     * The consistency of metadata in memory (also run at mount, after recovery): block ownership and reference
     * counts, extent maps, inode allocation, directories and link counts, CoW staging leftovers.
     */
    public static List<String> checkState(Metadata md) {
        List<String> problems = new ArrayList<>();
        Geometry g = md.geometry();
        List<Claim> claims = new ArrayList<>();
        for (int ag = 0; ag < g.agCount(); ag++) {
            for (Map.Entry<Long, Long> f : md.free(ag).byBlock().entrySet()) {
                if (!g.isDataRange(f.getKey(), f.getValue()) || g.agOf(f.getKey()) != ag) {
                    problems.add("free extent [" + f.getKey() + ", " + (f.getKey() + f.getValue()) + ") of AG " + ag
                            + " lies outside the AG's data space");
                } else {
                    claims.add(new Claim(f.getKey(), f.getValue(), Claim.FREE, "the free space of AG " + ag));
                }
            }
        }
        for (Map.Entry<Long, Long> s : md.refcount().staging().entrySet()) {
            problems.add("CoW staging extent [" + s.getKey() + ", " + (s.getKey() + s.getValue())
                    + ") is left over from an unfinished copy-on-write (mount the filesystem to free it)");
            if (g.isDataRange(s.getKey(), s.getValue())) {
                claims.add(new Claim(s.getKey(), s.getValue(), Claim.STAGING, "CoW staging"));
            }
        }
        for (InodeCore c : md.inodes().values()) {
            checkExtents(g, c, problems, claims);
        }
        checkOwnership(md, claims, problems);
        checkInodeAllocation(md, problems);
        checkNamespace(md, problems);
        checkAttributes(md, problems);
        return problems;
    }

    /** Mode bits, generations, symbolic link targets against kind and size, extended attribute records. */
    private static void checkAttributes(Metadata md, List<String> problems) {
        for (InodeCore c : md.inodes().values()) {
            String inode = "inode " + c.ino();
            if ((c.mode() & ~FileStat.MODE_MASK) != 0) {
                problems.add(inode + " has mode 0" + Integer.toOctalString(c.mode()) + "; only the bits of 07777 "
                        + "may be set (the kind is not in the mode)");
            }
            if (c.generation() < 1 || c.generation() >= md.nextGeneration()) {
                problems.add(inode + " has generation " + c.generation() + "; generations run from 1 to below the "
                        + "next one the checkpoint hands out, " + md.nextGeneration());
            }
            if (c.isSymlink()) {
                int bytes = c.target() == null ? 0 : InodeCore.nameBytes(c.target());
                if (bytes < 1 || bytes > InodeRecords.SYMLINK_MAX) {
                    problems.add("symbolic link " + inode + " has a target of " + bytes + " bytes; 1 to "
                            + InodeRecords.SYMLINK_MAX + " expected");
                }
                if (c.size() != bytes) {
                    problems.add("symbolic link " + inode + " has size " + c.size() + " but a target of " + bytes
                            + " bytes; the size is the target's length");
                }
                if (!c.data().isEmpty()) {
                    problems.add("symbolic link " + inode + " has " + c.data().size() + " data extents; its target "
                            + "lives in the inode");
                }
            } else if (c.target() != null) {
                problems.add(inode + " is a " + c.kind() + " but holds a symbolic link target");
            }
            for (Map.Entry<String, byte[]> x : c.xattrs().entrySet()) {
                int n = InodeCore.nameBytes(x.getKey());
                if (n < 1 || n > InodeRecords.NAME_MAX) {
                    problems.add(inode + " has an extended attribute name of " + n + " bytes; 1 to "
                            + InodeRecords.NAME_MAX + " allowed");
                }
            }
            if (c.xattrBytes() > InodeRecords.XATTR_SPACE) {
                problems.add(inode + " extended attributes take " + c.xattrBytes() + " bytes, over the "
                        + InodeRecords.XATTR_SPACE + "-byte attribute space of an inode");
            }
        }
    }

    private static void checkExtents(Geometry g, InodeCore c, List<String> problems, List<Claim> claims) {
        if (c.isDir() && !c.data().isEmpty()) {
            problems.add("directory inode " + c.ino() + " has " + c.data().size()
                    + " data extents; directories keep no data blocks (unwritten/data flags belong to files)");
            return;
        }
        if (c.size() < 0) {
            problems.add("inode " + c.ino() + " has negative size " + c.size());
        }
        long prevEnd = -1;
        for (Extent e : c.data().all()) {
            String where = "inode " + c.ino() + " extent at file block " + e.startoff();
            if (e.blockcount() < 1 || e.blockcount() > Geometry.MAX_EXTENT_BLOCKS) {
                problems.add(where + " has length " + e.blockcount() + " blocks; records hold 1 to "
                        + Geometry.MAX_EXTENT_BLOCKS);
                continue;
            }
            if (e.startoff() < prevEnd) {
                problems.add(where + " overlaps the previous extent, which ends at file block " + prevEnd);
            }
            prevEnd = Math.max(prevEnd, e.end());
            if (!g.isDataRange(e.startblock(), e.blockcount())) {
                problems.add(where + " maps device blocks [" + e.startblock() + ", "
                        + (e.startblock() + e.blockcount()) + "), which are not data space of one AG");
                continue;
            }
            claims.add(new Claim(e.startblock(), e.blockcount(), Claim.DATA,
                    "inode " + c.ino() + " at file block " + e.startoff()));
        }
        long eofBlocks = (c.size() + g.blockSize() - 1) / g.blockSize();
        Extent last = c.data().last();
        if (last != null && last.end() > eofBlocks && !c.hasFlag(InodeCore.FLAG_PREALLOC)) {
            problems.add("inode " + c.ino() + " has blocks up to file block " + last.end() + " past its EOF block "
                    + eofBlocks + " (size " + c.size() + ") without the preallocation marker");
        }
    }

    /**
     * Every data-space block is claimed exactly once (free, one file, or CoW staging), except shared blocks, whose
     * number of mappings must equal their reference count; and the reference counts must equal the sharing.
     */
    private static void checkOwnership(Metadata md, List<Claim> claims, List<String> problems) {
        Geometry g = md.geometry();
        TreeMap<Long, int[]> delta = new TreeMap<>();
        for (Claim c : claims) {
            delta.computeIfAbsent(c.start(), k -> new int[3])[c.kind()]++;
            delta.computeIfAbsent(c.end(), k -> new int[3])[c.kind()]--;
        }
        for (RefcountIndex.Shared s : md.refcount().shared()) {
            delta.computeIfAbsent(s.start(), k -> new int[3]);
            delta.computeIfAbsent(s.end(), k -> new int[3]);
            if (s.count() < 2) {
                problems.add("refcount record [" + s.start() + ", " + s.end() + ") holds count " + s.count()
                        + "; the index keeps only blocks shared two or more times");
            }
        }
        for (int ag = 0; ag < g.agCount(); ag++) {
            long s = g.agDataStart(ag);
            long e = g.agEnd(ag);
            if (e > s) {
                delta.computeIfAbsent(s, k -> new int[3]);
                delta.computeIfAbsent(e, k -> new int[3]);
            }
        }
        int free = 0;
        int data = 0;
        int staging = 0;
        Long prev = null;
        int reported = 0;
        for (Map.Entry<Long, int[]> ev : delta.entrySet()) {
            long at = ev.getKey();
            if (prev != null && at > prev && g.isDataRange(prev, 1) && reported < 50) {
                String p = segmentProblem(md, claims, prev, at, free, data, staging);
                if (p != null) {
                    problems.add(p);
                    reported++;
                }
            }
            free += ev.getValue()[Claim.FREE];
            data += ev.getValue()[Claim.DATA];
            staging += ev.getValue()[Claim.STAGING];
            prev = at;
        }
    }

    private static String segmentProblem(Metadata md, List<Claim> claims, long a, long b, int free, int data,
                                         int staging) {
        String range = "blocks [" + a + ", " + b + ")";
        int owners = free + data + staging;
        if (owners == 0) {
            return range + " are neither free nor used (leaked): add them to the free space";
        }
        if (free + staging > 0 && owners > 1) {
            return range + " are claimed " + owners + " times: by " + ownersOf(claims, a, b);
        }
        int expected = 1;
        for (RefcountIndex.Shared s : md.refcount().counts(a, b - a)) {
            expected = s.count();
            break;
        }
        if (data > 0 && data != expected) {
            return range + " are mapped " + data + " times (by " + ownersOf(claims, a, b)
                    + ") but the refcount index says " + expected;
        }
        if (data == 0 && expected >= 2) {
            return range + " have a refcount record of " + expected + " but are " + (free > 0 ? "free" : "CoW staging");
        }
        return null;
    }

    private static String ownersOf(List<Claim> claims, long a, long b) {
        List<String> out = new ArrayList<>();
        for (Claim c : claims) {
            if (c.start() < b && c.end() > a) {
                out.add(c.owner());
            }
        }
        return String.join(", ", out);
    }

    private static void checkInodeAllocation(Metadata md, List<String> problems) {
        Geometry g = md.geometry();
        for (int ag = 0; ag < g.agCount(); ag++) {
            for (Map.Entry<Long, Long> chunk : md.inobt(ag).entrySet()) {
                if (chunk.getKey() % Metadata.CHUNK != 0) {
                    problems.add("inode chunk at AG " + ag + " inode " + chunk.getKey()
                            + " is not aligned to " + Metadata.CHUNK);
                    continue;
                }
                if (chunk.getValue() == -1L) {
                    problems.add("inode chunk at AG " + ag + " inode " + chunk.getKey()
                            + " has every inode free; a free chunk must be removed from the index");
                }
                for (int i = 0; i < Metadata.CHUNK; i++) {
                    long ino = Metadata.ino(ag, chunk.getKey() + i);
                    boolean allocated = (chunk.getValue() & (1L << i)) == 0;
                    if (allocated && md.inode(ino) == null) {
                        problems.add("inode " + ino + " is marked allocated in the inode index but has no inode "
                                + "record");
                    }
                    if (!allocated && md.inode(ino) != null) {
                        problems.add("inode " + ino + " has a record but is marked free in the inode index");
                    }
                }
            }
        }
        for (long ino : md.inodes().keySet()) {
            int ag = Metadata.agOfIno(ino);
            long agino = ino & 0xffffffffL;
            if (ag >= g.agCount() || !md.inobt(ag).containsKey(agino - agino % Metadata.CHUNK)) {
                problems.add("inode " + ino + " has a record but no chunk in the inode index");
            }
        }
    }

    private static void checkNamespace(Metadata md, List<String> problems) {
        InodeCore root = md.inode(md.rootIno());
        if (root == null || !root.isDir()) {
            problems.add("the root inode " + md.rootIno() + " is missing or not a directory");
            return;
        }
        Map<Long, Integer> references = new HashMap<>();
        Map<Long, Integer> subdirs = new HashMap<>();
        for (InodeCore dir : md.inodes().values()) {
            if (!dir.isDir()) {
                continue;
            }
            for (Map.Entry<String, Long> e : dir.entries().entrySet()) {
                InodeCore child = md.inode(e.getValue());
                if (child == null) {
                    problems.add("directory inode " + dir.ino() + " entry '" + e.getKey() + "' names inode "
                            + e.getValue() + ", which does not exist");
                    continue;
                }
                references.merge(child.ino(), 1, Integer::sum);
                if (child.isDir()) {
                    subdirs.merge(dir.ino(), 1, Integer::sum);
                }
            }
        }
        Map<Long, Long> namedIn = new HashMap<>();
        for (InodeCore dir : md.inodes().values()) {
            if (dir.isDir()) {
                for (long child : dir.entries().values()) {
                    InodeCore cc = md.inode(child);
                    if (cc != null && cc.isDir()) {
                        namedIn.put(child, dir.ino());
                    }
                }
            }
        }
        if (root.parent() != root.ino()) {
            problems.add("the root directory's parent is inode " + root.parent() + "; the root holds itself");
        }
        for (InodeCore c : md.inodes().values()) {
            int refs = references.getOrDefault(c.ino(), 0);
            if (c.isDir() && c.ino() != md.rootIno() && namedIn.containsKey(c.ino())
                    && c.parent() != namedIn.get(c.ino())) {
                problems.add("directory inode " + c.ino() + " records parent " + c.parent() + " but is named in "
                        + "directory " + namedIn.get(c.ino()));
            }
            if (c.hasFlag(InodeCore.FLAG_ORPHAN)) {
                if (c.isDir() || refs != 0 || c.nlink() != 0) {
                    problems.add("inode " + c.ino() + " is marked an orphan (unlinked while open) but is a "
                            + c.kind() + " with link count " + c.nlink() + " named by " + refs
                            + " entries; an orphan is a non-directory with no links and no names");
                }
                continue;
            }
            if (c.ino() == md.rootIno()) {
                if (refs != 0) {
                    problems.add("the root directory is named by " + refs + " directory entries");
                }
            } else if (refs == 0) {
                problems.add("inode " + c.ino() + " is allocated but no directory names it");
            } else if (c.isDir() && refs > 1) {
                problems.add("directory inode " + c.ino() + " is named by " + refs + " entries; a directory has "
                        + "one parent");
            }
            int expected = c.isDir() ? 2 + subdirs.getOrDefault(c.ino(), 0) : refs;
            if (c.ino() != md.rootIno() && refs == 0 && !c.isDir()) {
                continue;
            }
            if (c.nlink() != expected) {
                problems.add("inode " + c.ino() + " has link count " + c.nlink() + ", expected " + expected);
            }
        }
        Set<Long> seen = new HashSet<>();
        ArrayDeque<InodeCore> toVisit = new ArrayDeque<>();
        seen.add(root.ino());
        toVisit.add(root);
        while (!toVisit.isEmpty()) {
            for (long child : toVisit.poll().entries().values()) {
                InodeCore cc = md.inode(child);
                if (cc != null && seen.add(child) && cc.isDir()) {
                    toVisit.add(cc);
                }
            }
        }
        for (long ino : md.inodes().keySet()) {
            if (!seen.contains(ino) && references.getOrDefault(ino, 0) > 0) {
                problems.add("inode " + ino + " is not reachable from the root directory");
            }
        }
    }

    /** fsck: checks the unmounted filesystem on {@code device} without changing it. */
    public static FsckReport fsck(String type, BlockDevice device, Superblock sb) throws JiomapException {
        List<String> problems = new ArrayList<>();
        List<String> summary = new ArrayList<>();
        Geometry g = sb.geometry();
        Disk disk = new Disk(device, g.blockSize());
        summary.add("superblock: " + g.agCount() + " allocation groups of " + g.agBlocks() + " blocks, block size "
                + g.blockSize() + ", " + g.totalBlocks() + " blocks, log " + g.logBlocks() + " blocks, reflink "
                + (sb.reflink() ? "on" : "off") + ", uuid " + sb.uuid());
        if (!sb.posix()) {
            problems.add(Superblock.predatesPosix(device.name()));
            summary.add("the image predates POSIX metadata; nothing more was checked");
            return new FsckReport(type, problems, summary);
        }
        checkBackupSuperblocks(device, disk, sb, problems);
        Checkpoint.Loaded loaded;
        long region = g.metaStart(sb.activeSlot());
        try {
            loaded = Checkpoint.load(disk, g, sb.uuid(), sb.generation(), region, sb.metaUsed());
        } catch (JiomapException e) {
            if (e.errno() != Errno.EUCLEAN) {
                throw e;
            }
            problems.add(e.getMessage().substring(e.getMessage().indexOf(' ') + 1));
            summary.add("checkpoint generation " + sb.generation() + " could not be read; nothing more was checked");
            return new FsckReport(type, problems, summary);
        }
        Metadata md = loaded.metadata();
        summary.add("checkpoint generation " + sb.generation() + ": " + sb.metaUsed() + " blocks in region "
                + (sb.activeSlot() == 0 ? "A" : "B") + ", " + loaded.segments().size() + " segments");
        checkStoredIndexes(disk, g, sb, region, loaded, problems);
        Log.Scan scan = Log.scan(disk, g, sb.uuid(), sb.generation(), sb.logTail(), sb.logTailSeq());
        if (scan.checkpoints() > 0) {
            problems.add("log needs replay: " + scan.checkpoints() + " checkpoint(s) with "
                    + scan.transactions().size() + " transaction(s) follow the tail; mount it first");
            summary.add("log: " + scan.checkpoints() + " checkpoint(s) pending replay; the rest was checked on the "
                    + "checkpoint with the log replayed in memory");
            for (Transaction.Committed c : scan.transactions()) {
                try {
                    for (LogItem item : c.items()) {
                        item.apply(md);
                    }
                } catch (RuntimeException e) {
                    problems.add("log transaction " + c.seq() + " does not apply to the checkpoint it follows ("
                            + e.getMessage() + "); mounting will refuse this log");
                    break;
                }
            }
        } else {
            summary.add("log: clean (head == tail at log block " + sb.logTail() + ")");
        }
        problems.addAll(checkState(md));
        long dirs = 0;
        long extents = 0;
        long used = 0;
        for (InodeCore c : md.inodes().values()) {
            dirs += c.isDir() ? 1 : 0;
            extents += c.data().size();
            used += c.data().blocks();
        }
        long orphans = md.inodes().values().stream().filter(c -> c.hasFlag(InodeCore.FLAG_ORPHAN)).count();
        if (orphans > 0) {
            summary.add(orphans + " orphan(s): inodes unlinked while open when the filesystem stopped; the next "
                    + "mount frees them");
        }
        summary.add(md.inodes().size() + " inodes (" + dirs + " directories), " + extents + " extents mapping "
                + used + " blocks, " + md.refcount().sharedCount() + " shared ranges, " + md.freeBlocks()
                + " of " + g.dataBlocks() + " data blocks free");
        summary.add("superblocks, every checkpoint block's CRC/owner/generation, free space by block and "
                + "by size, AG counters, inode allocation, extent maps, block ownership and reference counts, "
                + "CoW staging, the log, directories, parents and link counts, mode bits, generations, symbolic "
                + "links, extended attributes, orphans");
        return new FsckReport(type, problems, summary);
    }

    private static void checkBackupSuperblocks(BlockDevice device, Disk disk, Superblock sb, List<String> problems)
            throws JiomapException {
        Geometry g = sb.geometry();
        int n = Math.max(Superblock.SIZE, device.capabilities().logicalBlockSize());
        for (int ag = 1; ag < g.agCount(); ag++) {
            try {
                Superblock b = Superblock.decode(ByteBuffer.wrap(disk.readBytes(g.byteOf(g.agStart(ag)), n)),
                        "AG " + ag, device.capabilities().capacityBytes(), device.capabilities().logicalBlockSize());
                if (!b.geometry().equals(g) || !b.uuid().equals(sb.uuid())) {
                    problems.add("backup superblock of AG " + ag + " describes another geometry or filesystem ("
                            + b.uuid() + ") than the primary");
                }
            } catch (JiomapException e) {
                problems.add("backup superblock of AG " + ag + " is unusable: " + e.getMessage());
            }
        }
    }

    /** bnobt == cntbt as stored, and the AG header counters equal what the indexes hold. */
    private static void checkStoredIndexes(Disk disk, Geometry g, Superblock sb, long region,
                                           Checkpoint.Loaded loaded, List<String> problems) throws JiomapException {
        Metadata md = loaded.metadata();
        for (int ag = 0; ag < g.agCount(); ag++) {
            FreeSpace f = md.free(ag);
            List<long[]> bySize = Checkpoint.storedBySize(disk, g, sb.uuid(), sb.generation(), region,
                    loaded.segments(), ag);
            Map<Long, Long> fromCnt = new TreeMap<>();
            long[] prev = null;
            for (long[] r : bySize) {
                if (prev != null && (r[0] < prev[0] || (r[0] == prev[0] && r[1] <= prev[1]))) {
                    problems.add("AG " + ag + ": the by-size free index is out of order at length " + r[0]
                            + " start " + r[1]);
                }
                prev = r;
                fromCnt.put(r[1], r[0]);
            }
            long longest = 0;
            for (Map.Entry<Long, Long> e : f.byBlock().entrySet()) {
                longest = Math.max(longest, e.getValue());
                Long len = fromCnt.remove(e.getKey());
                if (len == null || !len.equals(e.getValue())) {
                    problems.add("AG " + ag + ": free extent [" + e.getKey() + ", " + (e.getKey() + e.getValue())
                            + ") is in the by-block index but " + (len == null ? "missing from" : "of length " + len
                            + " in") + " the by-size index");
                }
            }
            for (Map.Entry<Long, Long> e : fromCnt.entrySet()) {
                problems.add("AG " + ag + ": free extent [" + e.getKey() + ", " + (e.getKey() + e.getValue())
                        + ") is in the by-size index but not in the by-block index");
            }
            long[] h = Checkpoint.storedAgHeader(disk, g, sb.uuid(), sb.generation(), region, loaded.segments(), ag);
            if (h == null) {
                problems.add("AG " + ag + " has no AG header in the checkpoint");
                continue;
            }
            long sum = 0;
            for (long len : f.byBlock().values()) {
                sum += len;
            }
            compare(problems, ag, "free block count", h[0], sum);
            compare(problems, ag, "free extent count", h[1], f.byBlock().size());
            compare(problems, ag, "longest free extent", h[2], longest);
            long allocated = 0;
            long freeInodes = 0;
            for (long mask : md.inobt(ag).values()) {
                allocated += Metadata.CHUNK - Long.bitCount(mask);
                freeInodes += Long.bitCount(mask);
            }
            compare(problems, ag, "allocated inode count", h[3], allocated);
            compare(problems, ag, "free inode count", h[4], freeInodes);
        }
        for (Checkpoint.Segment s : loaded.segments()) {
            if (s.type() == BlockType.CNT || s.type() == BlockType.AG_HEADER) {
                continue;
            }
            if (s.records() < 0) {
                problems.add("checkpoint segment " + s.type().describe(s.owner()) + " has a negative record count");
            }
        }
    }

    private static void compare(List<String> problems, int ag, String what, long stored, long computed) {
        if (stored != computed) {
            problems.add("AG " + ag + " header " + what + " is " + stored + ", but the indexes give " + computed);
        }
    }
}
