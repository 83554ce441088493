package io.jiomap.fs.raw;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FlatNamespace;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.api.iomap.DirectIoEngine;
import java.util.List;

/** A mounted raw filesystem: one inode, the device. */
final class RawFileSystem implements FlatNamespace {
    static final long ROOT_INO = 1;
    /** The name the root lists for the device. */
    static final String FILE_NAME = "dev";

    private final BlockDevice device;
    private final RawInode inode;
    private volatile boolean unmounted;

    RawFileSystem(BlockDevice device, DirectIoEngine directIo) {
        this.device = device;
        this.inode = new RawInode(this, directIo);
    }

    @Override
    public long rootIno() {
        return ROOT_INO;
    }

    @Override
    public String typeName() {
        return RawFileSystemType.NAME;
    }

    @Override
    public BlockDevice device() {
        return device;
    }

    /** The logical block size: there is no allocation, so no larger unit to zero. */
    @Override
    public int blockSize() {
        return device.capabilities().logicalBlockSize();
    }

    /** Every name in the root names the device, as a block device node does for fio's {@code filename}. */
    @Override
    public long lookup(long dir, String name) throws JiomapException {
        requireRoot("lookup " + name, dir);
        return RawInode.INO;
    }

    @Override
    public long parent(long dir) throws JiomapException {
        requireRoot("parent", dir);
        return ROOT_INO;
    }

    @Override
    public FileStat getattr(long ino) throws JiomapException {
        if (ino == ROOT_INO) {
            return new FileStat(ROOT_INO, 0, FileKind.DIRECTORY, 0755, 0, 0, 2, 0, 0, blockSize(), 0, 0, 0, 0);
        }
        if (ino == RawInode.INO) {
            return inode.stat();
        }
        throw new JiomapException(Errno.ENOENT, "the raw filesystem has no inode " + ino);
    }

    /** The root lists the one file under the name fio users give a block device. */
    @Override
    public List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
        requireRoot("readdir", dir);
        if (after != null && after.compareTo(FILE_NAME) >= 0) {
            return List.of();
        }
        return List.of(new DirEntry(FILE_NAME, RawInode.INO, FileKind.REGULAR));
    }

    @Override
    public Inode open(long ino) throws JiomapException {
        if (unmounted) {
            throw new JiomapException(Errno.ENODEV, "raw filesystem on " + device.name() + " is unmounted");
        }
        if (ino != RawInode.INO) {
            throw new JiomapException(ino == ROOT_INO ? Errno.EISDIR : Errno.ENOENT,
                    "open of inode " + ino + ": the raw filesystem's only file is inode " + RawInode.INO);
        }
        return inode;
    }

    /** The device stays open for the mount's life: nothing to let go of per open. */
    @Override
    public void release(Inode released) {
    }

    private void requireRoot(String op, long dir) throws JiomapException {
        if (dir != ROOT_INO) {
            throw new JiomapException(dir == RawInode.INO ? Errno.ENOTDIR : Errno.ENOENT, op + " in inode " + dir
                    + ": the raw filesystem's only directory is the root");
        }
    }

    @Override
    public void unmount() throws JiomapException {
        if (unmounted) {
            return;
        }
        unmounted = true;
        inode.drainForUnmount();
        int r = SyncBio.flush(device);
        if (r < 0 && !device.isClosed()) {
            throw new JiomapException(-r, "flushing " + device.name() + " at unmount: " + SyncBio.describe(r));
        }
    }

    /** The device is all data: nothing is free, no inode can be made. */
    @Override
    public FsStat statfs() {
        long blocks = device.capabilities().capacityBytes() / blockSize();
        return new FsStat(blockSize(), blocks, 0, 1, 0);
    }

    @Override
    public void sync() throws JiomapException {
        int r = SyncBio.flush(device);
        if (r < 0) {
            throw new JiomapException(-r, "sync: flushing " + device.name() + ": " + SyncBio.describe(r));
        }
    }
}
