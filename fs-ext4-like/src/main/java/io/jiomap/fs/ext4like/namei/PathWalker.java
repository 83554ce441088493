package io.jiomap.fs.ext4like.namei;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import java.util.List;

/**
 * The path operations of the api's FileSystem before the core walks paths itself: each walks from the root with
 * {@link Namespace#lookup}, checks the rules and calls the inode-level primitive. It goes once the core's path layer
 * ({@code io.jiomap.core.vfs.Namespace}) has landed.
 */
public final class PathWalker {
    private final Namespace ns;

    public PathWalker(Namespace ns) {
        this.ns = ns;
    }

    private long walk(List<String> parts, int count, String path) throws JiomapException {
        long at = Superblock.ROOT_INO;
        for (int i = 0; i < count; i++) {
            if (!ns.getattr(at).isDirectory()) {
                throw new JiomapException(Errno.ENOTDIR, path + ": '" + parts.get(i - 1) + "' is not a directory");
            }
            long next = ns.lookup(at, parts.get(i));
            if (next == 0) {
                throw new JiomapException(Errno.ENOENT, path + ": '" + parts.get(i) + "' does not exist");
            }
            at = next;
        }
        return at;
    }

    private long parentOf(List<String> parts, String path) throws JiomapException {
        if (parts.isEmpty()) {
            throw new JiomapException(Errno.EEXIST, path + ": the root always exists");
        }
        long p = walk(parts, parts.size() - 1, path);
        if (!ns.getattr(p).isDirectory()) {
            throw new JiomapException(Errno.ENOTDIR, path + ": the parent is not a directory");
        }
        return p;
    }

    public Ext4Inode open(String path, int flags) throws JiomapException {
        List<String> parts = Paths.components(path);
        if (parts.isEmpty()) {
            throw new JiomapException(Errno.EISDIR, path + " is a directory");
        }
        long parent = parentOf(parts, path);
        long ino = ns.lookup(parent, parts.getLast());
        if (ino != 0) {
            if ((flags & (FileSystem.CREATE | FileSystem.EXCLUSIVE)) == (FileSystem.CREATE | FileSystem.EXCLUSIVE)) {
                throw new JiomapException(Errno.EEXIST, path + " exists");
            }
        } else {
            if ((flags & FileSystem.CREATE) == 0) {
                throw new JiomapException(Errno.ENOENT, path + " does not exist");
            }
            ino = ns.create(parent, parts.getLast(), 0644, 0, 0).ino();
        }
        Ext4Inode in = ns.open(ino);
        // The path API has no close: the open is not kept, as before opens were counted.
        ns.release(in);
        return in;
    }

    public void mkdir(String path) throws JiomapException {
        List<String> parts = Paths.components(path);
        long parent = parentOf(parts, path);
        if (ns.lookup(parent, parts.getLast()) != 0) {
            throw new JiomapException(Errno.EEXIST, path + " exists");
        }
        ns.mkdir(parent, parts.getLast(), 0755, 0, 0);
    }

    public void rmdir(String path) throws JiomapException {
        List<String> parts = Paths.components(path);
        if (parts.isEmpty()) {
            throw new JiomapException(Errno.EBUSY, "cannot remove the root directory");
        }
        long parent = parentOf(parts, path);
        long ino = ns.lookup(parent, parts.getLast());
        if (ino == 0) {
            throw new JiomapException(Errno.ENOENT, path + " does not exist");
        }
        if (!ns.getattr(ino).isDirectory()) {
            throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
        }
        if (!ns.readdir(ino, null, 1).isEmpty()) {
            throw new JiomapException(Errno.ENOTEMPTY, path + " is not empty");
        }
        ns.rmdir(parent, parts.getLast());
    }

    public void unlink(String path) throws JiomapException {
        List<String> parts = Paths.components(path);
        if (parts.isEmpty()) {
            throw new JiomapException(Errno.EISDIR, "/ is a directory");
        }
        long parent = parentOf(parts, path);
        long ino = ns.lookup(parent, parts.getLast());
        if (ino == 0) {
            throw new JiomapException(Errno.ENOENT, path + " does not exist");
        }
        if (ns.getattr(ino).isDirectory()) {
            throw new JiomapException(Errno.EISDIR, path + " is a directory");
        }
        ns.unlink(parent, parts.getLast());
    }

    public void rename(String from, String to) throws JiomapException {
        List<String> src = Paths.components(from);
        List<String> dst = Paths.components(to);
        if (src.isEmpty() || dst.isEmpty()) {
            throw new JiomapException(Errno.EBUSY, "cannot rename the root directory");
        }
        long sp = parentOf(src, from);
        long moving = ns.lookup(sp, src.getLast());
        if (moving == 0) {
            throw new JiomapException(Errno.ENOENT, from + " does not exist");
        }
        long dp = parentOf(dst, to);
        boolean dir = ns.getattr(moving).isDirectory();
        if (dir) {
            for (long at = dp; ; at = ns.parent(at)) {
                if (at == moving) {
                    throw new JiomapException(Errno.EINVAL, "cannot move " + from + " into itself (" + to + ")");
                }
                if (at == Superblock.ROOT_INO) {
                    break;
                }
            }
        }
        long victim = ns.lookup(dp, dst.getLast());
        if (victim == moving) {
            return;
        }
        if (victim != 0) {
            FileStat v = ns.getattr(victim);
            if (dir && !v.isDirectory()) {
                throw new JiomapException(Errno.ENOTDIR, to + " is not a directory");
            }
            if (!dir && v.isDirectory()) {
                throw new JiomapException(Errno.EISDIR, to + " is a directory");
            }
            if (v.isDirectory() && !ns.readdir(victim, null, 1).isEmpty()) {
                throw new JiomapException(Errno.ENOTEMPTY, to + " is not empty");
            }
        }
        ns.rename(sp, src.getLast(), dp, dst.getLast(), 0);
    }

    public List<DirEntry> readdir(String path) throws JiomapException {
        List<String> parts = Paths.components(path);
        long d = walk(parts, parts.size(), path);
        if (!ns.getattr(d).isDirectory()) {
            throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
        }
        return ns.readdir(d, null, Integer.MAX_VALUE);
    }

    public FileStat stat(String path) throws JiomapException {
        List<String> parts = Paths.components(path);
        return ns.getattr(walk(parts, parts.size(), path));
    }
}
