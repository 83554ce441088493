package io.jiomap.fs.xfslike.namespace;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.fs.xfslike.format.InodeRecords;
import io.jiomap.fs.xfslike.meta.InodeCore;
import java.util.ArrayList;
import java.util.List;

/**
 * The old path methods of {@code FileSystem} (not open) on top of the inode-level {@link Namespace}, for the callers
 * not yet moved to the core's {@code Mount} (the crash harness): this class and the path methods go when they have.
 * Paths are absolute, without "." and "..", and symbolic links are not followed; directories are made with mode
 * 0755, owned by root.
 */
public final class PathWalker {
    private final Namespace ns;

    public PathWalker(Namespace ns) {
        this.ns = ns;
    }

    private static List<String> split(String path) throws JiomapException {
        if (path == null || !path.startsWith("/")) {
            throw new JiomapException(Errno.EINVAL, "path '" + path + "' is not absolute");
        }
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals(".") || p.equals("..")) {
                throw new JiomapException(Errno.EINVAL, "path '" + path + "': '.' and '..' are not supported");
            }
            if (InodeCore.nameBytes(p) > InodeRecords.NAME_MAX) {
                throw new JiomapException(Errno.ENAMETOOLONG, "path '" + path + "': a name is longer than "
                        + InodeRecords.NAME_MAX + " bytes");
            }
            parts.add(p);
        }
        return parts;
    }

    /** The directory holding the last name of {@code parts}. */
    private long parentOf(String path, List<String> parts) throws JiomapException {
        long dir = ns.rootIno();
        for (int i = 0; i < parts.size() - 1; i++) {
            long next = ns.lookup(dir, parts.get(i));
            if (next == 0) {
                throw new JiomapException(Errno.ENOENT, path + ": '" + parts.get(i) + "' does not exist");
            }
            if (!ns.getattr(next).isDirectory()) {
                throw new JiomapException(Errno.ENOTDIR, path + ": '" + parts.get(i) + "' is not a directory");
            }
            dir = next;
        }
        return dir;
    }

    private long resolve(String path) throws JiomapException {
        List<String> parts = split(path);
        if (parts.isEmpty()) {
            return ns.rootIno();
        }
        long ino = ns.lookup(parentOf(path, parts), parts.getLast());
        if (ino == 0) {
            throw new JiomapException(Errno.ENOENT, path + " does not exist");
        }
        return ino;
    }

    public void mkdir(String path) throws JiomapException {
        List<String> parts = split(path);
        if (parts.isEmpty()) {
            throw new JiomapException(Errno.EEXIST, "/ exists");
        }
        long dir = parentOf(path, parts);
        if (ns.lookup(dir, parts.getLast()) != 0) {
            throw new JiomapException(Errno.EEXIST, path + " exists");
        }
        ns.mkdir(dir, parts.getLast(), 0755, 0, 0);
    }

    public void rmdir(String path) throws JiomapException {
        List<String> parts = split(path);
        if (parts.isEmpty()) {
            throw new JiomapException(Errno.EBUSY, "rmdir /: the root cannot be removed");
        }
        long dir = parentOf(path, parts);
        long ino = resolve(path);
        if (!ns.getattr(ino).isDirectory()) {
            throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
        }
        if (!ns.readdir(ino, null, 1).isEmpty()) {
            throw new JiomapException(Errno.ENOTEMPTY, path + " is not empty");
        }
        ns.rmdir(dir, parts.getLast());
    }

    public void unlink(String path) throws JiomapException {
        List<String> parts = split(path);
        if (parts.isEmpty()) {
            throw new JiomapException(Errno.EISDIR, "/ is a directory");
        }
        long dir = parentOf(path, parts);
        if (ns.getattr(resolve(path)).isDirectory()) {
            throw new JiomapException(Errno.EISDIR, path + " is a directory");
        }
        ns.unlink(dir, parts.getLast());
    }

    public void rename(String from, String to) throws JiomapException {
        List<String> fp = split(from);
        List<String> tp = split(to);
        if (fp.isEmpty() || tp.isEmpty()) {
            throw new JiomapException(Errno.EBUSY, "rename " + from + " to " + to + ": the root cannot move");
        }
        long fromDir = parentOf(from, fp);
        long src = resolve(from);
        long toDir = parentOf(to, tp);
        FileStat s = ns.getattr(src);
        if (s.isDirectory() && tp.size() > fp.size() && tp.subList(0, fp.size()).equals(fp)) {
            throw new JiomapException(Errno.EINVAL, "rename " + from + " to " + to
                    + ": a directory cannot move into itself");
        }
        long dst = ns.lookup(toDir, tp.getLast());
        if (dst == src) {
            return;
        }
        if (dst != 0) {
            FileStat d = ns.getattr(dst);
            if (s.isDirectory() && !d.isDirectory()) {
                throw new JiomapException(Errno.ENOTDIR, to + " is not a directory");
            }
            if (!s.isDirectory() && d.isDirectory()) {
                throw new JiomapException(Errno.EISDIR, to + " is a directory");
            }
            if (d.isDirectory() && !ns.readdir(dst, null, 1).isEmpty()) {
                throw new JiomapException(Errno.ENOTEMPTY, to + " is not empty");
            }
        }
        ns.rename(fromDir, fp.getLast(), toDir, tp.getLast(), 0);
    }

    public List<DirEntry> readdir(String path) throws JiomapException {
        long ino = resolve(path);
        if (!ns.getattr(ino).isDirectory()) {
            throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
        }
        return ns.readdir(ino, null, Integer.MAX_VALUE);
    }

    public FileStat stat(String path) throws JiomapException {
        return ns.getattr(resolve(path));
    }
}
