package io.jiomap.fs.faulty;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.SetAttr;
import java.util.List;

/**
 * The inner filesystem, every method delegated. It only watches {@link #open} so that {@code @/path} faults know
 * their file: an opened inode that the path names now (looked up name by name in the inner filesystem) is that
 * fault's file. The inodes handed out are the inner filesystem's own: an {@link Inode}'s direct-I/O count
 * ({@link Inode#dio()}) is per object, so a wrapping inode would count I/O where the inner filesystem's drains cannot
 * see it.
 */
final class FaultyFileSystem implements FileSystem {
    private final FileSystem inner;
    private final FaultyEngine engine;

    FaultyFileSystem(FileSystem inner, FaultyEngine engine) {
        this.inner = inner;
        this.engine = engine;
    }

    @Override
    public String typeName() {
        return FaultyFileSystemType.NAME;
    }

    @Override
    public BlockDevice device() {
        return inner.device();
    }

    @Override
    public int blockSize() {
        return inner.blockSize();
    }

    @Override
    public long rootIno() {
        return inner.rootIno();
    }

    @Override
    public long lookup(long dir, String name) throws JiomapException {
        return inner.lookup(dir, name);
    }

    @Override
    public long parent(long dir) throws JiomapException {
        return inner.parent(dir);
    }

    @Override
    public FileStat getattr(long ino) throws JiomapException {
        return inner.getattr(ino);
    }

    @Override
    public List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
        return inner.readdir(dir, after, max);
    }

    @Override
    public FileStat create(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return inner.create(dir, name, mode, uid, gid);
    }

    @Override
    public FileStat mkdir(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return inner.mkdir(dir, name, mode, uid, gid);
    }

    @Override
    public FileStat symlink(long dir, String name, String target, int uid, int gid) throws JiomapException {
        return inner.symlink(dir, name, target, uid, gid);
    }

    @Override
    public String readlink(long ino) throws JiomapException {
        return inner.readlink(ino);
    }

    @Override
    public FileStat link(long ino, long dir, String name) throws JiomapException {
        return inner.link(ino, dir, name);
    }

    @Override
    public void unlink(long dir, String name) throws JiomapException {
        inner.unlink(dir, name);
    }

    @Override
    public void rmdir(long dir, String name) throws JiomapException {
        inner.rmdir(dir, name);
    }

    @Override
    public void rename(long fromDir, String fromName, long toDir, String toName, int flags) throws JiomapException {
        inner.rename(fromDir, fromName, toDir, toName, flags);
    }

    @Override
    public FileStat setattr(long ino, SetAttr attr) throws JiomapException {
        return inner.setattr(ino, attr);
    }

    @Override
    public Inode open(long ino) throws JiomapException {
        Inode inode = inner.open(ino);
        for (String path : engine.watchedPaths()) {
            if (inoOf(path) == ino) {
                engine.opened(path, inode);
            }
        }
        return inode;
    }

    /** The inode {@code path} names in the inner filesystem now, or 0 (a plain walk: fault paths are literal). */
    private long inoOf(String path) throws JiomapException {
        long ino = inner.rootIno();
        for (String name : path.split("/")) {
            if (name.isEmpty()) {
                continue;
            }
            if (!inner.getattr(ino).isDirectory()) {
                return 0;
            }
            ino = inner.lookup(ino, name);
            if (ino == 0) {
                return 0;
            }
        }
        return ino;
    }

    @Override
    public void release(Inode inode) throws JiomapException {
        inner.release(inode);
    }

    @Override
    public byte[] getxattr(long ino, String name) throws JiomapException {
        return inner.getxattr(ino, name);
    }

    @Override
    public List<String> listxattr(long ino) throws JiomapException {
        return inner.listxattr(ino);
    }

    @Override
    public void setxattr(long ino, String name, byte[] value, int flags) throws JiomapException {
        inner.setxattr(ino, name, value, flags);
    }

    @Override
    public void removexattr(long ino, String name) throws JiomapException {
        inner.removexattr(ino, name);
    }

    @Override
    public FsStat statfs() throws JiomapException {
        return inner.statfs();
    }

    @Override
    public void sync() throws JiomapException {
        inner.sync();
    }

    @Override
    public void unmount() throws JiomapException {
        inner.unmount();
    }
}
