package io.jiomap.fs.xfslike;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.DirEntry;
import io.jiomap.api.fs.FileKind;
import io.jiomap.api.fs.FileStat;
import io.jiomap.api.fs.FileSystem;
import io.jiomap.api.fs.FsStat;
import io.jiomap.api.fs.Inode;
import io.jiomap.api.io.Iocb;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.InodeRecords;
import io.jiomap.fs.xfslike.format.MetaBlock;
import io.jiomap.fs.xfslike.format.Superblock;
import io.jiomap.fs.xfslike.fsck.Checker;
import io.jiomap.fs.xfslike.checkpoint.Checkpoint;
import io.jiomap.fs.xfslike.log.Log;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Allocator;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.meta.RefcountIndex;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A mounted XFS-like filesystem. All metadata is in memory ({@link Metadata}); every change is a transaction whose
 * items go to the log's CIL before the operation returns, a log force writes the CIL as a checkpoint, and metadata
 * goes home to a checkpoint region when the log fills, at sync-free moments chosen by the log, and at unmount
 * (FORMAT.md).
 *
 * <p>Locks, in the order they may be taken: an inode's I/O lock ({@link XfsLikeInode}), then the metadata lock
 * {@link #meta}. Drains ({@code waitForDrain}) happen with only I/O locks held, never the metadata lock, and
 * end_io takes only the metadata lock, so a drain never waits for a completion that waits for the drainer
 * (docs/design-rules.md, "Rule 1").
 */
final class XfsLikeFileSystem implements FileSystem {
    /** Bytes of checkpoint room one in-flight end_io may need (a conversion splits one record into three). */
    static final int END_IO_RESERVE_BYTES = 128;
    static final int NAME_MAX = InodeRecords.NAME_MAX;

    final BlockDevice device;
    final DirectIoEngine directIo;
    final Disk disk;
    final Geometry geo;
    final ReentrantLock meta = new ReentrantLock();
    final Metadata md;
    final Log log;
    final Allocator alloc;
    private Superblock sb;
    private final Map<Long, XfsLikeInode> inodes = new HashMap<>();
    private final ConcurrentHashMap<Iocb, Boolean> endIoReserved = new ConcurrentHashMap<>();
    private long endIoReservations;
    private volatile boolean unmounted;

    private XfsLikeFileSystem(BlockDevice device, DirectIoEngine directIo, Disk disk, Superblock sb, Metadata md,
                              Log log) {
        this.device = device;
        this.directIo = directIo;
        this.disk = disk;
        this.geo = sb.geometry();
        this.sb = sb;
        this.md = md;
        this.log = log;
        this.alloc = new Allocator(md);
    }

    // ---- mkfs and mount ----

    /** Writes a fresh filesystem: zeroed log, checkpoint generation 1 in region A, superblocks. */
    static void format(BlockDevice device, Geometry g, long features, java.util.UUID uuid) throws JiomapException {
        Disk disk = new Disk(device, g.blockSize());
        Metadata md = Metadata.empty(g);
        long root = md.chooseIno(0);
        Transaction t = new Transaction(md);
        long now = System.currentTimeMillis();
        t.add(new LogItem.Create(root, FileKind.DIRECTORY, now)).add(new LogItem.Core(root, 0, 2, 0, now, now, false));
        md.setRootIno(root);
        disk.zero(g.logStart(), g.logBlocks());
        byte[] home = Checkpoint.encode(md, uuid, 1, 0);
        disk.write(g.metaStart0(), home, 0);
        Superblock sb = new Superblock(g, uuid, features, 1, 0, home.length / g.blockSize(), 0, 1, true);
        for (int ag = g.agCount() - 1; ag >= 0; ag--) {
            writeSuperblock(disk, sb, g.agStart(ag), ag == 0 ? Bio.PREFLUSH | Bio.FUA : 0);
        }
    }

    static int superblockBytes(BlockDevice device) {
        return Math.max(Superblock.SIZE, device.capabilities().logicalBlockSize());
    }

    private static void writeSuperblock(Disk disk, Superblock sb, long block, int flags) throws JiomapException {
        int n = superblockBytes(disk.device());
        ByteBuffer b = sb.encode(n);
        disk.writeBytes(block * sb.geometry().blockSize(), b.array(), 0, n, flags);
    }

    static Superblock readSuperblock(BlockDevice device) throws JiomapException {
        int n = superblockBytes(device);
        Disk raw = new Disk(device, n);
        byte[] bytes = raw.readBytes(0, n);
        return Superblock.decode(ByteBuffer.wrap(bytes), "block 0 of " + device.name(),
                device.capabilities().capacityBytes(), device.capabilities().logicalBlockSize());
    }

    /**
     * Mounts: reads the superblock and the current checkpoint (validating every block), replays the committed
     * transactions of the log, frees CoW staging extents a crash left behind, checks the result, and writes a new
     * checkpoint so the log starts empty in a new epoch.
     */
    static XfsLikeFileSystem mount(BlockDevice device, DirectIoEngine directIo) throws JiomapException {
        Superblock sb;
        try {
            sb = readSuperblock(device);
        } catch (JiomapException e) {
            if (e.errno() == Errno.EINVAL) {
                throw new JiomapException(Errno.EUCLEAN, "cannot mount " + device.name() + " as xfs-like: "
                        + e.getMessage().substring(e.getMessage().indexOf(' ') + 1));
            }
            throw e;
        }
        Geometry g = sb.geometry();
        Disk disk = new Disk(device, g.blockSize());
        Checkpoint.Loaded loaded = Checkpoint.load(disk, g, sb.uuid(), sb.generation(), g.metaStart(sb.activeSlot()),
                sb.metaUsed());
        Metadata md = loaded.metadata();
        Log.Scan scan = Log.scan(disk, g, sb.uuid(), sb.generation(), sb.logTail(), sb.logTailSeq());
        long lastSeq = loaded.lastSeq();
        for (Transaction.Committed c : scan.transactions()) {
            try {
                for (LogItem item : c.items()) {
                    item.apply(md);
                }
            } catch (RuntimeException e) {
                throw new JiomapException(Errno.EUCLEAN, "log transaction " + c.seq() + " does not apply to the "
                        + "checkpoint it follows: " + e.getMessage(), e);
            }
            lastSeq = Math.max(lastSeq, c.seq());
        }
        Log log = new Log(disk, g, sb.uuid());
        log.reset(sb.generation(), scan.head(), scan.nextSeq());
        log.setCommitted(lastSeq);
        XfsLikeFileSystem fs = new XfsLikeFileSystem(device, directIo, disk, sb, md, log);
        fs.meta.lock();
        try {
            fs.recoverCowLeftovers();
            List<String> problems = Checker.checkState(md);
            if (!problems.isEmpty()) {
                throw new JiomapException(Errno.EUCLEAN, "cannot mount " + device.name() + ": the metadata is "
                        + "inconsistent (run fsck): " + String.join("; ", problems.subList(0,
                        Math.min(3, problems.size()))));
            }
            fs.writeHome(false);
        } finally {
            fs.meta.unlock();
        }
        return fs;
    }

    /** CoW staging extents at mount belong to no write any more (xfs_reflink_recover_cow): free them. */
    private void recoverCowLeftovers() {
        Map<Long, Long> staged = md.refcount().staging();
        if (staged.isEmpty()) {
            return;
        }
        Transaction t = new Transaction(md);
        for (Map.Entry<Long, Long> e : new ArrayList<>(staged.entrySet())) {
            t.add(new LogItem.Unstage(e.getKey(), e.getValue())).add(new LogItem.Give(e.getKey(), e.getValue()));
        }
        log.commit(t);
    }

    // ---- the log and metadata home ----

    Superblock superblock() {
        return sb;
    }

    /**
     * Writes all metadata to the inactive checkpoint region, then the superblock naming it (PREFLUSH so the region
     * is stable first, FUA so the switch is): after that the CIL is stable and the log starts a new epoch.
     * Caller holds {@link #meta}.
     */
    void writeHome(boolean clean) throws JiomapException {
        long gen = sb.generation() + 1;
        int slot = 1 - sb.activeSlot();
        byte[] home = Checkpoint.encode(md, sb.uuid(), gen, log.lastCommitted());
        long blocks = home.length / geo.blockSize();
        if (blocks > geo.metaBlocks()) {
            // Reservations keep this from happening; if it does, nothing was changed on disk.
            throw new JiomapException(Errno.ENOSPC, "metadata checkpoint of " + blocks + " blocks does not fit the "
                    + geo.metaBlocks() + "-block checkpoint region");
        }
        disk.write(geo.metaStart(slot), home, 0);
        Superblock next = sb.withCheckpoint(gen, slot, blocks, log.head(), log.nextCheckpointSeq(), clean);
        writeSuperblock(disk, next, 0, Bio.PREFLUSH | Bio.FUA);
        sb = next;
        log.reset(gen, log.head(), log.nextCheckpointSeq());
        log.checkpointed();
        alloc.clearBusy();
    }

    /** Makes every committed transaction stable (xfs_log_force). Caller holds {@link #meta}. */
    void forceLog() throws JiomapException {
        if (log.cilEmpty()) {
            return;
        }
        if (log.force() == Log.NO_ROOM) {
            writeHome(false);
        }
        alloc.clearBusy();
    }

    /** Commits a transaction to the CIL and records which inodes it pinned. Caller holds {@link #meta}. */
    long commit(Transaction t) {
        if (t.isEmpty()) {
            return log.lastCommitted();
        }
        long seq = log.commit(t);
        for (LogItem item : t.items()) {
            long ino = item.ino();
            InodeCore c = ino >= 0 ? md.inode(ino) : null;
            if (c != null) {
                c.anySeq = seq;
                if (!(item instanceof LogItem.Core core && core.timestampsOnly())) {
                    c.dataSeq = seq;
                }
            }
        }
        return seq;
    }

    /**
     * A log force when the CIL has grown past an eighth of the log (XFS pushes the CIL at a fraction of the log
     * size), from a context that may do I/O. Caller holds {@link #meta}.
     */
    void pushIfLarge() throws JiomapException {
        if (log.cilBlocks() * 8 > geo.logBlocks()) {
            forceLog();
        }
    }

    /**
     * fsync/fdatasync: forces the log up to the inode's last relevant transaction; if nothing needed forcing, an
     * explicit cache flush makes the data itself stable (docs/design-rules.md, "Rule 5").
     */
    int fsync(InodeCore core, boolean datasync) {
        meta.lock();
        try {
            long need = datasync ? core.dataSeq : core.anySeq;
            if (need > log.stable()) {
                forceLog();
            } else if (device.capabilities().volatileWriteCache()) {
                disk.flush();
            }
            return 0;
        } catch (JiomapException e) {
            return -e.errno();
        } finally {
            meta.unlock();
        }
    }

    /**
     * Checks that the checkpoint region can hold the metadata after a change adding up to {@code records}
     * records, with room kept for every end_io in flight. Caller holds {@link #meta}.
     */
    void reserveMetadata(long records) throws JiomapException {
        int per = geo.blockSize() - MetaBlock.HEADER;
        long extra = (records * 32 + endIoReservations * END_IO_RESERVE_BYTES + per - 1) / per + 2;
        long need = Checkpoint.blocksNeeded(md) + extra;
        if (need > geo.metaBlocks()) {
            throw new JiomapException(Errno.ENOSPC, "metadata checkpoint region is full: " + need + " of "
                    + geo.metaBlocks() + " blocks needed (mkfs with a larger meta-size)");
        }
    }

    /** Reserves end_io's metadata room for {@code iocb}, once per request. Caller holds {@link #meta}. */
    void reserveEndIo(Iocb iocb) throws JiomapException {
        if (iocb == null || endIoReserved.containsKey(iocb)) {
            return;
        }
        reserveMetadata(8);
        endIoReserved.put(iocb, Boolean.TRUE);
        endIoReservations++;
    }

    /** Releases what {@link #reserveEndIo} took for {@code iocb}, if anything. */
    void releaseEndIo(Iocb iocb) {
        if (endIoReserved.isEmpty() || endIoReserved.remove(iocb) == null) {
            return;
        }
        meta.lock();
        try {
            endIoReservations--;
        } finally {
            meta.unlock();
        }
    }

    /** Whether the inode has metadata in the CIL that reading its data back depends on (IOMAP_F_DIRTY). */
    boolean dataDirty(InodeCore core) {
        return core.dataSeq > log.stable();
    }

    // ---- blocks ----

    /**
     * Allocates {@code count} blocks near {@code goal} as TAKE items of {@code t}; forces the log first when only
     * busy blocks would do. The caller checked that {@code count} blocks are free. Caller holds {@link #meta}.
     */
    List<Allocator.Piece> allocate(Transaction t, int agHint, long goal, long count) throws JiomapException {
        List<Allocator.Piece> plan = alloc.plan(agHint, goal, count);
        if (plan == null) {
            if (!t.isEmpty()) {
                throw new IllegalStateException("allocation needing a log force inside a started transaction");
            }
            forceLog();
            plan = alloc.plan(agHint, goal, count);
            if (plan == null) {
                throw new JiomapException(Errno.ENOSPC, "cannot allocate " + count + " blocks: "
                        + md.freeBlocks() + " free");
            }
        }
        for (Allocator.Piece p : plan) {
            t.add(new LogItem.Take(p.start(), p.length()));
        }
        return plan;
    }

    /** Free extents in all AGs: the most pieces one allocation can take. Caller holds {@link #meta}. */
    long freeExtentCount() {
        long n = 0;
        for (int ag = 0; ag < geo.agCount(); ag++) {
            n += md.free(ag).extentCount();
        }
        return n;
    }

    /** Whether {@code count} blocks can be allocated without a log force inside the transaction. */
    void prepareAllocation(long count, int agHint) throws JiomapException {
        if (count > md.freeBlocks()) {
            throw new JiomapException(Errno.ENOSPC, "need " + count + " blocks, " + md.freeBlocks() + " free");
        }
        if (alloc.busyBlocks() > 0 && alloc.plan(agHint, -1, count) == null) {
            forceLog();
        }
    }

    /**
     * Drops one owner of device blocks {@code [block, block + len)}: shared pieces lose a reference, the rest is
     * freed (and busy until the free is stable).
     */
    void releaseBlocks(Transaction t, long block, long len) {
        for (RefcountIndex.Shared p : md.refcount().counts(block, len)) {
            if (p.count() >= 2) {
                t.add(new LogItem.Refcount(p.start(), p.length(), -1));
                if (p.count() == 2) {
                    alloc.markUnshared(p.start(), p.length());
                }
            } else {
                t.add(new LogItem.Give(p.start(), p.length()));
                alloc.markBusy(p.start(), p.length());
            }
        }
    }

    /** Unmaps file blocks {@code [off, off + len)} of {@code core} and drops their owners. */
    void unmapAndRelease(Transaction t, InodeCore core, long off, long len) {
        for (Extent e : core.data().overlapping(off, len)) {
            t.add(new LogItem.Unmap(core.ino(), e.startoff(), e.blockcount()));
            releaseBlocks(t, e.startblock(), e.blockcount());
        }
    }

    // ---- namespace ----

    private void checkMounted() throws JiomapException {
        if (unmounted) {
            throw new JiomapException(Errno.ENODEV, "the xfs-like filesystem on " + device.name()
                    + " is unmounted");
        }
    }

    private static List<String> split(String path) throws JiomapException {
        if (path == null || !path.startsWith("/")) {
            throw new JiomapException(Errno.EINVAL, "path '" + path + "' is not absolute");
        }
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals(".") || p.equals("..")) {
                throw new JiomapException(Errno.EINVAL, "path '" + path + "': '.' and '..' are not supported");
            }
            if (p.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
                throw new JiomapException(Errno.ENAMETOOLONG, "path '" + path + "': a name is longer than "
                        + NAME_MAX + " bytes");
            }
            parts.add(p);
        }
        return parts;
    }

    /** The directory holding the last name of {@code parts}. Caller holds {@link #meta}. */
    private InodeCore parentOf(String path, List<String> parts) throws JiomapException {
        InodeCore dir = md.inode(md.rootIno());
        for (int i = 0; i < parts.size() - 1; i++) {
            Long next = dir.entries().get(parts.get(i));
            if (next == null) {
                throw new JiomapException(Errno.ENOENT, path + ": '" + parts.get(i) + "' does not exist");
            }
            dir = md.inode(next);
            if (!dir.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + ": '" + parts.get(i) + "' is not a directory");
            }
        }
        return dir;
    }

    /** The inode at {@code path}. Caller holds {@link #meta}. */
    private InodeCore lookup(String path) throws JiomapException {
        List<String> parts = split(path);
        if (parts.isEmpty()) {
            return md.inode(md.rootIno());
        }
        InodeCore parent = parentOf(path, parts);
        Long ino = parent.entries().get(parts.getLast());
        if (ino == null) {
            throw new JiomapException(Errno.ENOENT, path + " does not exist");
        }
        return md.inode(ino);
    }

    private XfsLikeInode inodeObject(InodeCore core) {
        return inodes.computeIfAbsent(core.ino(), i -> new XfsLikeInode(this, core));
    }

    @Override
    public String typeName() {
        return XfsLikeFileSystemType.NAME;
    }

    @Override
    public BlockDevice device() {
        return device;
    }

    @Override
    public int blockSize() {
        return geo.blockSize();
    }

    @Override
    public Inode open(String path, int flags) throws JiomapException {
        meta.lock();
        try {
            checkMounted();
            List<String> parts = split(path);
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EISDIR, path + " is a directory");
            }
            InodeCore parent = parentOf(path, parts);
            Long ino = parent.entries().get(parts.getLast());
            if (ino != null) {
                if ((flags & (CREATE | EXCLUSIVE)) == (CREATE | EXCLUSIVE)) {
                    throw new JiomapException(Errno.EEXIST, path + " exists");
                }
                InodeCore core = md.inode(ino);
                if (core.isDir()) {
                    throw new JiomapException(Errno.EISDIR, path + " is a directory");
                }
                return inodeObject(core);
            }
            if ((flags & CREATE) == 0) {
                throw new JiomapException(Errno.ENOENT, path + " does not exist");
            }
            return inodeObject(create(parent, parts.getLast(), FileKind.REGULAR));
        } finally {
            meta.unlock();
        }
    }

    private InodeCore create(InodeCore parent, String name, FileKind kind) throws JiomapException {
        reserveMetadata(4);
        long ino = md.chooseIno(Metadata.agOfIno(parent.ino()));
        long now = System.currentTimeMillis();
        Transaction t = new Transaction(md);
        t.add(new LogItem.Create(ino, kind, now));
        t.add(new LogItem.Core(ino, 0, kind == FileKind.DIRECTORY ? 2 : 1, 0, now, now, false));
        t.add(new LogItem.EntryAdd(parent.ino(), name, ino));
        t.add(new LogItem.Core(parent.ino(), parent.size(), parent.nlink() + (kind == FileKind.DIRECTORY ? 1 : 0),
                parent.flags(), now, now, false));
        commit(t);
        pushIfLarge();
        return md.inode(ino);
    }

    @Override
    public void mkdir(String path) throws JiomapException {
        meta.lock();
        try {
            checkMounted();
            List<String> parts = split(path);
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EEXIST, "/ exists");
            }
            InodeCore parent = parentOf(path, parts);
            if (parent.entries().containsKey(parts.getLast())) {
                throw new JiomapException(Errno.EEXIST, path + " exists");
            }
            create(parent, parts.getLast(), FileKind.DIRECTORY);
        } finally {
            meta.unlock();
        }
    }

    @Override
    public void rmdir(String path) throws JiomapException {
        meta.lock();
        try {
            checkMounted();
            List<String> parts = split(path);
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EBUSY, "rmdir /: the root cannot be removed");
            }
            InodeCore parent = parentOf(path, parts);
            InodeCore dir = lookup(path);
            if (!dir.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
            }
            if (!dir.entries().isEmpty()) {
                throw new JiomapException(Errno.ENOTEMPTY, path + " is not empty");
            }
            Transaction t = new Transaction(md);
            removeName(t, parent, parts.getLast(), dir);
            commit(t);
            pushIfLarge();
        } finally {
            meta.unlock();
        }
    }

    /** Removes {@code name} from {@code parent}, dropping {@code target}'s link (and the inode at zero links). */
    private void removeName(Transaction t, InodeCore parent, String name, InodeCore target) {
        long now = System.currentTimeMillis();
        t.add(new LogItem.EntryRemove(parent.ino(), name));
        if (target.isDir()) {
            t.add(new LogItem.Core(parent.ino(), parent.size(), parent.nlink() - 1, parent.flags(), now, now, false));
            t.add(new LogItem.FreeInode(target.ino()));
            return;
        }
        t.add(new LogItem.Core(parent.ino(), parent.size(), parent.nlink(), parent.flags(), now, now, false));
        if (target.nlink() > 1) {
            t.add(new LogItem.Core(target.ino(), target.size(), target.nlink() - 1, target.flags(), target.mtime(),
                    now, false));
            return;
        }
        unmapAndRelease(t, target, 0, Long.MAX_VALUE / 2);
        t.add(new LogItem.FreeInode(target.ino()));
        XfsLikeInode obj = inodes.remove(target.ino());
        if (obj != null) {
            obj.markRemoved();
        }
    }

    /** A namespace change that may remove the file at a path, run by {@link #removing}. */
    @FunctionalInterface
    private interface Removal {
        void run(XfsLikeInode locked) throws JiomapException;
    }

    /**
     * Runs {@code change} with the file at {@code path} (if it is one) taken alone ({@link #lockForRemoval}) and then
     * the metadata lock held, releasing both after.
     */
    private void removing(String path, Removal change) throws JiomapException {
        XfsLikeInode locked = lockForRemoval(path);
        try {
            meta.lock();
            try {
                change.run(locked);
            } finally {
                meta.unlock();
            }
        } finally {
            if (locked != null) {
                locked.unlockExclusive();
            }
        }
    }

    /**
     * Keeps new direct I/O out of the regular file at {@code path}, if there is one, and drains it, so its blocks
     * can be freed. Returns the locked inode (to unlock after the change) or null.
     */
    private XfsLikeInode lockForRemoval(String path) throws JiomapException {
        XfsLikeInode obj;
        meta.lock();
        try {
            checkMounted();
            InodeCore core;
            try {
                core = lookup(path);
            } catch (JiomapException e) {
                return null;
            }
            if (core.isDir()) {
                return null;
            }
            obj = inodeObject(core);
        } finally {
            meta.unlock();
        }
        obj.lockExclusiveAndDrain();
        return obj;
    }

    @Override
    public void unlink(String path) throws JiomapException {
        removing(path, locked -> {
            checkMounted();
            List<String> parts = split(path);
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EISDIR, "/ is a directory");
            }
            InodeCore parent = parentOf(path, parts);
            InodeCore target = lookup(path);
            if (target.isDir()) {
                throw new JiomapException(Errno.EISDIR, path + " is a directory");
            }
            if (locked == null || locked.ino() != target.ino()) {
                throw new JiomapException(Errno.EBUSY, path + " changed while it was being removed; retry");
            }
            reserveMetadata(8);
            Transaction t = new Transaction(md);
            removeName(t, parent, parts.getLast(), target);
            commit(t);
            pushIfLarge();
        });
    }

    @Override
    public void rename(String from, String to) throws JiomapException {
        removing(to, locked -> {
            checkMounted();
            List<String> fp = split(from);
            List<String> tp = split(to);
            if (fp.isEmpty() || tp.isEmpty()) {
                throw new JiomapException(Errno.EBUSY, "rename " + from + " to " + to + ": the root cannot move");
            }
            InodeCore fromParent = parentOf(from, fp);
            InodeCore src = lookup(from);
            InodeCore toParent = parentOf(to, tp);
            if (src.isDir() && (tp.size() > fp.size() && tp.subList(0, fp.size()).equals(fp))) {
                throw new JiomapException(Errno.EINVAL, "rename " + from + " to " + to
                        + ": a directory cannot move into itself");
            }
            if (fp.equals(tp)) {
                return;
            }
            Long existing = toParent.entries().get(tp.getLast());
            InodeCore dst = existing == null ? null : md.inode(existing);
            if (dst != null) {
                if (dst.ino() == src.ino()) {
                    return;
                }
                if (src.isDir() && !dst.isDir()) {
                    throw new JiomapException(Errno.ENOTDIR, to + " is not a directory");
                }
                if (!src.isDir() && dst.isDir()) {
                    throw new JiomapException(Errno.EISDIR, to + " is a directory");
                }
                if (dst.isDir() && !dst.entries().isEmpty()) {
                    throw new JiomapException(Errno.ENOTEMPTY, to + " is not empty");
                }
                if (!dst.isDir() && (locked == null || locked.ino() != dst.ino())) {
                    throw new JiomapException(Errno.EBUSY, to + " changed during the rename; retry");
                }
            }
            reserveMetadata(8);
            Transaction t = new Transaction(md);
            if (dst != null) {
                removeName(t, toParent, tp.getLast(), dst);
            }
            long now = System.currentTimeMillis();
            t.add(new LogItem.EntryRemove(fromParent.ino(), fp.getLast()));
            t.add(new LogItem.EntryAdd(toParent.ino(), tp.getLast(), src.ino()));
            int moveLinks = src.isDir() && fromParent.ino() != toParent.ino() ? 1 : 0;
            t.add(new LogItem.Core(fromParent.ino(), fromParent.size(), fromParent.nlink() - moveLinks,
                    fromParent.flags(), now, now, false));
            t.add(new LogItem.Core(toParent.ino(), toParent.size(), toParent.nlink() + moveLinks,
                    toParent.flags(), now, now, false));
            t.add(new LogItem.Core(src.ino(), src.size(), src.nlink(), src.flags(), src.mtime(), now, false));
            commit(t);
            pushIfLarge();
        });
    }

    @Override
    public List<DirEntry> readdir(String path) throws JiomapException {
        meta.lock();
        try {
            checkMounted();
            InodeCore dir = lookup(path);
            if (!dir.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
            }
            List<DirEntry> out = new ArrayList<>();
            for (Map.Entry<String, Long> e : dir.entries().entrySet()) {
                out.add(new DirEntry(e.getKey(), e.getValue(), md.inode(e.getValue()).kind()));
            }
            return out;
        } finally {
            meta.unlock();
        }
    }

    @Override
    public FileStat stat(String path) throws JiomapException {
        meta.lock();
        try {
            checkMounted();
            return statOf(lookup(path));
        } finally {
            meta.unlock();
        }
    }

    /** Caller holds {@link #meta}. */
    FileStat statOf(InodeCore c) {
        return new FileStat(c.ino(), c.kind(), c.size(), c.data().blocks() * geo.blockSize(), c.nlink(),
                geo.blockSize(), c.data().size());
    }

    @Override
    public FsStat statfs() throws JiomapException {
        meta.lock();
        try {
            checkMounted();
            long used = md.inodes().size();
            int per = geo.blockSize() - MetaBlock.HEADER;
            long roomBlocks = Math.max(0, geo.metaBlocks() - Checkpoint.blocksNeeded(md) - 2);
            long freeInodes = roomBlocks * (per / 64);
            return new FsStat(geo.blockSize(), geo.dataBlocks(), md.freeBlocks(), used + freeInodes, freeInodes);
        } finally {
            meta.unlock();
        }
    }

    @Override
    public void sync() throws JiomapException {
        meta.lock();
        try {
            checkMounted();
            if (log.cilEmpty()) {
                if (device.capabilities().volatileWriteCache()) {
                    disk.flush();
                }
            } else {
                forceLog();
            }
        } finally {
            meta.unlock();
        }
    }

    @Override
    public void unmount() throws JiomapException {
        List<XfsLikeInode> all;
        meta.lock();
        try {
            if (unmounted) {
                return;
            }
            unmounted = true;
            all = new ArrayList<>(inodes.values());
        } finally {
            meta.unlock();
        }
        for (XfsLikeInode i : all) {
            i.lockExclusiveAndDrain();
            i.unlockExclusive();
        }
        meta.lock();
        try {
            if (!device.isClosed()) {
                writeHome(true);
            }
        } finally {
            meta.unlock();
        }
    }

    boolean isUnmounted() {
        return unmounted;
    }
}
