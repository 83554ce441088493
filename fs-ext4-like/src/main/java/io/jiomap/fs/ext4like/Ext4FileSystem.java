package io.jiomap.fs.ext4like;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.fs.ext4like.disk.DirBlock;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.FormatException;
import io.jiomap.fs.ext4like.disk.GroupDesc;
import io.jiomap.fs.ext4like.disk.InodeRecord;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.meta.Allocator;
import io.jiomap.fs.ext4like.meta.BlockCache;
import io.jiomap.fs.ext4like.meta.ExtentTree;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import io.jiomap.fs.ext4like.meta.Recovery;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/** A mounted ext4-like filesystem: namespace, inodes, the journal, the allocator, the orphan list. */
public final class Ext4FileSystem implements FileSystem {
    private static final System.Logger LOG = System.getLogger(Ext4FileSystem.class.getName());
    /** Credits of an orphan-list change: the superblock, the inode and its predecessor's inode-table blocks. */
    static final int ORPHAN_CREDITS = 4;

    private final BlockDevice device;
    private final Superblock sb;
    private final BlockCache cache;
    private final Journal journal;
    private final Allocator allocator;
    private final DirectIoEngine directIo;
    private final Map<Long, Ext4Inode> inodes = new HashMap<>();
    private final Map<Long, List<List<DirBlock.Entry>>> dirs = new HashMap<>();
    private final LinkedHashSet<Long> orphans = new LinkedHashSet<>();
    private final ReentrantLock namespace = new ReentrantLock();
    private volatile boolean unmounted;

    private Ext4FileSystem(BlockDevice device, Superblock sb, GroupDesc[] groups, long nextTid,
                           DirectIoEngine directIo) {
        this.device = device;
        this.sb = sb;
        this.cache = new BlockCache(device, sb.blockSize);
        Allocator[] alloc = new Allocator[1];
        this.journal = new Journal(cache, sb.journalFirstBlock, sb.journalBlocks, nextTid,
                freed -> alloc[0].committed(freed));
        this.allocator = new Allocator(sb, cache, journal, groups);
        alloc[0] = allocator;
        this.directIo = directIo;
    }

    /** Mounts: journal recovery, checks of the superblock and group descriptors, then orphan processing. */
    static Ext4FileSystem mount(BlockDevice device, DirectIoEngine directIo) throws JiomapException {
        try {
            Superblock sb = readSuperblock(device);
            Recovery.Scan scan = Recovery.scan(device, sb.blockSize, sb.journalFirstBlock, sb.journalBlocks);
            long nextTid = Recovery.replay(device, sb.blockSize, sb.journalFirstBlock, sb.journalBlocks, scan);
            sb = readSuperblock(device);
            GroupDesc[] groups = readGroups(device, sb);
            Ext4FileSystem fs = new Ext4FileSystem(device, sb, groups, nextTid, directIo);
            Ext4Inode root = fs.inode(Superblock.ROOT_INO);
            if (!root.isDir()) {
                throw new FormatException("inode " + Superblock.ROOT_INO + " (the root) is not a directory");
            }
            fs.processOrphans();
            return fs;
        } catch (FormatException e) {
            throw new JiomapException(Errno.EUCLEAN, "refusing to mount " + device.name() + ": " + e.getMessage());
        } catch (FsError e) {
            throw e.toException();
        }
    }

    /** The primary superblock, checked: what mount and fsck both start from. */
    public static Superblock readSuperblock(BlockDevice device) throws FormatException {
        byte[] b = new byte[Superblock.SIZE];
        BlockCache.readRaw(device, Superblock.OFFSET, b);
        return Superblock.decode(b, 0, device.capabilities().capacityBytes(), "superblock (byte 1024)");
    }

    static GroupDesc[] readGroups(BlockDevice device, Superblock sb) throws FormatException {
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

    // ---------------------------------------------------------------- plumbing for inodes

    Journal journal() {
        return journal;
    }

    BlockCache cache() {
        return cache;
    }

    Allocator allocator() {
        return allocator;
    }

    DirectIoEngine directIo() {
        return directIo;
    }

    Superblock superblock() {
        return sb;
    }

    long goalFor(long ino) {
        int g = (int) ((ino - 1) / sb.inodesPerGroup);
        return sb.groupFirstBlock(g) + sb.groupOverhead(g) + 2 + sb.inodeTableBlocks();
    }

    private long inodeBlock(long ino) {
        int g = (int) ((ino - 1) / sb.inodesPerGroup);
        long index = (ino - 1) % sb.inodesPerGroup;
        return allocator.group(g).inodeTable + index * Superblock.INODE_SIZE / sb.blockSize;
    }

    private int inodeOffset(long ino) {
        long index = (ino - 1) % sb.inodesPerGroup;
        return (int) (index * Superblock.INODE_SIZE % sb.blockSize);
    }

    /** Writes an inode into its inode-table block in the running transaction (metadata lock held). */
    void writeInode(long ino, InodeRecord rec) {
        long block = inodeBlock(ino);
        rec.encode(ino, cache.get(block), inodeOffset(ino));
        journal.dirty(block);
    }

    private void writeSuperblockLocked() {
        long block = sb.superblockBlock(0);
        sb.groupNr = 0;
        sb.encode(cache.get(block), sb.offsetInBlock(0));
        journal.dirty(block);
    }

    /** The in-memory inode, read and checked on first use. @throws FsError EUCLEAN for a corrupt one */
    Ext4Inode inode(long ino) {
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
                InodeRecord rec = InodeRecord.decode(ino, cache.get(block), inodeOffset(ino), where);
                if (!rec.inUse()) {
                    throw new FsError(Errno.EUCLEAN, "inode " + ino + " is referenced but free");
                }
                in = new Ext4Inode(this, ino, rec);
                in.tree = ExtentTree.load(ino, rec.iBlock, sb.blockSize, in);
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

    // ---------------------------------------------------------------- orphans (metadata lock held)

    boolean isOrphan(Ext4Inode in) {
        return orphans.contains(in.ino());
    }

    void orphanAddLocked(Ext4Inode in) {
        if (!orphans.add(in.ino())) {
            return;
        }
        in.rec.nextOrphan = sb.lastOrphan;
        sb.lastOrphan = in.ino();
        in.persist(false);
        writeSuperblockLocked();
    }

    /**
     * Takes the inode off the orphan list once the work it was put there for is done (an extending write's end_io,
     * a finished truncate), unless no name refers to it any more: such an inode stays on the list until
     * {@link #deleteInode} frees it, or a crash between that work's commit and the deletion's would leave an inode
     * that nothing refers to and nothing frees (the drain in unlink runs end_io just before the deletion).
     */
    void orphanRemoveLocked(Ext4Inode in) {
        if (in.rec.links == 0) {
            return;
        }
        orphanDropLocked(in);
    }

    /** Takes the inode off the orphan list, whatever its link count. */
    private void orphanDropLocked(Ext4Inode in) {
        if (!orphans.remove(in.ino())) {
            return;
        }
        if (sb.lastOrphan == in.ino()) {
            sb.lastOrphan = in.rec.nextOrphan;
            writeSuperblockLocked();
        } else {
            long at = sb.lastOrphan;
            while (at != 0) {
                Ext4Inode prev = inodes.get(at);
                if (prev.rec.nextOrphan == in.ino()) {
                    prev.rec.nextOrphan = in.rec.nextOrphan;
                    prev.persist(false);
                    break;
                }
                at = prev.rec.nextOrphan;
            }
        }
        in.rec.nextOrphan = 0;
        in.persist(false);
    }

    /** Orphan processing at mount (ext4_orphan_cleanup): trims blocks past i_size, frees unlinked inodes. */
    private void processOrphans() throws FormatException {
        List<Ext4Inode> list = new ArrayList<>();
        long at = sb.lastOrphan;
        while (at != 0) {
            if (at < Superblock.FIRST_INO || at > sb.inodesCount || list.size() > sb.inodesCount) {
                throw new FormatException("orphan list: inode " + at + " is not a valid orphan");
            }
            Ext4Inode in = inode(at);
            orphans.add(at);
            list.add(in);
            at = in.rec.nextOrphan;
        }
        for (Ext4Inode in : list) {
            if (in.rec.links == 0) {
                deleteInode(in);
            } else {
                in.trimPastEof();
            }
        }
        if (!list.isEmpty()) {
            int r = journal.commit();
            if (r < 0) {
                throw new FsError(-r, "committing orphan processing");
            }
        }
    }

    /** Frees all blocks of an inode with no names left, then the inode (it is on the orphan list meanwhile). */
    private void deleteInode(Ext4Inode in) {
        try (Journal.Handle h = journal.start(ORPHAN_CREDITS + 2)) {
            orphanAddLocked(in);
            in.setSizeLocked(0);
        }
        in.trimPastEof();
        try (Journal.Handle h = journal.start(ORPHAN_CREDITS + 4)) {
            boolean dir = in.isDir();
            orphanDropLocked(in);
            in.rec.mode = 0;
            in.rec.links = 0;
            writeInode(in.ino(), in.rec);
            allocator.freeInode(in.ino(), dir);
            inodes.remove(in.ino());
            dirs.remove(in.ino());
        }
    }

    void reportError(String what, FsError e) {
        LOG.log(System.Logger.Level.WARNING, what + ": " + e.getMessage(), e);
    }

    int flushCache() {
        if (!device.capabilities().volatileWriteCache()) {
            return 0;
        }
        try {
            cache.flush();
            return 0;
        } catch (FsError e) {
            return -e.errno();
        }
    }

    // ---------------------------------------------------------------- directories (namespace lock held)

    private List<List<DirBlock.Entry>> dir(Ext4Inode d) {
        List<List<DirBlock.Entry>> blocks = dirs.get(d.ino());
        if (blocks != null) {
            return blocks;
        }
        blocks = new ArrayList<>();
        long n = d.size() / sb.blockSize;
        journal.metaLock().lock();
        try {
            for (long i = 0; i < n; i++) {
                Extent e = d.tree.findFrom(i);
                if (e == null || e.logical() > i || e.unwritten()) {
                    throw new FsError(Errno.EUCLEAN, "directory inode " + d.ino() + " has no block " + i);
                }
                long phys = e.physicalAt(i);
                try {
                    blocks.add(new ArrayList<>(DirBlock.decode(cache.get(phys), d.ino(), "block " + phys)));
                } catch (FormatException ex) {
                    throw new FsError(Errno.EUCLEAN, ex.getMessage());
                }
            }
        } finally {
            journal.metaLock().unlock();
        }
        dirs.put(d.ino(), blocks);
        return blocks;
    }

    private DirBlock.Entry lookup(Ext4Inode d, String name) {
        for (List<DirBlock.Entry> block : dir(d)) {
            for (DirBlock.Entry e : block) {
                if (e.name().equals(name)) {
                    return e;
                }
            }
        }
        return null;
    }

    private void writeDirBlock(Ext4Inode d, int index) {
        Extent e = d.tree.findFrom(index);
        long phys = e.physicalAt(index);
        DirBlock.encode(cache.get(phys), d.ino(), dir(d).get(index));
        journal.dirty(phys);
    }

    /** Adds a name (metadata lock and a handle held); a new directory block if none has room. */
    private void addEntry(Ext4Inode d, DirBlock.Entry entry) {
        List<List<DirBlock.Entry>> blocks = dir(d);
        int room = sb.blockSize - DirBlock.TAIL;
        for (int i = 0; i < blocks.size(); i++) {
            if (DirBlock.used(blocks.get(i)) + entry.recordLength() <= room) {
                blocks.get(i).add(entry);
                writeDirBlock(d, i);
                return;
            }
        }
        int index = blocks.size();
        Extent got = d.allocateLocked(index, 1, false);
        cache.fresh(got.physical());
        blocks.add(new ArrayList<>(List.of(entry)));
        writeDirBlock(d, index);
        d.setSizeLocked((long) (index + 1) * sb.blockSize);
    }

    void removeEntry(Ext4Inode d, String name) {
        List<List<DirBlock.Entry>> blocks = dir(d);
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).removeIf(e -> e.name().equals(name))) {
                writeDirBlock(d, i);
                return;
            }
        }
    }

    private void replaceEntry(Ext4Inode d, String name, DirBlock.Entry with) {
        List<List<DirBlock.Entry>> blocks = dir(d);
        for (int i = 0; i < blocks.size(); i++) {
            List<DirBlock.Entry> b = blocks.get(i);
            for (int k = 0; k < b.size(); k++) {
                if (b.get(k).name().equals(name)) {
                    b.set(k, with);
                    writeDirBlock(d, i);
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------- paths

    private static List<String> components(String path) throws JiomapException {
        if (path == null || !path.startsWith("/")) {
            throw new JiomapException(Errno.EINVAL, "path '" + path + "' is not absolute");
        }
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.isEmpty()) {
                continue;
            }
            if (c.equals(".") || c.equals("..")) {
                throw new JiomapException(Errno.EINVAL, "path '" + path + "' has a '" + c + "' component");
            }
            if (c.getBytes(StandardCharsets.UTF_8).length > DirBlock.MAX_NAME) {
                throw new JiomapException(Errno.ENAMETOOLONG, "a name in '" + path + "' is longer than "
                        + DirBlock.MAX_NAME + " bytes");
            }
            out.add(c);
        }
        return out;
    }

    private Ext4Inode walk(List<String> parts, int count, String path) throws JiomapException {
        Ext4Inode at = inode(Superblock.ROOT_INO);
        for (int i = 0; i < count; i++) {
            if (!at.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + ": '" + parts.get(i - 1) + "' is not a directory");
            }
            DirBlock.Entry e = lookup(at, parts.get(i));
            if (e == null) {
                throw new JiomapException(Errno.ENOENT, path + ": '" + parts.get(i) + "' does not exist");
            }
            at = inode(e.ino());
        }
        return at;
    }

    private Ext4Inode parentOf(List<String> parts, String path) throws JiomapException {
        if (parts.isEmpty()) {
            throw new JiomapException(Errno.EEXIST, path + ": the root always exists");
        }
        Ext4Inode p = walk(parts, parts.size() - 1, path);
        if (!p.isDir()) {
            throw new JiomapException(Errno.ENOTDIR, path + ": the parent is not a directory");
        }
        return p;
    }

    private void checkMounted() throws JiomapException {
        if (unmounted) {
            throw new JiomapException(Errno.ENODEV, "the ext4-like filesystem on " + device.name()
                    + " is unmounted");
        }
    }

    /** Runs a namespace operation under the namespace lock, turning deep failures into exceptions. */
    private <T> T namespaceOp(NamespaceOp<T> op) throws JiomapException {
        checkMounted();
        namespace.lock();
        try {
            return op.run();
        } catch (FsError e) {
            throw e.toException();
        } finally {
            namespace.unlock();
        }
    }

    private interface NamespaceOp<T> {
        T run() throws JiomapException;
    }

    /**
     * Credits of a namespace change: two directory blocks and inodes, the new inode, its bitmap and descriptor, and
     * a new directory block with its extent edit (a directory's tree is shallow: a few blocks).
     */
    private int namespaceCredits() {
        return 32;
    }

    private Ext4Inode createInode(Ext4Inode parent, boolean dir) {
        int group = (int) ((parent.ino() - 1) / sb.inodesPerGroup);
        long ino = allocator.allocateInode(group, dir);
        InodeRecord rec = new InodeRecord();
        rec.mode = (dir ? InodeRecord.MODE_DIR | 0755 : InodeRecord.MODE_REG | 0644);
        rec.links = dir ? 2 : 1;
        rec.flags = InodeRecord.EXTENTS_FL;
        rec.generation = (System.nanoTime() ^ ino) & 0xFFFFFFFFL;
        Ext4Inode in = new Ext4Inode(this, ino, rec);
        in.tree = ExtentTree.empty(ino, sb.blockSize, in);
        inodes.put(ino, in);
        in.persist(false);
        return in;
    }

    @Override
    public String typeName() {
        return Ext4LikeFileSystemType.NAME;
    }

    @Override
    public BlockDevice device() {
        return device;
    }

    @Override
    public int blockSize() {
        return sb.blockSize;
    }

    @Override
    public Inode open(String path, int flags) throws JiomapException {
        List<String> parts = components(path);
        return namespaceOp(() -> {
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EISDIR, path + " is a directory");
            }
            Ext4Inode parent = parentOf(parts, path);
            String name = parts.getLast();
            DirBlock.Entry e = lookup(parent, name);
            if (e != null) {
                if ((flags & (CREATE | EXCLUSIVE)) == (CREATE | EXCLUSIVE)) {
                    throw new JiomapException(Errno.EEXIST, path + " exists");
                }
                Ext4Inode in = inode(e.ino());
                if (in.isDir()) {
                    throw new JiomapException(Errno.EISDIR, path + " is a directory");
                }
                return in;
            }
            if ((flags & CREATE) == 0) {
                throw new JiomapException(Errno.ENOENT, path + " does not exist");
            }
            try (Journal.Handle h = journal.start(namespaceCredits())) {
                checkSpaceForName(parent, name);
                Ext4Inode in = createInode(parent, false);
                addEntry(parent, new DirBlock.Entry(in.ino(), DirBlock.TYPE_REG, name));
                return in;
            }
        });
    }

    /** ENOSPC before anything changed: a new directory block may be needed (with its tree blocks). */
    private void checkSpaceForName(Ext4Inode parent, String name) {
        if (allocator.freeInodes() == 0) {
            throw new FsError(Errno.ENOSPC, "no free inodes left for " + name);
        }
        if (allocator.availableForData() < 2) {
            boolean room = false;
            int need = new DirBlock.Entry(0, 0, name).recordLength();
            for (List<DirBlock.Entry> b : dir(parent)) {
                room |= DirBlock.used(b) + need <= sb.blockSize - DirBlock.TAIL;
            }
            if (!room) {
                throw new FsError(Errno.ENOSPC, "no free block for a new directory block for " + name);
            }
        }
    }

    @Override
    public void mkdir(String path) throws JiomapException {
        List<String> parts = components(path);
        namespaceOp(() -> {
            Ext4Inode parent = parentOf(parts, path);
            String name = parts.getLast();
            if (lookup(parent, name) != null) {
                throw new JiomapException(Errno.EEXIST, path + " exists");
            }
            try (Journal.Handle h = journal.start(namespaceCredits())) {
                checkSpaceForName(parent, name);
                if (allocator.availableForData() < 2) {
                    throw new FsError(Errno.ENOSPC, "no free block for directory " + path);
                }
                Ext4Inode d = createInode(parent, true);
                dirs.put(d.ino(), new ArrayList<>());
                List<List<DirBlock.Entry>> blocks = dirs.get(d.ino());
                Extent got = d.allocateLocked(0, 1, false);
                cache.fresh(got.physical());
                blocks.add(new ArrayList<>(List.of(new DirBlock.Entry(d.ino(), DirBlock.TYPE_DIR, "."),
                        new DirBlock.Entry(parent.ino(), DirBlock.TYPE_DIR, ".."))));
                writeDirBlock(d, 0);
                d.setSizeLocked(sb.blockSize);
                addEntry(parent, new DirBlock.Entry(d.ino(), DirBlock.TYPE_DIR, name));
                parent.rec.links++;
                parent.persist(false);
            }
            return null;
        });
    }

    private boolean isEmptyDir(Ext4Inode d) {
        for (List<DirBlock.Entry> b : dir(d)) {
            for (DirBlock.Entry e : b) {
                if (!e.name().equals(".") && !e.name().equals("..")) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void rmdir(String path) throws JiomapException {
        List<String> parts = components(path);
        namespaceOp(() -> {
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EBUSY, "cannot remove the root directory");
            }
            Ext4Inode parent = parentOf(parts, path);
            DirBlock.Entry e = lookup(parent, parts.getLast());
            if (e == null) {
                throw new JiomapException(Errno.ENOENT, path + " does not exist");
            }
            Ext4Inode d = inode(e.ino());
            if (!d.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
            }
            if (!isEmptyDir(d)) {
                throw new JiomapException(Errno.ENOTEMPTY, path + " is not empty");
            }
            try (Journal.Handle h = journal.start(namespaceCredits())) {
                removeEntry(parent, parts.getLast());
                parent.rec.links--;
                parent.persist(false);
                d.rec.links = 0;
                orphanAddLocked(d);
            }
            deleteInode(d);
            return null;
        });
    }

    @Override
    public void unlink(String path) throws JiomapException {
        List<String> parts = components(path);
        namespaceOp(() -> {
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EISDIR, "/ is a directory");
            }
            Ext4Inode parent = parentOf(parts, path);
            DirBlock.Entry e = lookup(parent, parts.getLast());
            if (e == null) {
                throw new JiomapException(Errno.ENOENT, path + " does not exist");
            }
            Ext4Inode f = inode(e.ino());
            if (f.isDir()) {
                throw new JiomapException(Errno.EISDIR, path + " is a directory");
            }
            try (Journal.Handle h = journal.start(namespaceCredits())) {
                removeEntry(parent, parts.getLast());
                f.rec.links--;
                if (f.rec.links == 0) {
                    orphanAddLocked(f);
                }
                f.persist(false);
            }
            if (f.rec.links == 0) {
                release(f);
            }
            return null;
        });
    }

    /** Drains the inode's direct I/O (new I/O kept out by its lock), then frees it. */
    private void release(Ext4Inode f) {
        f.lock.writeLock().lock();
        try {
            f.dio().waitForDrain();
            f.markDeleted();
            deleteInode(f);
        } finally {
            f.lock.writeLock().unlock();
        }
    }

    @Override
    public void rename(String from, String to) throws JiomapException {
        List<String> src = components(from);
        List<String> dst = components(to);
        namespaceOp(() -> {
            if (src.isEmpty() || dst.isEmpty()) {
                throw new JiomapException(Errno.EBUSY, "cannot rename the root directory");
            }
            Ext4Inode sp = parentOf(src, from);
            DirBlock.Entry se = lookup(sp, src.getLast());
            if (se == null) {
                throw new JiomapException(Errno.ENOENT, from + " does not exist");
            }
            Ext4Inode dp = parentOf(dst, to);
            Ext4Inode moving = inode(se.ino());
            if (moving.isDir()) {
                for (Ext4Inode at = dp; ; ) {
                    if (at.ino() == moving.ino()) {
                        throw new JiomapException(Errno.EINVAL, "cannot move " + from + " into itself (" + to + ")");
                    }
                    if (at.ino() == Superblock.ROOT_INO) {
                        break;
                    }
                    at = inode(lookup(at, "..").ino());
                }
            }
            DirBlock.Entry de = lookup(dp, dst.getLast());
            Ext4Inode victim = null;
            if (de != null) {
                if (de.ino() == se.ino()) {
                    return null;
                }
                victim = inode(de.ino());
                if (moving.isDir() && !victim.isDir()) {
                    throw new JiomapException(Errno.ENOTDIR, to + " is not a directory");
                }
                if (!moving.isDir() && victim.isDir()) {
                    throw new JiomapException(Errno.EISDIR, to + " is a directory");
                }
                if (victim.isDir() && !isEmptyDir(victim)) {
                    throw new JiomapException(Errno.ENOTEMPTY, to + " is not empty");
                }
            }
            try (Journal.Handle h = journal.start(namespaceCredits() + 2 * ORPHAN_CREDITS)) {
                if (de == null) {
                    checkSpaceForName(dp, dst.getLast());
                }
                DirBlock.Entry moved = new DirBlock.Entry(se.ino(), se.type(), dst.getLast());
                removeEntry(sp, src.getLast());
                if (de != null) {
                    replaceEntry(dp, dst.getLast(), moved);
                } else {
                    addEntry(dp, moved);
                }
                if (moving.isDir() && sp.ino() != dp.ino()) {
                    replaceEntry(moving, "..", new DirBlock.Entry(dp.ino(), DirBlock.TYPE_DIR, ".."));
                    sp.rec.links--;
                    dp.rec.links++;
                }
                if (victim != null) {
                    if (victim.isDir()) {
                        dp.rec.links--;
                        victim.rec.links = 0;
                    } else {
                        victim.rec.links--;
                    }
                    if (victim.rec.links == 0) {
                        orphanAddLocked(victim);
                    }
                    victim.persist(false);
                }
                sp.persist(false);
                dp.persist(false);
            }
            if (victim != null && victim.rec.links == 0) {
                if (victim.isDir()) {
                    deleteInode(victim);
                } else {
                    release(victim);
                }
            }
            return null;
        });
    }

    @Override
    public List<DirEntry> readdir(String path) throws JiomapException {
        List<String> parts = components(path);
        return namespaceOp(() -> {
            Ext4Inode d = walk(parts, parts.size(), path);
            if (!d.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
            }
            List<DirEntry> out = new ArrayList<>();
            for (List<DirBlock.Entry> b : dir(d)) {
                for (DirBlock.Entry e : b) {
                    if (!e.name().equals(".") && !e.name().equals("..")) {
                        out.add(new DirEntry(e.name(), e.ino(),
                                e.type() == DirBlock.TYPE_DIR ? FileKind.DIRECTORY : FileKind.REGULAR));
                    }
                }
            }
            out.sort(Comparator.comparing(DirEntry::name));
            return out;
        });
    }

    @Override
    public FileStat stat(String path) throws JiomapException {
        List<String> parts = components(path);
        return namespaceOp(() -> walk(parts, parts.size(), path).stat());
    }

    @Override
    public FsStat statfs() throws JiomapException {
        checkMounted();
        journal.metaLock().lock();
        try {
            long fixed = 0;
            for (int g = 0; g < sb.groupCount(); g++) {
                fixed += sb.groupOverhead(g) + 2 + sb.inodeTableBlocks();
            }
            fixed += sb.journalBlocks;
            long total = sb.blocksCount - sb.firstDataBlock - fixed;
            return new FsStat(sb.blockSize, total, allocator.availableForData(), sb.inodesCount,
                    allocator.freeInodes());
        } finally {
            journal.metaLock().unlock();
        }
    }

    @Override
    public void sync() throws JiomapException {
        checkMounted();
        int r = journal.commit();
        if (r == 0) {
            r = flushCache();
        }
        if (r < 0) {
            throw new JiomapException(-r, "sync of " + device.name() + ": committing the journal failed");
        }
    }

    @Override
    public void unmount() throws JiomapException {
        if (unmounted) {
            return;
        }
        unmounted = true;
        List<Ext4Inode> all;
        journal.metaLock().lock();
        try {
            all = new ArrayList<>(inodes.values());
        } finally {
            journal.metaLock().unlock();
        }
        for (Ext4Inode in : all) {
            // Drain without holding anything end_io needs: end_io takes only the metadata lock (docs/design-rules.md,
            // "Rule 1").
            in.lock.writeLock().lock();
            try {
                in.dio().waitForDrain();
            } finally {
                in.lock.writeLock().unlock();
            }
        }
        int r = journal.checkpoint();
        if (r < 0 && !device.isClosed()) {
            throw new JiomapException(-r, "unmounting " + device.name() + ": writing the journal home failed");
        }
    }
}
