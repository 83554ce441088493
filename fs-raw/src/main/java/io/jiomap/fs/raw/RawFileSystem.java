package io.jiomap.fs.raw;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.iomap.DirectIoEngine;
import java.util.List;

/** A mounted raw filesystem: one inode, the device. */
final class RawFileSystem implements FileSystem {
    private final BlockDevice device;
    private final RawInode inode;
    private volatile boolean unmounted;

    RawFileSystem(BlockDevice device, DirectIoEngine directIo) {
        this.device = device;
        this.inode = new RawInode(this, directIo);
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

    /** Every path names the device, as a block device node does for fio's {@code filename}. */
    @Override
    public Inode open(String path, int flags) throws JiomapException {
        if (unmounted) {
            throw new JiomapException(Errno.ENODEV, "raw filesystem on " + device.name() + " is unmounted");
        }
        if ((flags & (CREATE | EXCLUSIVE)) == (CREATE | EXCLUSIVE)) {
            throw new JiomapException(Errno.EEXIST, "the raw filesystem's only file (" + path + ") always exists");
        }
        return inode;
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

    /** The root lists the one file under the name fio users give a block device. */
    @Override
    public List<DirEntry> readdir(String path) throws JiomapException {
        if (!path.equals("/")) {
            throw new JiomapException(Errno.ENOTDIR, "readdir " + path + ": the raw filesystem's only directory is /");
        }
        return List.of(new DirEntry("dev", inode.ino(), FileKind.REGULAR));
    }

    /** Every path but the root names the device, as {@link #open} does. */
    @Override
    public FileStat stat(String path) throws JiomapException {
        if (path.equals("/")) {
            return new FileStat(1, 0, FileKind.DIRECTORY, 0755, 0, 0, 2, 0, 0, blockSize(), 0, 0, 0, 0);
        }
        return inode.stat();
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
