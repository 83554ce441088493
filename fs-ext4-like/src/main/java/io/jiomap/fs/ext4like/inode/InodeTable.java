package io.jiomap.fs.ext4like.inode;

import io.jiomap.api.Errno;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.FormatException;
import io.jiomap.fs.ext4like.disk.InodeRecord;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.meta.ExtentTree;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory inodes and their inode-table blocks (the kernel's {@code ext4_iget}, ialloc.c and
 * {@code ext4_evict_inode}): an inode is read and checked on first use and kept; new inodes are allocated in their
 * parent's group; a deleted one gives back its blocks, then its number.
 */
public final class InodeTable {
    private final Volume vol;
    private final Superblock sb;
    private final Map<Long, Ext4Inode> inodes = new HashMap<>();
    private long nextGeneration = java.util.concurrent.ThreadLocalRandom.current().nextInt();

    InodeTable(Volume vol) {
        this.vol = vol;
        this.sb = vol.superblock();
    }

    /** Where data of inode {@code ino} goes first: past its group's metadata. */
    long goalFor(long ino) {
        int g = (int) ((ino - 1) / sb.inodesPerGroup);
        return sb.groupFirstBlock(g) + sb.groupOverhead(g) + 2 + sb.inodeTableBlocks();
    }

    private long inodeBlock(long ino) {
        int g = (int) ((ino - 1) / sb.inodesPerGroup);
        long index = (ino - 1) % sb.inodesPerGroup;
        return vol.allocator().group(g).inodeTable + index * Superblock.INODE_SIZE / sb.blockSize;
    }

    private int inodeOffset(long ino) {
        long index = (ino - 1) % sb.inodesPerGroup;
        return (int) (index * Superblock.INODE_SIZE % sb.blockSize);
    }

    /** Writes an inode into its inode-table block in the running transaction. */
    void writeInodeLocked(long ino, InodeRecord rec) {
        long block = inodeBlock(ino);
        rec.encode(ino, vol.cache().get(block), inodeOffset(ino));
        vol.journal().dirtyLocked(block);
    }

    /** The in-memory inode, read and checked on first use. @throws FsError EUCLEAN for a corrupt or free one */
    public Ext4Inode get(long ino) {
        Ext4Inode in = find(ino);
        if (in == null) {
            throw new FsError(Errno.EUCLEAN, "inode " + ino + " is referenced but free");
        }
        return in;
    }

    /**
     * The in-memory inode, read and checked on first use, or null when its slot is free (an inode number the VFS
     * kept after the inode went). @throws FsError EUCLEAN for a corrupt one or a number out of range
     */
    public Ext4Inode find(long ino) {
        Journal journal = vol.journal();
        journal.metaLock().lock();
        try {
            Ext4Inode in = inodes.get(ino);
            if (in != null) {
                return in;
            }
            if (ino < 1 || ino > sb.inodesCount) {
                throw new FsError(Errno.EUCLEAN, "inode number " + ino + " is out of range");
            }
            long block = inodeBlock(ino);
            String where = "inode table block " + block;
            try {
                InodeRecord rec = InodeRecord.decode(ino, vol.cache().get(block), inodeOffset(ino), where);
                if (!rec.inUse()) {
                    return null;
                }
                in = new Ext4Inode(vol, ino, rec);
                in.tree = rec.hasExtents() ? ExtentTree.load(ino, rec.iBlock, sb.blockSize, in)
                        : ExtentTree.empty(ino, sb.blockSize, in);
                checkExtents(ino, in.tree.extents());
            } catch (FormatException e) {
                throw new FsError(Errno.EUCLEAN, e.getMessage());
            }
            inodes.put(ino, in);
            return in;
        } finally {
            journal.metaLock().unlock();
        }
    }

    /** An inode already in memory (the orphan chain's predecessors always are), or null. */
    Ext4Inode cachedLocked(long ino) {
        return inodes.get(ino);
    }

    /** Every inode in memory now. */
    public List<Ext4Inode> all() {
        vol.journal().metaLock().lock();
        try {
            return new ArrayList<>(inodes.values());
        } finally {
            vol.journal().metaLock().unlock();
        }
    }

    /** The checks a mapping needs before it is trusted with I/O: order, no overlap, inside the filesystem. */
    private void checkExtents(long ino, List<Extent> extents) throws FormatException {
        long prevEnd = 0;
        for (Extent e : extents) {
            if (e.logical() < prevEnd) {
                throw new FormatException("inode " + ino + ": extent at logical block " + e.logical()
                        + " overlaps or precedes the one before it");
            }
            if (e.physical() < sb.firstDataBlock || e.physical() + e.length() > sb.blocksCount) {
                throw new FormatException("inode " + ino + ": extent at logical block " + e.logical()
                        + " maps blocks " + e.physical() + ".." + (e.physical() + e.length() - 1)
                        + ", outside the filesystem");
            }
            prevEnd = e.end();
        }
    }

    /**
     * A new inode in the group of {@code parent}, written in the running transaction: {@code type} is
     * {@link InodeRecord#MODE_REG}, {@link InodeRecord#MODE_DIR} or {@link InodeRecord#MODE_LNK}; all three times
     * are {@code now}; the generation is the mount's next one (ext4's s_next_generation, random at mount), so an
     * inode number used again gets a new one.
     */
    public Ext4Inode createLocked(Ext4Inode parent, int type, int perm, int uid, int gid, long now) {
        boolean dir = type == InodeRecord.MODE_DIR;
        int group = (int) ((parent.ino() - 1) / sb.inodesPerGroup);
        long ino = vol.allocator().allocateInodeLocked(group, dir);
        InodeRecord rec = new InodeRecord();
        rec.mode = type | (perm & InodeRecord.PERM_MASK);
        rec.links = dir ? 2 : 1;
        rec.flags = InodeRecord.EXTENTS_FL;
        rec.generation = nextGeneration++ & 0xFFFFFFFFL;
        rec.uid = uid & 0xFFFFFFFFL;
        rec.gid = gid & 0xFFFFFFFFL;
        rec.atime = now;
        rec.mtime = now;
        rec.ctime = now;
        Ext4Inode in = new Ext4Inode(vol, ino, rec);
        in.tree = ExtentTree.empty(ino, sb.blockSize, in);
        inodes.put(ino, in);
        in.persistLocked(false);
        return in;
    }

    /**
     * Frees all blocks of an inode with no names left, then the inode (ext4_evict_inode); it is on the orphan list
     * meanwhile, so a crash half way finishes the job at mount.
     */
    public void evict(Ext4Inode in) {
        OrphanList orphans = vol.orphans();
        Journal journal = vol.journal();
        try (Journal.Handle h = journal.start(OrphanList.CREDITS + 2)) {
            orphans.addLocked(in);
            in.setSizeLocked(0);
        }
        in.space().trimPastEof();
        try (Journal.Handle h = journal.start(OrphanList.CREDITS + 4)) {
            boolean dir = in.isDir();
            if (in.rec.xattrBlock != 0) {
                in.free(in.rec.xattrBlock);
                in.rec.xattrBlock = 0;
            }
            orphans.dropLocked(in);
            in.rec.mode = 0;
            in.rec.links = 0;
            writeInodeLocked(in.ino(), in.rec);
            vol.allocator().freeInodeLocked(in.ino(), dir);
            inodes.remove(in.ino());
        }
    }
}
