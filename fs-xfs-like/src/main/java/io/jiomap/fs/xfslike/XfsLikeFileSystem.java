package io.jiomap.fs.xfslike;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.fs.xfslike.alloc.BlockAllocation;
import io.jiomap.fs.xfslike.alloc.Reservations;
import io.jiomap.fs.xfslike.file.XfsLikeInode;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.mount.MountState;
import io.jiomap.fs.xfslike.namespace.Namespace;
import java.util.List;

/**
 * A mounted XFS-like filesystem as the VFS sees it: it wires the jobs together and hands each call to the one that
 * does it: {@link MountState} (the mounted state, the metadata lock and the log), {@link BlockAllocation} and
 * {@link Reservations} (space), {@link Namespace} (paths and directories) and {@link XfsLikeInode} (a regular file).
 * The lock rules are {@link MountState}'s.
 */
final class XfsLikeFileSystem implements FileSystem {
    private final MountState mount;
    private final Reservations reservations;
    private final Namespace namespace;

    private XfsLikeFileSystem(MountState mount) {
        this.mount = mount;
        this.reservations = new Reservations(mount);
        this.namespace = new Namespace(this, mount, new BlockAllocation(mount), reservations);
    }

    static XfsLikeFileSystem mount(BlockDevice device, DirectIoEngine directIo) throws JiomapException {
        return new XfsLikeFileSystem(MountState.mount(device, directIo));
    }

    @Override
    public String typeName() {
        return XfsLikeFileSystemType.NAME;
    }

    @Override
    public BlockDevice device() {
        return mount.device();
    }

    @Override
    public int blockSize() {
        return mount.blockSize();
    }

    @Override
    public Inode open(String path, int flags) throws JiomapException {
        return namespace.open(path, flags);
    }

    @Override
    public void mkdir(String path) throws JiomapException {
        namespace.mkdir(path);
    }

    @Override
    public void rmdir(String path) throws JiomapException {
        namespace.rmdir(path);
    }

    @Override
    public void unlink(String path) throws JiomapException {
        namespace.unlink(path);
    }

    @Override
    public void rename(String from, String to) throws JiomapException {
        namespace.rename(from, to);
    }

    @Override
    public List<DirEntry> readdir(String path) throws JiomapException {
        return namespace.readdir(path);
    }

    @Override
    public FileStat stat(String path) throws JiomapException {
        return namespace.stat(path);
    }

    @Override
    public FsStat statfs() throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            Geometry geo = mount.geometry();
            long used = mount.metadata().inodes().size();
            long freeInodes = reservations.freeInodesLocked();
            return new FsStat(geo.blockSize(), geo.dataBlocks(), mount.metadata().freeBlocks(), used + freeInodes,
                    freeInodes);
        } finally {
            mount.unlockMetadata();
        }
    }

    @Override
    public void sync() throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            mount.log().syncLocked();
        } finally {
            mount.unlockMetadata();
        }
    }

    /** Refuses new writes, drains every open file, then writes metadata home marked clean. */
    @Override
    public void unmount() throws JiomapException {
        List<XfsLikeInode> all;
        mount.lockMetadata();
        try {
            if (!mount.markUnmountedLocked()) {
                return;
            }
            all = namespace.openFilesLocked();
        } finally {
            mount.unlockMetadata();
        }
        for (XfsLikeInode i : all) {
            i.lockExclusiveAndDrain();
            i.unlockExclusive();
        }
        mount.lockMetadata();
        try {
            if (!mount.device().isClosed()) {
                mount.log().writeHomeLocked(true);
            }
        } finally {
            mount.unlockMetadata();
        }
    }
}
