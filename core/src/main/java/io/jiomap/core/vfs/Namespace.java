package io.jiomap.core.vfs;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.SetAttr;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The namespace of one mounted filesystem by inode number: what the VFS checks before a filesystem's primitive runs.
 *
 * <ul>
 * <li>Names are non-empty, hold no '/' or NUL, are not "." or ".." where a new or removed name is meant, and have at
 *     most {@value #NAME_MAX} bytes in UTF-8 (ENAMETOOLONG). A symbolic link's target has at most
 *     {@value #SYMLINK_MAX} bytes.</li>
 * <li>The directory an operation names is a directory (ENOTDIR); a name to create is absent (EEXIST); a name to
 *     remove is present (ENOENT) and of the right kind (unlink: EISDIR, rmdir: ENOTDIR and ENOTEMPTY); a hard link
 *     never names a directory (EPERM).</li>
 * <li>rename: the flags are {@link FileSystem#RENAME_NOREPLACE} or {@link FileSystem#RENAME_EXCHANGE}, not both
 *     (EINVAL); NOREPLACE needs the new name absent (EEXIST), EXCHANGE needs it present (ENOENT); without EXCHANGE
 *     a directory replaces only an empty directory (ENOTDIR, ENOTEMPTY) and a non-directory only a non-directory
 *     (EISDIR); no directory moves into itself or under itself (EINVAL); two names of the same inode leave
 *     everything as it is.</li>
 * <li>What is created in a set-group-ID directory takes the directory's group, and a new directory there keeps
 *     set-group-ID. A change of owner or group of a regular file clears set-user-ID, and set-group-ID when the group
 *     may execute it.</li>
 * <li>Extended attributes: only the {@code user.} namespace (EOPNOTSUPP), names of at most {@value #XATTR_NAME_MAX}
 *     bytes (ERANGE), values of at most {@value #XATTR_SIZE_MAX} bytes (E2BIG).</li>
 * </ul>
 *
 * <p>One lock serialises every change (namespace, attributes, xattrs), so a check and the primitive after it see
 * the same state; lookup, getattr, readdir, readlink and getxattr take no lock.
 */
public final class Namespace {
    /** The longest name, in bytes of UTF-8. */
    public static final int NAME_MAX = 255;
    /** The longest symbolic link target, in bytes of UTF-8. */
    public static final int SYMLINK_MAX = 4095;
    /** The longest extended attribute name, in bytes of UTF-8. */
    public static final int XATTR_NAME_MAX = 255;
    /** The largest extended attribute value, in bytes. */
    public static final int XATTR_SIZE_MAX = 65536;
    /** The only extended attribute namespace filesystems store. */
    public static final String XATTR_USER = "user.";

    private static final int RENAME_FLAGS = FileSystem.RENAME_NOREPLACE | FileSystem.RENAME_EXCHANGE;
    private static final int XATTR_FLAGS = FileSystem.XATTR_CREATE | FileSystem.XATTR_REPLACE;

    private final FileSystem fs;
    private final ReentrantLock changes = new ReentrantLock();

    public Namespace(FileSystem fs) {
        this.fs = fs;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public long rootIno() {
        return fs.rootIno();
    }

    /** The inode {@code name} names in {@code dir}; "." is the directory itself, ".." its parent. */
    public FileStat lookup(long dir, String name) throws JiomapException {
        checkName("lookup", dir, name);
        directory("lookup", dir);
        if (name.equals(".")) {
            return fs.getattr(dir);
        }
        if (name.equals("..")) {
            return fs.getattr(fs.parent(dir));
        }
        long ino = fs.lookup(dir, name);
        if (ino == 0) {
            throw new JiomapException(Errno.ENOENT, "lookup " + where(dir, name) + ": no such file or directory");
        }
        return fs.getattr(ino);
    }

    /** The directory holding directory {@code dir} (the root holds itself). */
    public long parent(long dir) throws JiomapException {
        directory("parent", dir);
        return fs.parent(dir);
    }

    public FileStat getattr(long ino) throws JiomapException {
        return fs.getattr(ino);
    }

    /** Up to {@code max} entries after {@code after} ({@code null}: from the first), in name order. */
    public List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
        if (max < 1) {
            throw new JiomapException(Errno.EINVAL, "readdir of directory " + dir + ": asked for " + max
                    + " entries; ask for at least one");
        }
        directory("readdir", dir);
        return fs.readdir(dir, after, max);
    }

    /**
     * Creates the regular file {@code name} in {@code dir}. When the name exists, {@code exclusive} (O_EXCL) fails
     * with EEXIST; otherwise an existing regular file is returned as it is (O_CREAT) and anything else is refused.
     */
    public FileStat create(long dir, String name, int mode, int uid, int gid, boolean exclusive)
            throws JiomapException {
        checkNewName("create", dir, name);
        changes.lock();
        try {
            FileStat parent = directory("create", dir);
            long existing = fs.lookup(dir, name);
            if (existing != 0) {
                FileStat st = fs.getattr(existing);
                if (exclusive) {
                    throw exists("create", dir, name);
                }
                if (st.kind() == FileKind.DIRECTORY) {
                    throw new JiomapException(Errno.EISDIR, "create " + where(dir, name) + ": it is a directory");
                }
                if (st.kind() != FileKind.REGULAR) {
                    throw new JiomapException(Errno.EEXIST, "create " + where(dir, name) + ": it exists as a "
                            + st.kind().name().toLowerCase() + ", not a regular file");
                }
                return st;
            }
            return fs.create(dir, name, permissions("create", mode), uid, inheritedGid(parent, gid));
        } finally {
            changes.unlock();
        }
    }

    /** Creates the directory {@code name} in {@code dir}. */
    public FileStat mkdir(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        checkNewName("mkdir", dir, name);
        changes.lock();
        try {
            FileStat parent = directory("mkdir", dir);
            requireAbsent("mkdir", dir, name);
            int m = permissions("mkdir", mode);
            if ((parent.mode() & FileStat.S_ISGID) != 0) {
                m |= FileStat.S_ISGID;
            }
            return fs.mkdir(dir, name, m, uid, inheritedGid(parent, gid));
        } finally {
            changes.unlock();
        }
    }

    /** Creates the symbolic link {@code name} in {@code dir}, holding {@code target}. */
    public FileStat symlink(long dir, String name, String target, int uid, int gid) throws JiomapException {
        checkNewName("symlink", dir, name);
        if (target.isEmpty()) {
            throw new JiomapException(Errno.ENOENT, "symlink " + where(dir, name) + ": the target is empty");
        }
        if (target.indexOf('\0') >= 0) {
            throw new JiomapException(Errno.EINVAL, "symlink " + where(dir, name) + ": the target holds a NUL byte");
        }
        int length = utf8Length(target);
        if (length > SYMLINK_MAX) {
            throw new JiomapException(Errno.ENAMETOOLONG, "symlink " + where(dir, name) + ": the target has "
                    + length + " bytes in UTF-8, at most " + SYMLINK_MAX + " are allowed");
        }
        changes.lock();
        try {
            FileStat parent = directory("symlink", dir);
            requireAbsent("symlink", dir, name);
            return fs.symlink(dir, name, target, uid, inheritedGid(parent, gid));
        } finally {
            changes.unlock();
        }
    }

    /** The target of symbolic link {@code ino}. */
    public String readlink(long ino) throws JiomapException {
        FileStat st = fs.getattr(ino);
        if (st.kind() != FileKind.SYMLINK) {
            throw new JiomapException(Errno.EINVAL, "readlink of inode " + ino + ": it is a "
                    + st.kind().name().toLowerCase() + ", not a symbolic link");
        }
        return fs.readlink(ino);
    }

    /** Gives the non-directory {@code ino} the further name {@code name} in {@code dir}. */
    public FileStat link(long ino, long dir, String name) throws JiomapException {
        checkNewName("link", dir, name);
        changes.lock();
        try {
            FileStat st = fs.getattr(ino);
            if (st.kind() == FileKind.DIRECTORY) {
                throw new JiomapException(Errno.EPERM, "link of inode " + ino + " as " + where(dir, name)
                        + ": it is a directory, and directories have no hard links");
            }
            directory("link", dir);
            requireAbsent("link", dir, name);
            return fs.link(ino, dir, name);
        } finally {
            changes.unlock();
        }
    }

    /** Removes the name {@code name}, which names a non-directory, from {@code dir}. */
    public void unlink(long dir, String name) throws JiomapException {
        checkName("unlink", dir, name);
        if (isDot(name)) {
            throw new JiomapException(Errno.EISDIR, "unlink " + where(dir, name) + ": it is a directory");
        }
        changes.lock();
        try {
            directory("unlink", dir);
            FileStat st = fs.getattr(present("unlink", dir, name));
            if (st.kind() == FileKind.DIRECTORY) {
                throw new JiomapException(Errno.EISDIR, "unlink " + where(dir, name)
                        + ": it is a directory (remove it with rmdir)");
            }
            fs.unlink(dir, name);
        } finally {
            changes.unlock();
        }
    }

    /** Removes the name {@code name}, which names an empty directory, from {@code dir}. */
    public void rmdir(long dir, String name) throws JiomapException {
        checkName("rmdir", dir, name);
        if (name.equals(".")) {
            throw new JiomapException(Errno.EINVAL, "rmdir " + where(dir, name)
                    + ": a directory cannot be removed through its \".\" entry");
        }
        if (name.equals("..")) {
            throw new JiomapException(Errno.ENOTEMPTY, "rmdir " + where(dir, name)
                    + ": the parent directory holds this one");
        }
        changes.lock();
        try {
            directory("rmdir", dir);
            long ino = present("rmdir", dir, name);
            FileStat st = fs.getattr(ino);
            if (st.kind() != FileKind.DIRECTORY) {
                throw new JiomapException(Errno.ENOTDIR, "rmdir " + where(dir, name) + ": it is a "
                        + st.kind().name().toLowerCase() + ", not a directory (remove it with unlink)");
            }
            requireEmpty("rmdir", dir, name, ino);
            fs.rmdir(dir, name);
        } finally {
            changes.unlock();
        }
    }

    /** rename(2) with {@link FileSystem#RENAME_NOREPLACE} or {@link FileSystem#RENAME_EXCHANGE}. */
    public void rename(long fromDir, String fromName, long toDir, String toName, int flags) throws JiomapException {
        String what = "rename " + where(fromDir, fromName) + " to " + where(toDir, toName);
        if ((flags & ~RENAME_FLAGS) != 0 || flags == RENAME_FLAGS) {
            throw new JiomapException(Errno.EINVAL, what + ": flags " + flags + " are not valid; give "
                    + "RENAME_NOREPLACE (" + FileSystem.RENAME_NOREPLACE + ") or RENAME_EXCHANGE ("
                    + FileSystem.RENAME_EXCHANGE + "), not both");
        }
        checkName("rename", fromDir, fromName);
        checkName("rename", toDir, toName);
        if (isDot(fromName) || isDot(toName)) {
            throw new JiomapException(Errno.EINVAL, what + ": \".\" and \"..\" cannot be renamed or replaced");
        }
        changes.lock();
        try {
            directory("rename", fromDir);
            directory("rename", toDir);
            long from = present("rename", fromDir, fromName);
            FileStat source = fs.getattr(from);
            long to = fs.lookup(toDir, toName);
            if (to != 0 && (flags & FileSystem.RENAME_NOREPLACE) != 0) {
                throw new JiomapException(Errno.EEXIST, what + ": the new name exists (RENAME_NOREPLACE)");
            }
            if (to == 0 && (flags & FileSystem.RENAME_EXCHANGE) != 0) {
                throw new JiomapException(Errno.ENOENT, what + ": the new name does not exist, and RENAME_EXCHANGE "
                        + "swaps two existing names");
            }
            if (to == from) {
                return;
            }
            FileStat target = to == 0 ? null : fs.getattr(to);
            if (source.isDirectory()) {
                requireNotUnder(what, from, toDir);
            }
            if ((flags & FileSystem.RENAME_EXCHANGE) != 0) {
                if (target.isDirectory()) {
                    requireNotUnder(what, to, fromDir);
                }
            } else if (target != null) {
                if (source.isDirectory() && !target.isDirectory()) {
                    throw new JiomapException(Errno.ENOTDIR, what + ": a directory cannot replace a "
                            + target.kind().name().toLowerCase());
                }
                if (!source.isDirectory() && target.isDirectory()) {
                    throw new JiomapException(Errno.EISDIR, what + ": a " + source.kind().name().toLowerCase()
                            + " cannot replace a directory");
                }
                if (target.isDirectory()) {
                    requireEmpty("rename", toDir, toName, to);
                }
            }
            fs.rename(fromDir, fromName, toDir, toName, flags);
        } finally {
            changes.unlock();
        }
    }

    /**
     * Changes attributes. A change of owner or group of a regular file also clears set-user-ID, and set-group-ID
     * when the group may execute the file, unless the same change sets the mode.
     */
    public FileStat setattr(long ino, SetAttr attr) throws JiomapException {
        if ((attr.valid() & ~SetAttr.KNOWN) != 0) {
            throw new JiomapException(Errno.EINVAL, "setattr of inode " + ino + ": unknown fields 0x"
                    + Integer.toHexString(attr.valid() & ~SetAttr.KNOWN) + " in the valid mask");
        }
        changes.lock();
        try {
            FileStat st = fs.getattr(ino);
            if (attr.has(SetAttr.SIZE)) {
                if (st.kind() == FileKind.DIRECTORY) {
                    throw new JiomapException(Errno.EISDIR, "truncate of inode " + ino + ": it is a directory");
                }
                if (st.kind() != FileKind.REGULAR) {
                    throw new JiomapException(Errno.EINVAL, "truncate of inode " + ino + ": it is a "
                            + st.kind().name().toLowerCase() + ", only regular files have a size to set");
                }
                if (attr.size() < 0) {
                    throw new JiomapException(Errno.EINVAL, "truncate of inode " + ino + " to " + attr.size()
                            + ": the size must not be negative");
                }
            }
            SetAttr change = attr;
            if ((attr.has(SetAttr.UID) || attr.has(SetAttr.GID)) && !attr.has(SetAttr.MODE)
                    && st.kind() == FileKind.REGULAR) {
                int mode = st.mode() & ~FileStat.S_ISUID;
                if ((mode & 0010) != 0) {
                    mode &= ~FileStat.S_ISGID;
                }
                if (mode != st.mode()) {
                    change = new SetAttr(attr.valid() | SetAttr.MODE, mode, attr.uid(), attr.gid(), attr.size(),
                            attr.atime(), attr.mtime());
                }
            }
            return fs.setattr(ino, change);
        } finally {
            changes.unlock();
        }
    }

    /** Opens regular file {@code ino} for I/O; end it with {@link #release}. */
    public Inode open(long ino) throws JiomapException {
        FileStat st = fs.getattr(ino);
        if (st.kind() == FileKind.DIRECTORY) {
            throw new JiomapException(Errno.EISDIR, "open of inode " + ino + ": it is a directory");
        }
        if (st.kind() == FileKind.SYMLINK) {
            throw new JiomapException(Errno.ELOOP, "open of inode " + ino + ": it is a symbolic link");
        }
        return fs.open(ino);
    }

    /** Ends one {@link #open}. */
    public void release(Inode inode) throws JiomapException {
        fs.release(inode);
    }

    public byte[] getxattr(long ino, String name) throws JiomapException {
        checkXattrName("getxattr", ino, name);
        return fs.getxattr(ino, name);
    }

    public List<String> listxattr(long ino) throws JiomapException {
        return fs.listxattr(ino);
    }

    /** Sets extended attribute {@code name} ({@link FileSystem#XATTR_CREATE}, {@link FileSystem#XATTR_REPLACE}). */
    public void setxattr(long ino, String name, byte[] value, int flags) throws JiomapException {
        checkXattrName("setxattr", ino, name);
        if ((flags & ~XATTR_FLAGS) != 0) {
            throw new JiomapException(Errno.EINVAL, "setxattr " + name + " of inode " + ino + ": flags " + flags
                    + " are not valid; give XATTR_CREATE (" + FileSystem.XATTR_CREATE + ") or XATTR_REPLACE ("
                    + FileSystem.XATTR_REPLACE + ")");
        }
        if (value.length > XATTR_SIZE_MAX) {
            throw new JiomapException(Errno.E2BIG, "setxattr " + name + " of inode " + ino + ": the value has "
                    + value.length + " bytes, at most " + XATTR_SIZE_MAX + " are allowed");
        }
        changes.lock();
        try {
            fs.setxattr(ino, name, value, flags);
        } finally {
            changes.unlock();
        }
    }

    public void removexattr(long ino, String name) throws JiomapException {
        checkXattrName("removexattr", ino, name);
        changes.lock();
        try {
            fs.removexattr(ino, name);
        } finally {
            changes.unlock();
        }
    }

    public FsStat statfs() throws JiomapException {
        return fs.statfs();
    }

    public void sync() throws JiomapException {
        fs.sync();
    }

    private FileStat directory(String op, long dir) throws JiomapException {
        FileStat st = fs.getattr(dir);
        if (!st.isDirectory()) {
            throw new JiomapException(Errno.ENOTDIR, op + " in inode " + dir + ": it is a "
                    + st.kind().name().toLowerCase() + ", not a directory");
        }
        return st;
    }

    private long present(String op, long dir, String name) throws JiomapException {
        long ino = fs.lookup(dir, name);
        if (ino == 0) {
            throw new JiomapException(Errno.ENOENT, op + " " + where(dir, name) + ": no such file or directory");
        }
        return ino;
    }

    private void requireAbsent(String op, long dir, String name) throws JiomapException {
        if (fs.lookup(dir, name) != 0) {
            throw exists(op, dir, name);
        }
    }

    private void requireEmpty(String op, long dir, String name, long ino) throws JiomapException {
        if (!fs.readdir(ino, null, 1).isEmpty()) {
            throw new JiomapException(Errno.ENOTEMPTY, op + " " + where(dir, name) + ": the directory is not empty");
        }
    }

    /** EINVAL when {@code dir} is directory {@code moved} or lies under it: a directory never moves under itself. */
    private void requireNotUnder(String what, long moved, long dir) throws JiomapException {
        long root = fs.rootIno();
        long d = dir;
        while (true) {
            if (d == moved) {
                throw new JiomapException(Errno.EINVAL, what + ": a directory cannot move into itself or its own "
                        + "subtree");
            }
            if (d == root) {
                return;
            }
            d = fs.parent(d);
        }
    }

    private static JiomapException exists(String op, long dir, String name) {
        return new JiomapException(Errno.EEXIST, op + " " + where(dir, name) + ": the name exists");
    }

    private static int inheritedGid(FileStat parent, int gid) {
        return (parent.mode() & FileStat.S_ISGID) != 0 ? parent.gid() : gid;
    }

    private static int permissions(String op, int mode) throws JiomapException {
        if ((mode & ~FileStat.MODE_MASK) != 0) {
            throw new JiomapException(Errno.EINVAL, op + ": mode " + Integer.toOctalString(mode)
                    + " has bits outside 07777 (the kind is not part of the mode)");
        }
        return mode;
    }

    /** A name that is to be created: "." and ".." exist already. */
    private static void checkNewName(String op, long dir, String name) throws JiomapException {
        checkName(op, dir, name);
        if (isDot(name)) {
            throw exists(op, dir, name);
        }
    }

    private static void checkName(String op, long dir, String name) throws JiomapException {
        if (name.isEmpty()) {
            throw new JiomapException(Errno.ENOENT, op + " in directory " + dir + ": the name is empty");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new JiomapException(Errno.EINVAL, op + " " + where(dir, name)
                    + ": a name holds no '/' and no NUL byte");
        }
        int length = utf8Length(name);
        if (length > NAME_MAX) {
            throw new JiomapException(Errno.ENAMETOOLONG, op + " in directory " + dir + ": a name of " + length
                    + " bytes in UTF-8; at most " + NAME_MAX + " are allowed");
        }
    }

    private static void checkXattrName(String op, long ino, String name) throws JiomapException {
        if (!name.startsWith(XATTR_USER)) {
            throw new JiomapException(Errno.EOPNOTSUPP, op + " " + name + " of inode " + ino
                    + ": only the \"user.\" namespace is supported");
        }
        if (name.length() == XATTR_USER.length()) {
            throw new JiomapException(Errno.EINVAL, op + " " + name + " of inode " + ino
                    + ": the name is empty after \"user.\"");
        }
        int length = utf8Length(name);
        if (length > XATTR_NAME_MAX) {
            throw new JiomapException(Errno.ERANGE, op + " of inode " + ino + ": an attribute name of " + length
                    + " bytes in UTF-8; at most " + XATTR_NAME_MAX + " are allowed");
        }
    }

    private static boolean isDot(String name) {
        return name.equals(".") || name.equals("..");
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String where(long dir, String name) {
        return "\"" + name + "\" in directory " + dir;
    }
}
