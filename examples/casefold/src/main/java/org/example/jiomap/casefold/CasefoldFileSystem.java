package org.example.jiomap.casefold;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import java.util.List;
import java.util.Locale;

// tag::casefold-filesystem[]
/**
 * The wrapped filesystem with every path folded to lower case on the way in, so {@code /Docs/A.TXT} and
 * {@code /docs/a.txt} are one file, listed as {@code a.txt}.
 *
 * <p>Every method of {@link FileSystem} is forwarded, the namespace operations too: {@code mkdir}, {@code rmdir},
 * {@code unlink} and {@code rename} have defaults that answer EPERM (right for a filesystem without directories, like
 * raw), so a wrapper that does not override them turns the wrapped namespace read-only. The inodes handed out are the
 * wrapped filesystem's own: an inode's direct-I/O count ({@link Inode#dio()}) belongs to the object, and a wrapping
 * inode would count I/O where the wrapped filesystem's drains (truncate, unmount) cannot see it.
 */
final class CasefoldFileSystem implements FileSystem {
    private final FileSystem inner;

    CasefoldFileSystem(FileSystem inner) {
        this.inner = inner;
    }

    /** The one rule of this filesystem: a name is its lower-case form (Unicode, locale-independent). */
    static String fold(String path) {
        return path.toLowerCase(Locale.ROOT);
    }

    @Override
    public String typeName() {
        return CasefoldFileSystemType.NAME;
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
        return inner.open(fold(path), flags);
    }

    @Override
    public void mkdir(String path) throws JiomapException {
        inner.mkdir(fold(path));
    }

    @Override
    public void rmdir(String path) throws JiomapException {
        inner.rmdir(fold(path));
    }

    @Override
    public void unlink(String path) throws JiomapException {
        inner.unlink(fold(path));
    }

    @Override
    public void rename(String from, String to) throws JiomapException {
        inner.rename(fold(from), fold(to));
    }

    @Override
    public List<DirEntry> readdir(String path) throws JiomapException {
        return inner.readdir(fold(path));
    }

    @Override
    public FileStat stat(String path) throws JiomapException {
        return inner.stat(fold(path));
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
// end::casefold-filesystem[]
