package io.jiomap.core.vfs;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.fs.MountContext;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.api.vfs.Timestamps;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory filesystem implementing the inode-level SPI the way the contract asks and no further: each primitive
 * trusts the core's checks and answers EIO, saying what it found, when a precondition is broken. So a rule the core
 * failed to check shows up in a test as EIO (or as a wrong state), not as the errno the rule asks for.
 */
public final class MemFs implements FileSystem {
    private static final Comparator<String> UTF8_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    /** Releases seen, for the tests of OpenFile.close. */
    public final AtomicInteger releases = new AtomicInteger();

    private static final long ROOT = 1;

    private final Map<Long, Node> nodes = new HashMap<>();
    private long nextIno = ROOT + 1;

    private static final class Node {
        final long ino;
        final FileKind kind;
        int mode;
        int uid;
        int gid;
        int links;
        long parent;
        String target;
        byte[] data = new byte[0];
        int opens;
        long atime;
        long mtime;
        long ctime;
        final TreeMap<String, Long> entries = new TreeMap<>(UTF8_ORDER);
        final TreeMap<String, byte[]> xattrs = new TreeMap<>();
        final File file;

        Node(MemFs fs, long ino, FileKind kind, int mode, int uid, int gid) {
            this.ino = ino;
            this.kind = kind;
            this.mode = mode;
            this.uid = uid;
            this.gid = gid;
            this.links = kind == FileKind.DIRECTORY ? 2 : 1;
            long now = Timestamps.now();
            atime = mtime = ctime = now;
            file = kind == FileKind.REGULAR ? fs.new File(this) : null;
        }

        FileStat stat() {
            long size = kind == FileKind.SYMLINK ? target.getBytes(StandardCharsets.UTF_8).length : data.length;
            return new FileStat(ino, 1, kind, mode, uid, gid, links, size, size, 4096, size == 0 ? 0 : 1, atime,
                    mtime, ctime);
        }
    }

    public MemFs() {
        Node root = new Node(this, 1, FileKind.DIRECTORY, 0755, 0, 0);
        root.parent = 1;
        nodes.put(ROOT, root);
    }

    /** A type that mounts a fresh MemFs on any device, for tests going through {@code Mount}. */
    public static final class Type implements FileSystemType {
        public MemFs last;

        @Override
        public String name() {
            return "mem";
        }

        @Override
        public String description() {
            return "in-memory namespace for the core's tests";
        }

        @Override
        public void mkfs(BlockDevice device, Map<String, String> options) {
        }

        @Override
        public FileSystem mount(BlockDevice device, MountContext context) {
            last = new MemFs();
            last.device = device;
            return last;
        }

        @Override
        public boolean probe(BlockDevice device) {
            return false;
        }

        @Override
        public FsckReport fsck(BlockDevice device, Map<String, String> options) {
            return new FsckReport("mem", List.of(), List.of("nothing on disk"));
        }
    }

    private BlockDevice device;

    @Override
    public long rootIno() {
        return ROOT;
    }

    @Override
    public String typeName() {
        return "mem";
    }

    @Override
    public BlockDevice device() {
        return device;
    }

    @Override
    public int blockSize() {
        return 4096;
    }

    private synchronized Node node(long ino) throws JiomapException {
        Node n = nodes.get(ino);
        if (n == null) {
            throw new JiomapException(Errno.ENOENT, "mem: no inode " + ino);
        }
        return n;
    }

    private Node dir(long ino) throws JiomapException {
        Node n = node(ino);
        if (n.kind != FileKind.DIRECTORY) {
            throw new JiomapException(Errno.ENOTDIR, "mem: inode " + ino + " is not a directory");
        }
        return n;
    }

    private static JiomapException broken(String what) {
        return new JiomapException(Errno.EIO, "mem: precondition broken: " + what);
    }

    /**
     * When set, each lookup gives up the processor after its answer, so that a caller checking a name and then
     * acting on it without holding the namespace lock loses the race often.
     */
    public volatile boolean yieldAfterLookup;

    @Override
    public long lookup(long dir, String name) throws JiomapException {
        if (name.equals(".") || name.equals("..")) {
            throw broken("lookup of " + name);
        }
        Long ino;
        synchronized (this) {
            ino = dir(dir).entries.get(name);
        }
        if (yieldAfterLookup) {
            for (int i = 0; i < 20; i++) {
                Thread.yield();
            }
        }
        return ino == null ? 0 : ino;
    }

    @Override
    public synchronized long parent(long dir) throws JiomapException {
        return dir(dir).parent;
    }

    @Override
    public synchronized FileStat getattr(long ino) throws JiomapException {
        return node(ino).stat();
    }

    @Override
    public synchronized List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
        Node d = dir(dir);
        List<DirEntry> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : (after == null ? d.entries : d.entries.tailMap(after, false)).entrySet()) {
            if (out.size() == max) {
                break;
            }
            out.add(new DirEntry(e.getKey(), e.getValue(), nodes.get(e.getValue()).kind));
        }
        return out;
    }

    private Node add(long dir, String name, FileKind kind, int mode, int uid, int gid) throws JiomapException {
        Node d = dir(dir);
        if (d.entries.containsKey(name)) {
            throw broken(name + " exists in " + dir);
        }
        Node n = new Node(this, nextIno++, kind, mode, uid, gid);
        nodes.put(n.ino, n);
        d.entries.put(name, n.ino);
        if (kind == FileKind.DIRECTORY) {
            n.parent = dir;
            d.links++;
        }
        d.mtime = d.ctime = Timestamps.now();
        return n;
    }

    @Override
    public synchronized FileStat create(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return add(dir, name, FileKind.REGULAR, mode, uid, gid).stat();
    }

    @Override
    public synchronized FileStat mkdir(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return add(dir, name, FileKind.DIRECTORY, mode, uid, gid).stat();
    }

    @Override
    public synchronized FileStat symlink(long dir, String name, String target, int uid, int gid)
            throws JiomapException {
        Node n = add(dir, name, FileKind.SYMLINK, 0777, uid, gid);
        n.target = target;
        return n.stat();
    }

    @Override
    public synchronized String readlink(long ino) throws JiomapException {
        Node n = node(ino);
        if (n.kind != FileKind.SYMLINK) {
            throw new JiomapException(Errno.EINVAL, "mem: inode " + ino + " is not a symbolic link");
        }
        return n.target;
    }

    @Override
    public synchronized FileStat link(long ino, long dir, String name) throws JiomapException {
        Node n = node(ino);
        Node d = dir(dir);
        if (n.kind == FileKind.DIRECTORY || d.entries.containsKey(name)) {
            throw broken("link of " + n.kind + " as existing " + name + "? " + d.entries.containsKey(name));
        }
        d.entries.put(name, ino);
        n.links++;
        return n.stat();
    }

    private void drop(Node n) {
        n.links -= n.kind == FileKind.DIRECTORY ? 2 : 1;
        if (n.links <= 0 && n.opens == 0) {
            nodes.remove(n.ino);
        }
    }

    @Override
    public synchronized void unlink(long dir, String name) throws JiomapException {
        Node d = dir(dir);
        Long ino = d.entries.get(name);
        if (ino == null || nodes.get(ino).kind == FileKind.DIRECTORY) {
            throw broken("unlink of " + name + " in " + dir + " (absent or a directory)");
        }
        d.entries.remove(name);
        drop(nodes.get(ino));
    }

    @Override
    public synchronized void rmdir(long dir, String name) throws JiomapException {
        Node d = dir(dir);
        Long ino = d.entries.get(name);
        if (ino == null || nodes.get(ino).kind != FileKind.DIRECTORY || !nodes.get(ino).entries.isEmpty()) {
            throw broken("rmdir of " + name + " in " + dir + " (absent, not a directory or not empty)");
        }
        d.entries.remove(name);
        d.links--;
        drop(nodes.get(ino));
    }

    private boolean under(long dir, long ancestor) {
        for (long d = dir; ; d = nodes.get(d).parent) {
            if (d == ancestor) {
                return true;
            }
            if (d == 1) {
                return false;
            }
        }
    }

    @Override
    public synchronized void rename(long fromDir, String fromName, long toDir, String toName, int flags)
            throws JiomapException {
        Node fd = dir(fromDir);
        Node td = dir(toDir);
        Long from = fd.entries.get(fromName);
        Long to = td.entries.get(toName);
        if (from == null || from.equals(to)) {
            throw broken("rename of " + fromName + ": absent or the same inode as " + toName);
        }
        Node f = nodes.get(from);
        if (f.kind == FileKind.DIRECTORY && under(toDir, from)) {
            throw broken("rename of directory " + from + " under itself");
        }
        if ((flags & RENAME_EXCHANGE) != 0) {
            if (to == null) {
                throw broken("exchange with absent " + toName);
            }
            Node t = nodes.get(to);
            if (t.kind == FileKind.DIRECTORY && under(fromDir, to)) {
                throw broken("exchange of directory " + to + " under itself");
            }
            fd.entries.put(fromName, to);
            td.entries.put(toName, from);
            reparent(t, fd, td);
            reparent(f, td, fd);
            return;
        }
        if (to != null) {
            Node t = nodes.get(to);
            if ((flags & RENAME_NOREPLACE) != 0 || (t.kind == FileKind.DIRECTORY) != (f.kind == FileKind.DIRECTORY)
                    || !t.entries.isEmpty()) {
                throw broken("rename over " + toName + " that may not be replaced");
            }
            if (t.kind == FileKind.DIRECTORY) {
                td.links--;
            }
            drop(t);
        }
        fd.entries.remove(fromName);
        td.entries.put(toName, from);
        reparent(f, td, fd);
    }

    private static void reparent(Node n, Node to, Node from) {
        if (n.kind == FileKind.DIRECTORY && to != from) {
            n.parent = to.ino;
            to.links++;
            from.links--;
        }
    }

    @Override
    public synchronized FileStat setattr(long ino, SetAttr attr) throws JiomapException {
        Node n = node(ino);
        if (attr.has(SetAttr.MODE)) {
            n.mode = attr.mode();
        }
        if (attr.has(SetAttr.UID)) {
            n.uid = attr.uid();
        }
        if (attr.has(SetAttr.GID)) {
            n.gid = attr.gid();
        }
        if (attr.has(SetAttr.SIZE)) {
            if (n.kind != FileKind.REGULAR) {
                throw broken("size of a " + n.kind);
            }
            n.data = Arrays.copyOf(n.data, Math.toIntExact(attr.size()));
            n.mtime = Timestamps.now();
        }
        if (attr.has(SetAttr.ATIME)) {
            n.atime = attr.atime();
        }
        if (attr.has(SetAttr.MTIME)) {
            n.mtime = attr.mtime();
        }
        n.ctime = Timestamps.now();
        return n.stat();
    }

    @Override
    public synchronized Inode open(long ino) throws JiomapException {
        Node n = node(ino);
        if (n.kind != FileKind.REGULAR) {
            throw broken("open of a " + n.kind);
        }
        n.opens++;
        return n.file;
    }

    @Override
    public synchronized void release(Inode inode) throws JiomapException {
        releases.incrementAndGet();
        Node n = ((File) inode).node;
        if (n.opens == 0) {
            throw broken("release of inode " + n.ino + " that is not open");
        }
        if (--n.opens == 0 && n.links == 0) {
            nodes.remove(n.ino);
        }
    }

    /** Whether inode {@code ino} still exists (an unlinked open file does until its release). */
    public synchronized boolean exists(long ino) {
        return nodes.containsKey(ino);
    }

    @Override
    public synchronized byte[] getxattr(long ino, String name) throws JiomapException {
        byte[] v = node(ino).xattrs.get(name);
        if (v == null) {
            throw new JiomapException(Errno.ENODATA, "mem: inode " + ino + " has no attribute " + name);
        }
        return v.clone();
    }

    @Override
    public synchronized List<String> listxattr(long ino) throws JiomapException {
        return List.copyOf(node(ino).xattrs.keySet());
    }

    @Override
    public synchronized void setxattr(long ino, String name, byte[] value, int flags) throws JiomapException {
        if (!name.startsWith("user.")) {
            throw broken("xattr " + name + " outside user.");
        }
        Node n = node(ino);
        boolean exists = n.xattrs.containsKey(name);
        if ((flags & XATTR_CREATE) != 0 && exists) {
            throw new JiomapException(Errno.EEXIST, "mem: " + name + " exists");
        }
        if ((flags & XATTR_REPLACE) != 0 && !exists) {
            throw new JiomapException(Errno.ENODATA, "mem: no " + name);
        }
        n.xattrs.put(name, value.clone());
    }

    @Override
    public synchronized void removexattr(long ino, String name) throws JiomapException {
        if (node(ino).xattrs.remove(name) == null) {
            throw new JiomapException(Errno.ENODATA, "mem: no " + name);
        }
    }

    @Override
    public synchronized FsStat statfs() {
        return new FsStat(4096, 1024, 1024, 1 << 20, (1 << 20) - nodes.size());
    }

    @Override
    public void sync() {
    }

    @Override
    public void unmount() {
    }

    /** A regular file whose bytes live in its node. */
    final class File extends Inode {
        final Node node;

        File(Node node) {
            this.node = node;
        }

        @Override
        public FileSystem fileSystem() {
            return MemFs.this;
        }

        @Override
        public long ino() {
            return node.ino;
        }

        @Override
        public long size() {
            synchronized (MemFs.this) {
                return node.data.length;
            }
        }

        @Override
        public long read(Iocb iocb, MemorySegment buffer, long offset, long length) {
            synchronized (MemFs.this) {
                long pos = iocb.position();
                long n = Math.max(0, Math.min(length, node.data.length - pos));
                MemorySegment.copy(MemorySegment.ofArray(node.data), pos, buffer, offset, n);
                return n;
            }
        }

        @Override
        public long write(Iocb iocb, MemorySegment buffer, long offset, long length) {
            synchronized (MemFs.this) {
                long end = iocb.position() + length;
                if (end > node.data.length) {
                    node.data = Arrays.copyOf(node.data, Math.toIntExact(end));
                }
                MemorySegment.copy(buffer, offset, MemorySegment.ofArray(node.data), iocb.position(), length);
                node.mtime = node.ctime = Timestamps.now();
                return length;
            }
        }

        @Override
        public int fsync(long start, long end, boolean datasync) {
            return 0;
        }

        @Override
        public int truncate(long size) {
            synchronized (MemFs.this) {
                node.data = Arrays.copyOf(node.data, Math.toIntExact(size));
                return 0;
            }
        }

        @Override
        public int fallocate(int mode, long offset, long length) {
            return -Errno.EOPNOTSUPP;
        }

        @Override
        public FileStat stat() {
            synchronized (MemFs.this) {
                return node.stat();
            }
        }

        @Override
        public List<FileExtent> fiemap(long start, long length) {
            return List.of();
        }
    }
}
