package io.jiomap.fuse;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.fuse.HandleTable.Handle;
import io.jiomap.fuse.NodeTable.Node;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers the FUSE requests that are not data transfers, synchronously, on the worker that read them: each handler
 * reads its request body and writes its reply body at {@link FuseAbi#OUT_HEADER} of {@code out}, returning the body's
 * length, a negative errno, or {@link #NO_REPLY}. Also the synchronous write path ({@link #writeAt}) that turns an
 * unaligned or extending write into the aligned direct writes jiomap takes.
 *
 * <p>What the filesystems cannot store (mode, owner, times: the FileSystem API has none yet) is reported from the
 * kind and the mount's {@code uid}, {@code gid} and {@code umask}; times live in the node table while the kernel
 * holds the node. A chmod or chown that would change what is reported fails with EPERM, as on a filesystem without
 * ownership (vfat), unless the mount has {@code quiet}.
 */
final class FuseOperations {
    static final int NO_REPLY = Integer.MIN_VALUE;
    /** The largest write the kernel sends and the largest read it asks for (max_pages 256). */
    static final int MAX_IO = 1 << 20;
    private static final long VALID_SECONDS = 1;

    private final Mount mount;
    private final FileSystem fs;
    private final FuseOptions options;
    final NodeTable nodes;
    final HandleTable handles = new HandleTable();
    /** The direct-I/O alignment of the device: offsets and lengths of what reaches the engine are multiples of it. */
    final int align;
    private final PrintStream log;
    /** Serialises namespace changes with the node table's view of them. */
    private final Object namespace = new Object();

    FuseOperations(Mount mount, FuseOptions options, PrintStream log) {
        this.mount = mount;
        this.fs = mount.fileSystem();
        this.options = options;
        this.nodes = new NodeTable(nowNanos());
        this.align = mount.device().capabilities().logicalBlockSize();
        this.log = log;
    }

    static long nowNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    Mount mount() {
        return mount;
    }

    /** Dispatches one request other than READ and WRITE. */
    int handle(int opcode, long nodeid, MemorySegment in, long body, MemorySegment out, MemorySegment scratch) {
        try {
            return switch (opcode) {
                case FuseAbi.INIT -> init(in, body, out);
                case FuseAbi.DESTROY -> 0;
                case FuseAbi.LOOKUP -> lookup(nodeid, string(in, body), out);
                case FuseAbi.FORGET -> {
                    nodes.forget(nodeid, in.get(JAVA_LONG_UNALIGNED, body));
                    yield NO_REPLY;
                }
                case FuseAbi.BATCH_FORGET -> {
                    int count = in.get(JAVA_INT_UNALIGNED, body);
                    for (int i = 0; i < count; i++) {
                        long at = body + 8 + 16L * i;
                        nodes.forget(in.get(JAVA_LONG_UNALIGNED, at), in.get(JAVA_LONG_UNALIGNED, at + 8));
                    }
                    yield NO_REPLY;
                }
                case FuseAbi.INTERRUPT -> NO_REPLY;
                case FuseAbi.GETATTR -> getattr(nodeid, in, body, out);
                case FuseAbi.SETATTR -> setattr(nodeid, in, body, out);
                case FuseAbi.OPEN -> open(nodeid, in.get(JAVA_INT_UNALIGNED, body), out);
                case FuseAbi.CREATE -> create(nodeid, in, body, out);
                case FuseAbi.MKNOD -> mknod(nodeid, in, body, out);
                case FuseAbi.RELEASE, FuseAbi.RELEASEDIR -> {
                    handles.remove(in.get(JAVA_LONG_UNALIGNED, body));
                    yield 0;
                }
                case FuseAbi.FLUSH, FuseAbi.ACCESS -> 0;
                case FuseAbi.FSYNC -> fsync(in, body);
                case FuseAbi.FSYNCDIR, FuseAbi.SYNCFS -> {
                    fs.sync();
                    yield 0;
                }
                case FuseAbi.MKDIR -> mkdir(nodeid, string(in, body + 8), out);
                case FuseAbi.UNLINK -> remove(nodeid, string(in, body), false);
                case FuseAbi.RMDIR -> remove(nodeid, string(in, body), true);
                case FuseAbi.RENAME -> rename(nodeid, in.get(JAVA_LONG_UNALIGNED, body), 0, in, body + 8);
                case FuseAbi.RENAME2 -> rename(nodeid, in.get(JAVA_LONG_UNALIGNED, body),
                        in.get(JAVA_INT_UNALIGNED, body + 8), in, body + 16);
                case FuseAbi.OPENDIR -> opendir(nodeid, out);
                case FuseAbi.READDIR -> readdir(in, body, out, false);
                case FuseAbi.READDIRPLUS -> readdir(in, body, out, true);
                case FuseAbi.STATFS -> statfs(out);
                case FuseAbi.FALLOCATE -> fallocate(in, body);
                case FuseAbi.LSEEK -> lseek(in, body, out);
                case FuseAbi.COPY_FILE_RANGE -> copyFileRange(in, body, out, scratch);
                // No symbolic or hard links in the filesystems yet: what link(2) and symlink(2) answer there.
                case FuseAbi.SYMLINK, FuseAbi.LINK -> -Errno.EPERM;
                case FuseAbi.READLINK -> -Errno.EINVAL;
                // No extended attributes stored: ENOTSUP, which the kernel hands to the program.
                case FuseAbi.SETXATTR, FuseAbi.GETXATTR, FuseAbi.LISTXATTR, FuseAbi.REMOVEXATTR, FuseAbi.TMPFILE ->
                        -Errno.EOPNOTSUPP;
                default -> -Errno.ENOSYS;
            };
        } catch (JiomapException e) {
            return -e.errno();
        } catch (RuntimeException e) {
            log.println("jiomap mount: " + FuseAbi.opName(opcode) + " on node " + nodeid + " failed: " + e);
            return -Errno.EIO;
        }
    }

    private static String string(MemorySegment in, long at) {
        return in.getString(at, StandardCharsets.UTF_8);
    }

    private int init(MemorySegment in, long body, MemorySegment out) {
        int major = in.get(JAVA_INT_UNALIGNED, body);
        long o = FuseAbi.OUT_HEADER;
        out.asSlice(o, FuseAbi.INIT_OUT).fill((byte) 0);
        out.set(JAVA_INT_UNALIGNED, o, FuseAbi.KERNEL_VERSION);
        if (major != FuseAbi.KERNEL_VERSION) {
            // The kernel speaks another major version: answer ours, it sends INIT again or gives up.
            return FuseAbi.INIT_OUT;
        }
        int maxReadahead = in.get(JAVA_INT_UNALIGNED, body + 8);
        long offered = Integer.toUnsignedLong(in.get(JAVA_INT_UNALIGNED, body + 12));
        if ((offered & FuseAbi.INIT_EXT) != 0) {
            offered |= Integer.toUnsignedLong(in.get(JAVA_INT_UNALIGNED, body + 16)) << 32;
        }
        long wanted = FuseAbi.ASYNC_READ | FuseAbi.BIG_WRITES | FuseAbi.DO_READDIRPLUS | FuseAbi.READDIRPLUS_AUTO
                | FuseAbi.ASYNC_DIO | FuseAbi.PARALLEL_DIROPS | FuseAbi.MAX_PAGES | FuseAbi.INIT_EXT;
        if (options.writebackCache()) {
            wanted |= FuseAbi.WRITEBACK_CACHE;
        }
        if (options.uring()) {
            // Offered only where the kernel has it switched on (enable_uring).
            wanted |= FuseAbi.OVER_IO_URING;
        }
        long flags = offered & wanted;
        out.set(JAVA_INT_UNALIGNED, o + 4, FuseAbi.KERNEL_MINOR_VERSION);
        out.set(JAVA_INT_UNALIGNED, o + 8, maxReadahead);
        out.set(JAVA_INT_UNALIGNED, o + 12, (int) flags);
        out.set(JAVA_SHORT_UNALIGNED, o + 16, (short) 64);
        out.set(JAVA_SHORT_UNALIGNED, o + 18, (short) 48);
        out.set(JAVA_INT_UNALIGNED, o + 20, MAX_IO);
        out.set(JAVA_INT_UNALIGNED, o + 24, 1);
        out.set(JAVA_SHORT_UNALIGNED, o + 28, (short) (MAX_IO / 4096));
        out.set(JAVA_INT_UNALIGNED, o + 32, (int) (flags >>> 32));
        return FuseAbi.INIT_OUT;
    }

    private String pathOf(long nodeid) throws JiomapException {
        String p = nodes.path(nodeid);
        if (p == null) {
            throw new JiomapException(Errno.ENOENT, "node " + nodeid + " has no name (removed or forgotten)");
        }
        return p;
    }

    private String childOf(long parent, String name) throws JiomapException {
        if (name.length() > 255) {
            throw new JiomapException(Errno.ENAMETOOLONG, name);
        }
        String p = nodes.child(parent, name);
        if (p == null) {
            throw new JiomapException(Errno.ENOENT, "directory node " + parent + " has no name");
        }
        return p;
    }

    private int lookup(long parent, String name, MemorySegment out) throws JiomapException {
        String path = childOf(parent, name);
        synchronized (namespace) {
            FileStat st = fs.stat(path);
            return entry(nodes.lookedUp(path), st, out, FuseAbi.OUT_HEADER);
        }
    }

    /** Writes a fuse_entry_out for a node the caller has just counted a lookup of. */
    private int entry(Node node, FileStat st, MemorySegment out, long o) {
        out.set(JAVA_LONG_UNALIGNED, o, node.id);
        out.set(JAVA_LONG_UNALIGNED, o + 8, 0);
        out.set(JAVA_LONG_UNALIGNED, o + 16, VALID_SECONDS);
        out.set(JAVA_LONG_UNALIGNED, o + 24, VALID_SECONDS);
        out.set(JAVA_INT_UNALIGNED, o + 32, 0);
        out.set(JAVA_INT_UNALIGNED, o + 36, 0);
        attr(node, st, out, o + 40);
        return FuseAbi.ENTRY_OUT;
    }

    private int mode(FileKind kind) {
        return kind == FileKind.DIRECTORY ? FuseAbi.S_IFDIR | (0777 & ~options.umask())
                : FuseAbi.S_IFREG | (0666 & ~options.umask());
    }

    private void attr(Node node, FileStat st, MemorySegment out, long o) {
        out.set(JAVA_LONG_UNALIGNED, o, st.ino());
        out.set(JAVA_LONG_UNALIGNED, o + 8, st.size());
        out.set(JAVA_LONG_UNALIGNED, o + 16, (st.allocatedBytes() + 511) / 512);
        putTime(out, o + 24, o + 48, node.atimeNanos);
        putTime(out, o + 32, o + 52, node.mtimeNanos);
        putTime(out, o + 40, o + 56, node.ctimeNanos);
        out.set(JAVA_INT_UNALIGNED, o + 60, mode(st.kind()));
        out.set(JAVA_INT_UNALIGNED, o + 64, Math.max(1, st.links()));
        out.set(JAVA_INT_UNALIGNED, o + 68, options.uid());
        out.set(JAVA_INT_UNALIGNED, o + 72, options.gid());
        out.set(JAVA_INT_UNALIGNED, o + 76, 0);
        out.set(JAVA_INT_UNALIGNED, o + 80, st.blockSize());
        out.set(JAVA_INT_UNALIGNED, o + 84, 0);
    }

    private static void putTime(MemorySegment out, long secAt, long nsecAt, long nanos) {
        out.set(JAVA_LONG_UNALIGNED, secAt, Math.floorDiv(nanos, 1_000_000_000L));
        out.set(JAVA_INT_UNALIGNED, nsecAt, (int) Math.floorMod(nanos, 1_000_000_000L));
    }

    private Node node(long nodeid) throws JiomapException {
        Node n = nodes.get(nodeid);
        if (n == null) {
            throw new JiomapException(Errno.ENOENT, "unknown node " + nodeid);
        }
        return n;
    }

    private FileStat stat(Node node, long fh) throws JiomapException {
        Handle h = fh != 0 ? handles.get(fh) : null;
        if (h != null && h.file() != null) {
            return h.file().stat();
        }
        return fs.stat(pathOf(node.id));
    }

    private int getattr(long nodeid, MemorySegment in, long body, MemorySegment out) throws JiomapException {
        Node node = node(nodeid);
        boolean byFh = (in.get(JAVA_INT_UNALIGNED, body) & 1) != 0;
        FileStat st = stat(node, byFh ? in.get(JAVA_LONG_UNALIGNED, body + 8) : 0);
        return attrOut(node, st, out);
    }

    private int attrOut(Node node, FileStat st, MemorySegment out) {
        long o = FuseAbi.OUT_HEADER;
        out.set(JAVA_LONG_UNALIGNED, o, VALID_SECONDS);
        out.set(JAVA_INT_UNALIGNED, o + 8, 0);
        out.set(JAVA_INT_UNALIGNED, o + 12, 0);
        attr(node, st, out, o + 16);
        return FuseAbi.ATTR_OUT;
    }

    private int setattr(long nodeid, MemorySegment in, long body, MemorySegment out) throws JiomapException {
        Node node = node(nodeid);
        int valid = in.get(JAVA_INT_UNALIGNED, body);
        long fh = (valid & FuseAbi.FATTR_FH) != 0 ? in.get(JAVA_LONG_UNALIGNED, body + 8) : 0;
        FileStat before = stat(node, fh);
        if (!options.quiet()) {
            if ((valid & FuseAbi.FATTR_MODE) != 0
                    && (in.get(JAVA_INT_UNALIGNED, body + 68) & 07777) != (mode(before.kind()) & 07777)) {
                return -Errno.EPERM;
            }
            if ((valid & FuseAbi.FATTR_UID) != 0 && in.get(JAVA_INT_UNALIGNED, body + 76) != options.uid()) {
                return -Errno.EPERM;
            }
            if ((valid & FuseAbi.FATTR_GID) != 0 && in.get(JAVA_INT_UNALIGNED, body + 80) != options.gid()) {
                return -Errno.EPERM;
            }
        }
        long now = nowNanos();
        if ((valid & FuseAbi.FATTR_SIZE) != 0) {
            if (before.kind() == FileKind.DIRECTORY) {
                return -Errno.EISDIR;
            }
            long size = in.get(JAVA_LONG_UNALIGNED, body + 16);
            Handle h = fh != 0 ? handles.get(fh) : null;
            OpenFile file = h != null && h.file() != null ? h.file() : mount.open(pathOf(nodeid), 0);
            node.sizeLock.lock();
            try {
                file.truncate(size);
            } finally {
                node.sizeLock.unlock();
            }
            node.mtimeNanos = now;
        }
        if ((valid & FuseAbi.FATTR_ATIME_NOW) != 0) {
            node.atimeNanos = now;
        } else if ((valid & FuseAbi.FATTR_ATIME) != 0) {
            node.atimeNanos = in.get(JAVA_LONG_UNALIGNED, body + 32) * 1_000_000_000L
                    + Integer.toUnsignedLong(in.get(JAVA_INT_UNALIGNED, body + 56));
        }
        if ((valid & FuseAbi.FATTR_MTIME_NOW) != 0) {
            node.mtimeNanos = now;
        } else if ((valid & FuseAbi.FATTR_MTIME) != 0) {
            node.mtimeNanos = in.get(JAVA_LONG_UNALIGNED, body + 40) * 1_000_000_000L
                    + Integer.toUnsignedLong(in.get(JAVA_INT_UNALIGNED, body + 60));
        }
        node.ctimeNanos = (valid & FuseAbi.FATTR_CTIME) != 0
                ? in.get(JAVA_LONG_UNALIGNED, body + 48) * 1_000_000_000L
                + Integer.toUnsignedLong(in.get(JAVA_INT_UNALIGNED, body + 64)) : now;
        return attrOut(node, stat(node, fh), out);
    }

    private static int openFlags(int flags) {
        int f = 0;
        if ((flags & FuseAbi.O_SYNC) == FuseAbi.O_SYNC) {
            f |= OpenFile.SYNC;
        } else if ((flags & FuseAbi.O_DSYNC) != 0) {
            f |= OpenFile.DSYNC;
        }
        return f;
    }

    private int openOut(Node node, OpenFile file, int flags, MemorySegment out, long o) throws JiomapException {
        boolean direct = (flags & FuseAbi.O_DIRECT) != 0;
        long fh = handles.add(new Handle(node, file, direct, null));
        out.set(JAVA_LONG_UNALIGNED, o, fh);
        out.set(JAVA_INT_UNALIGNED, o + 8, direct ? FuseAbi.FOPEN_DIRECT_IO | FuseAbi.FOPEN_PARALLEL_DIRECT_WRITES : 0);
        out.set(JAVA_INT_UNALIGNED, o + 12, 0);
        return FuseAbi.OPEN_OUT;
    }

    private int open(long nodeid, int flags, MemorySegment out) throws JiomapException {
        Node node = node(nodeid);
        OpenFile file = mount.open(pathOf(nodeid), openFlags(flags));
        return openOut(node, file, flags, out, FuseAbi.OUT_HEADER);
    }

    private int create(long parent, MemorySegment in, long body, MemorySegment out) throws JiomapException {
        int flags = in.get(JAVA_INT_UNALIGNED, body);
        String path = childOf(parent, string(in, body + 16));
        synchronized (namespace) {
            OpenFile file = mount.open(path, OpenFile.CREATE | ((flags & FuseAbi.O_EXCL) != 0 ? OpenFile.EXCLUSIVE : 0)
                    | openFlags(flags));
            Node node = nodes.lookedUp(path);
            node.atimeNanos = node.mtimeNanos = node.ctimeNanos = nowNanos();
            touch(parent);
            int n = entry(node, file.stat(), out, FuseAbi.OUT_HEADER);
            return n + openOut(node, file, flags, out, FuseAbi.OUT_HEADER + n);
        }
    }

    private int mknod(long parent, MemorySegment in, long body, MemorySegment out) throws JiomapException {
        int mode = in.get(JAVA_INT_UNALIGNED, body);
        if ((mode & 0xF000) != FuseAbi.S_IFREG) {
            return -Errno.EPERM;
        }
        String path = childOf(parent, string(in, body + 16));
        synchronized (namespace) {
            OpenFile file = mount.open(path, OpenFile.CREATE | OpenFile.EXCLUSIVE);
            Node node = nodes.lookedUp(path);
            node.atimeNanos = node.mtimeNanos = node.ctimeNanos = nowNanos();
            touch(parent);
            return entry(node, file.stat(), out, FuseAbi.OUT_HEADER);
        }
    }

    private void touch(long dir) {
        Node d = nodes.get(dir);
        if (d != null) {
            d.mtimeNanos = d.ctimeNanos = nowNanos();
        }
    }

    private int mkdir(long parent, String name, MemorySegment out) throws JiomapException {
        String path = childOf(parent, name);
        synchronized (namespace) {
            fs.mkdir(path);
            Node node = nodes.lookedUp(path);
            node.atimeNanos = node.mtimeNanos = node.ctimeNanos = nowNanos();
            touch(parent);
            return entry(node, fs.stat(path), out, FuseAbi.OUT_HEADER);
        }
    }

    private int remove(long parent, String name, boolean dir) throws JiomapException {
        String path = childOf(parent, name);
        synchronized (namespace) {
            if (dir) {
                fs.rmdir(path);
            } else {
                fs.unlink(path);
            }
            nodes.removed(path);
            touch(parent);
        }
        return 0;
    }

    private int rename(long parent, long newParent, int flags, MemorySegment in, long names) throws JiomapException {
        String oldName = string(in, names);
        String newName = string(in, names + oldName.getBytes(StandardCharsets.UTF_8).length + 1);
        if ((flags & ~FuseAbi.RENAME_NOREPLACE) != 0) {
            // RENAME_EXCHANGE and RENAME_WHITEOUT need support the filesystems do not have yet.
            return -Errno.EINVAL;
        }
        String from = childOf(parent, oldName);
        String to = childOf(newParent, newName);
        synchronized (namespace) {
            if ((flags & FuseAbi.RENAME_NOREPLACE) != 0 && exists(to)) {
                return -Errno.EEXIST;
            }
            fs.rename(from, to);
            nodes.renamed(from, to);
            touch(parent);
            touch(newParent);
        }
        return 0;
    }

    private boolean exists(String path) throws JiomapException {
        try {
            fs.stat(path);
            return true;
        } catch (JiomapException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    private int opendir(long nodeid, MemorySegment out) throws JiomapException {
        Node node = node(nodeid);
        String path = pathOf(nodeid);
        List<DirEntry> listing = fs.readdir(path);
        List<DirEntry> entries = new ArrayList<>(listing.size() + 2);
        FileStat self = fs.stat(path);
        entries.add(new DirEntry(".", self.ino(), FileKind.DIRECTORY));
        entries.add(new DirEntry("..", self.ino(), FileKind.DIRECTORY));
        entries.addAll(listing);
        long fh = handles.add(new Handle(node, null, false, List.copyOf(entries)));
        long o = FuseAbi.OUT_HEADER;
        out.set(JAVA_LONG_UNALIGNED, o, fh);
        out.set(JAVA_INT_UNALIGNED, o + 8, 0);
        out.set(JAVA_INT_UNALIGNED, o + 12, 0);
        return FuseAbi.OPEN_OUT;
    }

    private int readdir(MemorySegment in, long body, MemorySegment out, boolean plus) throws JiomapException {
        Handle h = handles.require(in.get(JAVA_LONG_UNALIGNED, body));
        if (h.entries() == null) {
            return -Errno.ENOTDIR;
        }
        long offset = in.get(JAVA_LONG_UNALIGNED, body + 8);
        int size = Math.min(in.get(JAVA_INT_UNALIGNED, body + 16), (int) out.byteSize() - FuseAbi.OUT_HEADER);
        List<DirEntry> entries = h.entries();
        String dir = nodes.path(h.node());
        int used = 0;
        for (long i = Math.max(0, offset); i < entries.size(); i++) {
            DirEntry e = entries.get((int) i);
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            int direntLen = (FuseAbi.DIRENT_NAME + name.length + 7) & ~7;
            int len = direntLen + (plus ? FuseAbi.ENTRY_OUT : 0);
            if (used + len > size) {
                break;
            }
            long o = FuseAbi.OUT_HEADER + used;
            if (plus) {
                boolean dots = e.name().equals(".") || e.name().equals("..");
                if (dots || dir == null) {
                    out.asSlice(o, FuseAbi.ENTRY_OUT).fill((byte) 0);
                } else {
                    String path = dir.equals("/") ? "/" + e.name() : dir + "/" + e.name();
                    synchronized (namespace) {
                        FileStat st;
                        try {
                            st = fs.stat(path);
                        } catch (JiomapException gone) {
                            // Removed since OPENDIR: listed without attributes, as readdir(3) may still show it.
                            out.asSlice(o, FuseAbi.ENTRY_OUT).fill((byte) 0);
                            st = null;
                        }
                        if (st != null) {
                            entry(nodes.lookedUp(path), st, out, o);
                        }
                    }
                }
                o += FuseAbi.ENTRY_OUT;
            }
            out.set(JAVA_LONG_UNALIGNED, o, e.ino());
            out.set(JAVA_LONG_UNALIGNED, o + 8, i + 1);
            out.set(JAVA_INT_UNALIGNED, o + 16, name.length);
            out.set(JAVA_INT_UNALIGNED, o + 20, e.kind() == FileKind.DIRECTORY ? FuseAbi.DT_DIR : FuseAbi.DT_REG);
            MemorySegment.copy(MemorySegment.ofArray(name), 0, out, o + FuseAbi.DIRENT_NAME, name.length);
            out.asSlice(o + FuseAbi.DIRENT_NAME + name.length, direntLen - FuseAbi.DIRENT_NAME - name.length)
                    .fill((byte) 0);
            used += len;
        }
        return used;
    }

    private int statfs(MemorySegment out) throws JiomapException {
        FsStat s = fs.statfs();
        long o = FuseAbi.OUT_HEADER;
        out.asSlice(o, FuseAbi.STATFS_OUT).fill((byte) 0);
        out.set(JAVA_LONG_UNALIGNED, o, s.totalBlocks());
        out.set(JAVA_LONG_UNALIGNED, o + 8, s.freeBlocks());
        out.set(JAVA_LONG_UNALIGNED, o + 16, s.freeBlocks());
        out.set(JAVA_LONG_UNALIGNED, o + 24, s.totalInodes());
        out.set(JAVA_LONG_UNALIGNED, o + 32, s.freeInodes());
        out.set(JAVA_INT_UNALIGNED, o + 40, s.blockSize());
        out.set(JAVA_INT_UNALIGNED, o + 44, 255);
        out.set(JAVA_INT_UNALIGNED, o + 48, s.blockSize());
        return FuseAbi.STATFS_OUT;
    }

    private OpenFile file(long fh) throws JiomapException {
        Handle h = handles.require(fh);
        if (h.file() == null) {
            throw new JiomapException(Errno.EISDIR, "handle " + fh + " is a directory");
        }
        return h.file();
    }

    private int fsync(MemorySegment in, long body) throws JiomapException {
        OpenFile f = file(in.get(JAVA_LONG_UNALIGNED, body));
        f.fsync((in.get(JAVA_INT_UNALIGNED, body + 8) & FuseAbi.FSYNC_FDATASYNC) != 0);
        return 0;
    }

    private int fallocate(MemorySegment in, long body) throws JiomapException {
        Handle h = handles.require(in.get(JAVA_LONG_UNALIGNED, body));
        long offset = in.get(JAVA_LONG_UNALIGNED, body + 8);
        long length = in.get(JAVA_LONG_UNALIGNED, body + 16);
        int mode = in.get(JAVA_INT_UNALIGNED, body + 24);
        int known = Inode.FALLOC_KEEP_SIZE | Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_ZERO_RANGE;
        if ((mode & ~known) != 0) {
            // COLLAPSE_RANGE, INSERT_RANGE, UNSHARE_RANGE: not in the Inode API.
            return -Errno.EOPNOTSUPP;
        }
        h.node().sizeLock.lock();
        try {
            h.file().fallocate(mode, offset, length);
        } finally {
            h.node().sizeLock.unlock();
        }
        h.node().mtimeNanos = h.node().ctimeNanos = nowNanos();
        return 0;
    }

    /** SEEK_DATA and SEEK_HOLE from the extent map; unwritten extents read as zeros, so they count as holes. */
    private int lseek(MemorySegment in, long body, MemorySegment out) throws JiomapException {
        OpenFile f = file(in.get(JAVA_LONG_UNALIGNED, body));
        long offset = in.get(JAVA_LONG_UNALIGNED, body + 8);
        int whence = in.get(JAVA_INT_UNALIGNED, body + 16);
        long size = f.size();
        if (whence != FuseAbi.SEEK_DATA && whence != FuseAbi.SEEK_HOLE) {
            return -Errno.EINVAL;
        }
        if (offset < 0 || offset >= size) {
            return -FuseAbi.ENXIO;
        }
        List<FileExtent> extents = f.fiemap(offset, size - offset);
        long result;
        if (whence == FuseAbi.SEEK_DATA) {
            result = -1;
            for (FileExtent e : extents) {
                if (!e.has(FileExtent.UNWRITTEN) && e.logical() + e.length() > offset) {
                    result = Math.max(offset, e.logical());
                    break;
                }
            }
            if (result < 0 || result >= size) {
                return -FuseAbi.ENXIO;
            }
        } else {
            result = offset;
            for (FileExtent e : extents) {
                if (e.has(FileExtent.UNWRITTEN) || e.logical() > result) {
                    break;
                }
                result = Math.max(result, e.logical() + e.length());
            }
            result = Math.min(result, size);
        }
        out.set(JAVA_LONG_UNALIGNED, FuseAbi.OUT_HEADER, result);
        return FuseAbi.LSEEK_OUT;
    }

    /** Shares blocks where the filesystem can (aligned ranges on xfs-like), copies otherwise. */
    private int copyFileRange(MemorySegment in, long body, MemorySegment out, MemorySegment scratch)
            throws JiomapException {
        Handle src = handles.require(in.get(JAVA_LONG_UNALIGNED, body));
        long offIn = in.get(JAVA_LONG_UNALIGNED, body + 8);
        Handle dst = handles.require(in.get(JAVA_LONG_UNALIGNED, body + 24));
        long offOut = in.get(JAVA_LONG_UNALIGNED, body + 32);
        long len = in.get(JAVA_LONG_UNALIGNED, body + 40);
        if (src.file() == null || dst.file() == null) {
            return -Errno.EISDIR;
        }
        long srcSize = src.file().size();
        len = Math.max(0, Math.min(len, srcSize - offIn));
        len = Math.min(len, Integer.MAX_VALUE & ~(long) (MAX_IO - 1));
        long done = 0;
        int bs = fs.blockSize();
        boolean aligned = offIn % bs == 0 && offOut % bs == 0 && (len % bs == 0 || offIn + len == srcSize);
        if (len > 0 && aligned && src.node() != dst.node()) {
            dst.node().sizeLock.lock();
            try {
                int r = dst.file().inode().cloneRange(src.file().inode(), offIn, offOut, len);
                if (r == 0) {
                    done = len;
                } else if (r != -Errno.EOPNOTSUPP && r != -Errno.EINVAL && r != -Errno.EXDEV) {
                    return r;
                }
            } finally {
                dst.node().sizeLock.unlock();
            }
        }
        MemorySegment buf = scratch.asSlice(MAX_IO + 2L * 65536, MAX_IO);
        while (done < len) {
            int chunk = (int) Math.min(MAX_IO, len - done);
            long a = offIn + done;
            long start = a & -(long) align;
            int n = (int) Math.min(MAX_IO, ((a + chunk + align - 1) & -(long) align) - start);
            chunk = (int) Math.min(chunk, n - (a - start));
            long got = src.file().pread(buf, 0, n, start);
            long usable = Math.min(chunk, got - (a - start));
            if (usable <= 0) {
                break;
            }
            long w = writeAt(dst, buf, a - start, usable, offOut + done, scratch);
            if (w < 0) {
                return (int) w;
            }
            done += usable;
        }
        dst.node().mtimeNanos = dst.node().ctimeNanos = nowNanos();
        out.set(JAVA_INT_UNALIGNED, FuseAbi.OUT_HEADER, (int) done);
        out.set(JAVA_INT_UNALIGNED, FuseAbi.OUT_HEADER + 4, 0);
        return FuseAbi.WRITE_OUT;
    }

    /**
     * Writes {@code length} bytes at {@code pos} synchronously, whatever their alignment: jiomap takes only aligned
     * direct I/O (EINVAL otherwise), so an unaligned write reads the partial blocks at its ends, patches them and
     * writes the aligned span, then puts the file size back where POSIX says it ends. Serialised per file with
     * truncate and fallocate, since those and the size fix-up must not interleave.
     *
     * @param scratch at least {@link #MAX_IO} plus two alignment units, owned by the calling worker
     * @return bytes written or a negative errno
     */
    long writeAt(Handle h, MemorySegment src, long srcOffset, long length, long pos, MemorySegment scratch) {
        OpenFile f = h.file();
        h.node().sizeLock.lock();
        try {
            if ((pos & (align - 1)) == 0 && (length & (align - 1)) == 0
                    && ((src.address() + srcOffset) & 4095) == 0) {
                return f.pwrite(src, srcOffset, length, pos);
            }
            long oldSize = f.size();
            long a = pos & -(long) align;
            long end = pos + length;
            long e = (end + align - 1) & -(long) align;
            int span = (int) (e - a);
            if (pos != a) {
                readBlock(f, scratch, 0, a, oldSize);
            }
            if (end != e && (e - align != a || pos == a)) {
                readBlock(f, scratch, span - align, e - align, oldSize);
            }
            MemorySegment.copy(src, srcOffset, scratch, pos - a, length);
            f.pwrite(scratch, 0, span, a);
            if (e > oldSize && end < e) {
                f.truncate(Math.max(oldSize, end));
            }
            return length;
        } catch (JiomapException ex) {
            return -ex.errno();
        } finally {
            h.node().sizeLock.unlock();
        }
    }

    private void readBlock(OpenFile f, MemorySegment scratch, long at, long pos, long size) throws JiomapException {
        MemorySegment block = scratch.asSlice(at, align);
        block.fill((byte) 0);
        if (pos < size) {
            long got = f.pread(scratch, at, align, pos);
            // Past EOF the block reads as zeros, whatever the device still holds there.
            long valid = Math.min(got, size - pos);
            if (valid < align) {
                block.asSlice(Math.max(0, valid)).fill((byte) 0);
            }
        }
    }
}
