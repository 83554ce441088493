package io.jiomap.fs.xfslike;

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
 * {@link Reservations} (space), {@link Namespace} (inodes, directories, attributes, orphans) and {@link XfsLikeInode} (a regular file).
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

    /** Mounts, then frees the orphans a crash left (their inodes were unlinked while open). */
    static XfsLikeFileSystem mount(BlockDevice device, DirectIoEngine directIo) throws JiomapException {
        XfsLikeFileSystem fs = new XfsLikeFileSystem(MountState.mount(device, directIo));
        fs.mount.lockMetadata();
        try {
            fs.namespace.freeOrphansLocked();
        } finally {
            fs.mount.unlockMetadata();
        }
        return fs;
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

    // ---- the inode-level namespace ----

    @Override
    public long rootIno() {
        return namespace.rootIno();
    }

    @Override
    public long lookup(long dir, String name) throws JiomapException {
        return namespace.lookup(dir, name);
    }

    @Override
    public long parent(long dir) throws JiomapException {
        return namespace.parent(dir);
    }

    @Override
    public FileStat getattr(long ino) throws JiomapException {
        return namespace.getattr(ino);
    }

    @Override
    public List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
        return namespace.readdir(dir, after, max);
    }

    @Override
    public FileStat create(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return namespace.create(dir, name, mode, uid, gid);
    }

    @Override
    public FileStat mkdir(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return namespace.mkdir(dir, name, mode, uid, gid);
    }

    @Override
    public FileStat symlink(long dir, String name, String target, int uid, int gid) throws JiomapException {
        return namespace.symlink(dir, name, target, uid, gid);
    }

    @Override
    public String readlink(long ino) throws JiomapException {
        return namespace.readlink(ino);
    }

    @Override
    public FileStat link(long ino, long dir, String name) throws JiomapException {
        return namespace.link(ino, dir, name);
    }

    @Override
    public void unlink(long dir, String name) throws JiomapException {
        namespace.unlink(dir, name);
    }

    @Override
    public void rmdir(long dir, String name) throws JiomapException {
        namespace.rmdir(dir, name);
    }

    @Override
    public void rename(long fromDir, String fromName, long toDir, String toName, int flags) throws JiomapException {
        namespace.rename(fromDir, fromName, toDir, toName, flags);
    }

    @Override
    public FileStat setattr(long ino, SetAttr attr) throws JiomapException {
        return namespace.setattr(ino, attr);
    }

    @Override
    public Inode open(long ino) throws JiomapException {
        return namespace.open(ino);
    }

    @Override
    public void release(Inode inode) throws JiomapException {
        if (!(inode instanceof XfsLikeInode file) || file.fileSystem() != this) {
            throw new JiomapException(Errno.EINVAL, "release: inode " + inode.ino() + " is not a file of this "
                    + "xfs-like mount");
        }
        namespace.release(file);
    }

    @Override
    public byte[] getxattr(long ino, String name) throws JiomapException {
        return namespace.getxattr(ino, name);
    }

    @Override
    public List<String> listxattr(long ino) throws JiomapException {
        return namespace.listxattr(ino);
    }

    @Override
    public void setxattr(long ino, String name, byte[] value, int flags) throws JiomapException {
        namespace.setxattr(ino, name, value, flags);
    }

    @Override
    public void removexattr(long ino, String name) throws JiomapException {
        namespace.removexattr(ino, name);
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

    /**
     * Refuses new writes, drains every open file, frees the orphans still open, then writes metadata home marked
     * clean (times that data I/O changed in memory go with it).
     */
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
                namespace.freeOrphansLocked();
                mount.log().writeHomeLocked(true);
            }
        } finally {
            mount.unlockMetadata();
        }
    }
}
