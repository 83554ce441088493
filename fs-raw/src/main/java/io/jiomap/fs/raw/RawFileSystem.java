package io.jiomap.fs.raw;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.fs.FileSystem;
import io.jiomap.api.fs.Inode;
import io.jiomap.api.iomap.DirectIoEngine;

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
}
