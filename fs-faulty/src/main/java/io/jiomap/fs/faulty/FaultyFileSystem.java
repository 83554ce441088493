package io.jiomap.fs.faulty;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import java.util.List;

/**
 * The inner filesystem, every method delegated (the namespace operations too, which would otherwise answer the
 * interface's EPERM defaults). It only watches {@link #open} so that {@code @/path} faults know their file. The
 * inodes handed out are the inner filesystem's own: an {@link Inode}'s direct-I/O count ({@link Inode#dio()}) is
 * per object, so a wrapping inode would count I/O where the inner filesystem's drains cannot see it.
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
    public Inode open(String path, int flags) throws JiomapException {
        Inode inode = inner.open(path, flags);
        engine.opened(path, inode);
        return inode;
    }

    @Override
    public void mkdir(String path) throws JiomapException {
        inner.mkdir(path);
    }

    @Override
    public void rmdir(String path) throws JiomapException {
        inner.rmdir(path);
    }

    @Override
    public void unlink(String path) throws JiomapException {
        inner.unlink(path);
    }

    @Override
    public void rename(String from, String to) throws JiomapException {
        inner.rename(from, to);
    }

    @Override
    public List<DirEntry> readdir(String path) throws JiomapException {
        return inner.readdir(path);
    }

    @Override
    public FileStat stat(String path) throws JiomapException {
        return inner.stat(path);
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
