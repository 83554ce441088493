package io.jiomap.api.vfs;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import java.util.List;

/**
 * A filesystem with one directory, the root, and no links, symbolic links or extended attributes (the raw filesystem,
 * test filesystems; the kernel's {@code libfs} helpers serve such filesystems). Every change it does not override is
 * refused with EPERM, as the VFS answers for a filesystem without the operation; readlink is EINVAL; no extended
 * attribute is listed, reading or removing one is ENODATA and setting one EOPNOTSUPP. Such a filesystem implements
 * lookup, getattr, readdir, open and release, and overrides the changes it does support.
 */
public interface FlatNamespace extends FileSystem {
    private JiomapException refused(String op) {
        return new JiomapException(Errno.EPERM, op + ": the " + typeName() + " filesystem cannot do this");
    }

    @Override
    default FileStat create(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        throw refused("create " + name);
    }

    @Override
    default FileStat mkdir(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        throw refused("mkdir " + name);
    }

    @Override
    default FileStat symlink(long dir, String name, String target, int uid, int gid) throws JiomapException {
        throw refused("symlink " + name);
    }

    @Override
    default FileStat link(long ino, long dir, String name) throws JiomapException {
        throw refused("link " + name);
    }

    @Override
    default void unlink(long dir, String name) throws JiomapException {
        throw refused("unlink " + name);
    }

    @Override
    default void rmdir(long dir, String name) throws JiomapException {
        throw refused("rmdir " + name);
    }

    @Override
    default void rename(long fromDir, String fromName, long toDir, String toName, int flags) throws JiomapException {
        throw refused("rename " + fromName);
    }

    @Override
    default FileStat setattr(long ino, SetAttr attr) throws JiomapException {
        throw refused("setattr of inode " + ino);
    }

    @Override
    default String readlink(long ino) throws JiomapException {
        getattr(ino);
        throw new JiomapException(Errno.EINVAL, "readlink of inode " + ino + ": the " + typeName()
                + " filesystem has no symbolic links");
    }

    @Override
    default byte[] getxattr(long ino, String name) throws JiomapException {
        getattr(ino);
        throw new JiomapException(Errno.ENODATA, "getxattr " + name + ": the " + typeName()
                + " filesystem stores no extended attributes");
    }

    @Override
    default List<String> listxattr(long ino) throws JiomapException {
        getattr(ino);
        return List.of();
    }

    @Override
    default void setxattr(long ino, String name, byte[] value, int flags) throws JiomapException {
        getattr(ino);
        throw new JiomapException(Errno.EOPNOTSUPP, "setxattr " + name + ": the " + typeName()
                + " filesystem stores no extended attributes");
    }

    @Override
    default void removexattr(long ino, String name) throws JiomapException {
        getattr(ino);
        throw new JiomapException(Errno.ENODATA, "removexattr " + name + ": the " + typeName()
                + " filesystem stores no extended attributes");
    }
}
