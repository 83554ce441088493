package org.example.jiomap.casefold;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.SetAttr;
import java.util.List;
import java.util.Locale;

// tag::casefold-filesystem[]
/**
 * The wrapped filesystem with every name folded to lower case on the way in, so {@code /Docs/A.TXT} and
 * {@code /docs/a.txt} are one file, listed as {@code a.txt}.
 *
 * <p>The core walks paths and calls a filesystem one name at a time ({@code lookup}, {@code create}, {@code mkdir},
 * ...), so folding each name argument is all a case-insensitive namespace takes: the core's own checks (does the name
 * exist? is the directory empty?) go through {@link #lookup} too and see folded names. Every other method is
 * forwarded as it is. The inodes handed out are the wrapped filesystem's own: an inode's direct-I/O count
 * ({@link Inode#dio()}) belongs to the object, and a wrapping inode would count I/O where the wrapped filesystem's
 * drains (truncate, unmount) cannot see it.
 */
final class CasefoldFileSystem implements FileSystem {
    private final FileSystem inner;

    CasefoldFileSystem(FileSystem inner) {
        this.inner = inner;
    }

    /** The one rule of this filesystem: a name is its lower-case form (Unicode, locale-independent). */
    static String fold(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    // The names: folded on the way in.

    @Override
    public long lookup(long dir, String name) throws JiomapException {
        return inner.lookup(dir, fold(name));
    }

    @Override
    public FileStat create(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return inner.create(dir, fold(name), mode, uid, gid);
    }

    @Override
    public FileStat mkdir(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return inner.mkdir(dir, fold(name), mode, uid, gid);
    }

    @Override
    public FileStat symlink(long dir, String name, String target, int uid, int gid) throws JiomapException {
        return inner.symlink(dir, fold(name), target, uid, gid);
    }

    @Override
    public FileStat link(long ino, long dir, String name) throws JiomapException {
        return inner.link(ino, dir, fold(name));
    }

    @Override
    public void unlink(long dir, String name) throws JiomapException {
        inner.unlink(dir, fold(name));
    }

    @Override
    public void rmdir(long dir, String name) throws JiomapException {
        inner.rmdir(dir, fold(name));
    }

    @Override
    public void rename(long fromDir, String fromName, long toDir, String toName, int flags) throws JiomapException {
        inner.rename(fromDir, fold(fromName), toDir, fold(toName), flags);
    }

    /** The names listed are the folded ones the wrapped filesystem holds; {@code after} is one of them. */
    @Override
    public List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
        return inner.readdir(dir, after == null ? null : fold(after), max);
    }
    // end::casefold-filesystem[]

    // Everything else: forwarded.

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
    public long rootIno() {
        return inner.rootIno();
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
    public String readlink(long ino) throws JiomapException {
        return inner.readlink(ino);
    }

    @Override
    public FileStat setattr(long ino, SetAttr attr) throws JiomapException {
        return inner.setattr(ino, attr);
    }

    @Override
    public Inode open(long ino) throws JiomapException {
        return inner.open(ino);
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
