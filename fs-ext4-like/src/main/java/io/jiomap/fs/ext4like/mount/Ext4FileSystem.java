package io.jiomap.fs.ext4like.mount;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.fs.ext4like.disk.FormatException;
import io.jiomap.fs.ext4like.disk.GroupDesc;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import io.jiomap.fs.ext4like.inode.Volume;
import io.jiomap.fs.ext4like.meta.Allocator;
import io.jiomap.fs.ext4like.meta.BlockCache;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import io.jiomap.fs.ext4like.meta.Recovery;
import io.jiomap.fs.ext4like.meta.SuperblockReader;
import io.jiomap.fs.ext4like.namei.Namespace;
import java.util.List;

/**
 * A mounted ext4-like filesystem (the kernel's super.c): mount (journal recovery, checks of the superblock and group
 * descriptors, orphan processing), statfs, sync and unmount; the namespace answers the inode-level operations.
 */
public final class Ext4FileSystem implements FileSystem {
    private final String typeName;
    private final Volume vol;
    private final Journal journal;
    private final Namespace namespace;
    private volatile boolean unmounted;

    private Ext4FileSystem(String typeName, BlockDevice device, Superblock sb, GroupDesc[] groups, long nextTid,
                           DirectIoEngine directIo) {
        this.typeName = typeName;
        BlockCache cache = new BlockCache(device, sb.blockSize);
        Allocator[] alloc = new Allocator[1];
        this.journal = new Journal(cache, sb.journalFirstBlock, sb.journalBlocks, nextTid,
                freed -> alloc[0].committedLocked(freed));
        Allocator allocator = new Allocator(sb, cache, journal, groups);
        alloc[0] = allocator;
        this.vol = new Volume(this, device, sb, cache, journal, allocator, directIo);
        this.namespace = new Namespace(vol);
    }

    /** Mounts: journal recovery, checks of the superblock and group descriptors, then orphan processing. */
    public static Ext4FileSystem mount(String typeName, BlockDevice device, DirectIoEngine directIo)
            throws JiomapException {
        try {
            Superblock sb = SuperblockReader.readSuperblock(device);
            Recovery.Scan scan = Recovery.scan(device, sb.blockSize, sb.journalFirstBlock, sb.journalBlocks);
            long nextTid = Recovery.replay(device, sb.blockSize, sb.journalFirstBlock, sb.journalBlocks, scan);
            sb = SuperblockReader.readSuperblock(device);
            GroupDesc[] groups = SuperblockReader.readGroups(device, sb);
            Ext4FileSystem fs = new Ext4FileSystem(typeName, device, sb, groups, nextTid, directIo);
            Ext4Inode root = fs.vol.inodes().get(Superblock.ROOT_INO);
            if (!root.isDir()) {
                throw new FormatException("inode " + Superblock.ROOT_INO + " (the root) is not a directory");
            }
            fs.vol.orphans().cleanupAtMount();
            return fs;
        } catch (FormatException e) {
            throw new JiomapException(Errno.EUCLEAN, "refusing to mount " + device.name() + ": " + e.getMessage());
        } catch (FsError e) {
            throw e.toException();
        }
    }

    /** The mounted pieces, for tests that stage states the path operations cannot reach. */
    public Volume volume() {
        return vol;
    }

    /** The namespace, for tests that stage states the path operations cannot reach. */
    public Namespace namespace() {
        return namespace;
    }

    private void checkMounted() throws JiomapException {
        if (unmounted) {
            throw new JiomapException(Errno.ENODEV, "the ext4-like filesystem on " + vol.device().name()
                    + " is unmounted");
        }
    }

    @Override
    public String typeName() {
        return typeName;
    }

    @Override
    public BlockDevice device() {
        return vol.device();
    }

    @Override
    public int blockSize() {
        return vol.blockSize();
    }

    // ---------------------------------------------------------------- the inode-level namespace

    @Override
    public long rootIno() {
        return Superblock.ROOT_INO;
    }

    @Override
    public long lookup(long dir, String name) throws JiomapException {
        checkMounted();
        return namespace.lookup(dir, name);
    }

    @Override
    public long parent(long dir) throws JiomapException {
        checkMounted();
        return namespace.parent(dir);
    }

    @Override
    public FileStat getattr(long ino) throws JiomapException {
        checkMounted();
        return namespace.getattr(ino);
    }

    @Override
    public List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
        checkMounted();
        return namespace.readdir(dir, after, max);
    }

    @Override
    public FileStat create(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        checkMounted();
        return namespace.create(dir, name, mode, uid, gid);
    }

    @Override
    public FileStat mkdir(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        checkMounted();
        return namespace.mkdir(dir, name, mode, uid, gid);
    }

    @Override
    public FileStat symlink(long dir, String name, String target, int uid, int gid) throws JiomapException {
        checkMounted();
        return namespace.symlink(dir, name, target, uid, gid);
    }

    @Override
    public String readlink(long ino) throws JiomapException {
        checkMounted();
        return namespace.readlink(ino);
    }

    @Override
    public FileStat link(long ino, long dir, String name) throws JiomapException {
        checkMounted();
        return namespace.link(ino, dir, name);
    }

    @Override
    public void unlink(long dir, String name) throws JiomapException {
        checkMounted();
        namespace.unlink(dir, name);
    }

    @Override
    public void rmdir(long dir, String name) throws JiomapException {
        checkMounted();
        namespace.rmdir(dir, name);
    }

    @Override
    public void rename(long fromDir, String fromName, long toDir, String toName, int flags) throws JiomapException {
        checkMounted();
        namespace.rename(fromDir, fromName, toDir, toName, flags);
    }

    @Override
    public FileStat setattr(long ino, SetAttr attr) throws JiomapException {
        checkMounted();
        return namespace.setattr(ino, attr);
    }

    @Override
    public Inode open(long ino) throws JiomapException {
        checkMounted();
        return namespace.open(ino);
    }

    @Override
    public void release(Inode inode) throws JiomapException {
        if (!(inode instanceof Ext4Inode in) || in.fileSystem() != this) {
            throw new JiomapException(Errno.EINVAL, "release of " + inode + ", not an inode of the " + typeName
                    + " filesystem on " + vol.device().name());
        }
        if (unmounted) {
            return;
        }
        namespace.release(in);
    }

    @Override
    public byte[] getxattr(long ino, String name) throws JiomapException {
        checkMounted();
        return namespace.getxattr(ino, name);
    }

    @Override
    public List<String> listxattr(long ino) throws JiomapException {
        checkMounted();
        return namespace.listxattr(ino);
    }

    @Override
    public void setxattr(long ino, String name, byte[] value, int flags) throws JiomapException {
        checkMounted();
        namespace.setxattr(ino, name, value, flags);
    }

    @Override
    public void removexattr(long ino, String name) throws JiomapException {
        checkMounted();
        namespace.removexattr(ino, name);
    }

    // ---------------------------------------------------------------- the filesystem as a whole

    @Override
    public FsStat statfs() throws JiomapException {
        checkMounted();
        Superblock sb = vol.superblock();
        journal.metaLock().lock();
        try {
            long fixed = 0;
            for (int g = 0; g < sb.groupCount(); g++) {
                fixed += sb.groupOverhead(g) + 2 + sb.inodeTableBlocks();
            }
            fixed += sb.journalBlocks;
            long total = sb.blocksCount - sb.firstDataBlock - fixed;
            return new FsStat(sb.blockSize, total, vol.allocator().availableForData(), sb.inodesCount,
                    vol.allocator().freeInodes());
        } finally {
            journal.metaLock().unlock();
        }
    }

    @Override
    public void sync() throws JiomapException {
        checkMounted();
        persistLazyTimes();
        int r = journal.commit();
        if (r == 0) {
            r = vol.flushCache();
        }
        if (r < 0) {
            throw new JiomapException(-r, "sync of " + vol.device().name() + ": committing the journal failed");
        }
    }

    /** Logs the times reads and writes changed in memory only (lazytime), so that a commit makes them durable. */
    private void persistLazyTimes() throws JiomapException {
        try {
            for (Ext4Inode in : vol.inodes().all()) {
                in.persistTimesIfDirty();
            }
        } catch (FsError e) {
            throw e.toException();
        }
    }

    @Override
    public void unmount() throws JiomapException {
        if (unmounted) {
            return;
        }
        unmounted = true;
        for (Ext4Inode in : vol.inodes().all()) {
            // Drain without holding anything end_io needs: end_io takes only the metadata lock (docs/design-rules.md,
            // "Rule 1").
            in.lock().writeLock().lock();
            try {
                in.dio().waitForDrain();
            } finally {
                in.lock().writeLock().unlock();
            }
        }
        int r = 0;
        if (!vol.device().isClosed()) {
            try {
                namespace.freeOrphansAtUnmount();
                persistLazyTimes();
            } catch (JiomapException e) {
                r = -e.errno();
            }
        }
        int c = journal.checkpoint();
        r = r < 0 ? r : c;
        if (r < 0 && !vol.device().isClosed()) {
            throw new JiomapException(-r, "unmounting " + vol.device().name() + ": writing the journal home failed");
        }
    }
}
