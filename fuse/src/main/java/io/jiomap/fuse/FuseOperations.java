package io.jiomap.fuse;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.vfs.Namespace;
import io.jiomap.fuse.HandleTable.Handle;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Answers the FUSE requests that are not data transfers, synchronously, on the worker that read them: each handler
 * reads its request body and writes its reply body at {@link FuseAbi#OUT_HEADER} of {@code out}, returning the body's
 * length, a negative errno, or {@link #NO_REPLY}. Also the synchronous write path ({@link #writeAt}) that turns an
 * unaligned or extending write into the aligned direct writes jiomap takes.
 *
 * <p>A node id is an inode number: the filesystem's root inode is {@link FuseAbi#ROOT_ID} to the kernel and the
 * inode numbered {@code ROOT_ID}, if any, goes by the root's number (a swap, so both directions are one function).
 * The generation, mode, owner, link count and times come from the filesystem's {@code getattr}; the bridge keeps no
 * names, counts or times of its own, so FORGET has nothing to drop. Namespace rules and the checks they need are the
 * core's {@link Namespace}; what reaches the kernel is its errno.
 *
 * <p>With {@code uid=}, {@code gid=} or {@code umask=} the mount reports that owner and mode for every inode instead
 * of what the filesystem stores (for a filesystem that keeps none, as vfat's options of those names); chmod and chown
 * then fail with EPERM unless they change nothing, or succeed without effect with {@code quiet}.
 */
final class FuseOperations {
    static final int NO_REPLY = Integer.MIN_VALUE;
    /** The largest write the kernel sends and the largest read it asks for (max_pages 256). */
    static final int MAX_IO = 1 << 20;
    private static final long VALID_SECONDS = 1;
    private static final int NAME_MAX = 255;

    private final Mount mount;
    private final FileSystem fs;
    private final Namespace ns;
    private final long rootIno;
    private final FuseOptions options;
    final HandleTable handles = new HandleTable();
    private final SizeLocks sizeLocks = new SizeLocks();
    /** The direct-I/O alignment of the device: offsets and lengths of what reaches the engine are multiples of it. */
    final int align;
    private final PrintStream log;

    /** Where the aligned span a read of {@code [offset, offset+size)} reads begins. */
    long alignDown(long offset) {
        return offset & -(long) align;
    }

    /** Where the aligned span a read of {@code [offset, offset+size)} reads ends. */
    long alignUp(long end) {
        return (end + align - 1) & -(long) align;
    }

    /**
     * Whether a WRITE goes into the engine's ring as it is: aligned and inside the file, so it needs no read of
     * partial blocks and changes no size. Anything else takes {@link #writeAt}.
     */
    boolean ringWrite(Handle h, long offset, int size) {
        return ((offset | size) & (align - 1)) == 0 && offset + size <= h.file().size();
    }

    FuseOperations(Mount mount, FuseOptions options, PrintStream log) {
        this.mount = mount;
        this.fs = mount.fileSystem();
        this.ns = mount.namespace();
        this.rootIno = fs.rootIno();
        this.options = options;
        this.align = mount.device().capabilities().logicalBlockSize();
        this.log = log;
    }

    Mount mount() {
        return mount;
    }

    /** The inode number of a node id, and the node id of an inode number: the root and ROOT_ID swap. */
    private long swapRoot(long id) {
        return id == FuseAbi.ROOT_ID ? rootIno : id == rootIno ? FuseAbi.ROOT_ID : id;
    }

    /** Dispatches one request other than READ and WRITE. */
    int handle(int opcode, long nodeid, MemorySegment in, long body, MemorySegment out, MemorySegment scratch) {
        try {
            long ino = swapRoot(nodeid);
            return switch (opcode) {
                case FuseAbi.INIT -> init(in, body, out);
                case FuseAbi.DESTROY -> 0;
                case FuseAbi.LOOKUP -> entry(ns.lookup(ino, name(in, body)), out, FuseAbi.OUT_HEADER);
                // Nothing to drop: the bridge holds no state per node the kernel looked up.
                case FuseAbi.FORGET, FuseAbi.BATCH_FORGET, FuseAbi.INTERRUPT -> NO_REPLY;
                case FuseAbi.GETATTR -> attrOut(ns.getattr(ino), out);
                case FuseAbi.SETATTR -> setattr(ino, in, body, out);
                case FuseAbi.OPEN -> open(ino, in.get(JAVA_INT_UNALIGNED, body), out, FuseAbi.OUT_HEADER);
                case FuseAbi.CREATE -> create(ino, in, body, out);
                case FuseAbi.MKNOD -> mknod(ino, in, body, out);
                case FuseAbi.MKDIR -> entry(ns.mkdir(ino, name(in, body + 8), in.get(JAVA_INT_UNALIGNED, body)
                        & FileStat.MODE_MASK, uid(in, body), gid(in, body)), out, FuseAbi.OUT_HEADER);
                case FuseAbi.SYMLINK -> symlink(ino, in, body, out);
                case FuseAbi.READLINK -> readlink(ino, out);
                case FuseAbi.LINK -> entry(ns.link(swapRoot(in.get(JAVA_LONG_UNALIGNED, body)), ino,
                        name(in, body + 8)), out, FuseAbi.OUT_HEADER);
                case FuseAbi.UNLINK -> {
                    ns.unlink(ino, name(in, body));
                    yield 0;
                }
                case FuseAbi.RMDIR -> {
                    ns.rmdir(ino, name(in, body));
                    yield 0;
                }
                case FuseAbi.RENAME -> rename(ino, in.get(JAVA_LONG_UNALIGNED, body), 0, in, body + 8);
                case FuseAbi.RENAME2 -> rename(ino, in.get(JAVA_LONG_UNALIGNED, body),
                        in.get(JAVA_INT_UNALIGNED, body + 8), in, body + 16);
                case FuseAbi.RELEASE, FuseAbi.RELEASEDIR -> release(in.get(JAVA_LONG_UNALIGNED, body));
                // Permission checks are the kernel's, with default_permissions.
                case FuseAbi.FLUSH, FuseAbi.ACCESS -> 0;
                case FuseAbi.FSYNC -> fsync(in, body);
                case FuseAbi.FSYNCDIR, FuseAbi.SYNCFS -> {
                    ns.sync();
                    yield 0;
                }
                case FuseAbi.OPENDIR -> opendir(ino, out);
                case FuseAbi.READDIR -> readdir(in, body, out, false);
                case FuseAbi.READDIRPLUS -> readdir(in, body, out, true);
                case FuseAbi.STATFS -> statfs(out);
                case FuseAbi.GETXATTR -> getxattr(ino, in, body, out);
                case FuseAbi.LISTXATTR -> listxattr(ino, in, body, out);
                case FuseAbi.SETXATTR -> setxattr(ino, in, body);
                case FuseAbi.REMOVEXATTR -> {
                    ns.removexattr(ino, name(in, body));
                    yield 0;
                }
                case FuseAbi.FALLOCATE -> fallocate(in, body);
                case FuseAbi.LSEEK -> lseek(in, body, out);
                case FuseAbi.COPY_FILE_RANGE -> copyFileRange(in, body, out, scratch);
                // O_TMPFILE: the namespace has no nameless creation.
                case FuseAbi.TMPFILE -> -Errno.EOPNOTSUPP;
                default -> -Errno.ENOSYS;
            };
        } catch (JiomapException e) {
            return -e.errno();
        } catch (RuntimeException e) {
            log.println("jiomap mount: " + FuseAbi.opName(opcode) + " on node " + nodeid + " failed: " + e);
            return -Errno.EIO;
        }
    }

    private static String name(MemorySegment in, long at) {
        return in.getString(at, StandardCharsets.UTF_8);
    }

    /** The byte after the NUL that ends the string at {@code at}. */
    private static long after(MemorySegment in, long at) {
        long i = at;
        while (in.get(JAVA_BYTE, i) != 0) {
            i++;
        }
        return i + 1;
    }

    /** The caller's uid from the request header (the body follows the header). */
    private static int uid(MemorySegment in, long body) {
        return in.get(JAVA_INT_UNALIGNED, body - FuseAbi.IN_HEADER + FuseAbi.IN_UID);
    }

    private static int gid(MemorySegment in, long body) {
        return in.get(JAVA_INT_UNALIGNED, body - FuseAbi.IN_HEADER + FuseAbi.IN_GID);
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

    /** Writes a fuse_entry_out: the node id and generation of the inode and its attributes. */
    private int entry(FileStat st, MemorySegment out, long o) {
        out.set(JAVA_LONG_UNALIGNED, o, swapRoot(st.ino()));
        out.set(JAVA_LONG_UNALIGNED, o + 8, st.generation());
        out.set(JAVA_LONG_UNALIGNED, o + 16, VALID_SECONDS);
        out.set(JAVA_LONG_UNALIGNED, o + 24, VALID_SECONDS);
        out.set(JAVA_INT_UNALIGNED, o + 32, 0);
        out.set(JAVA_INT_UNALIGNED, o + 36, 0);
        attr(st, out, o + 40);
        return FuseAbi.ENTRY_OUT;
    }

    private static int kindBits(FileKind kind) {
        return switch (kind) {
            case DIRECTORY -> FuseAbi.S_IFDIR;
            case SYMLINK -> FuseAbi.S_IFLNK;
            case REGULAR -> FuseAbi.S_IFREG;
        };
    }

    /** The permission bits the kernel sees: the filesystem's, or those the mount's umask= says. */
    private int permissions(FileStat st) {
        if (!options.overridesOwnership()) {
            return st.mode();
        }
        return switch (st.kind()) {
            case DIRECTORY -> 0777 & ~options.reportedUmask();
            case SYMLINK -> 0777;
            case REGULAR -> 0666 & ~options.reportedUmask();
        };
    }

    private int owner(FileStat st) {
        return options.overridesOwnership() ? options.reportedUid() : st.uid();
    }

    private int group(FileStat st) {
        return options.overridesOwnership() ? options.reportedGid() : st.gid();
    }

    private void attr(FileStat st, MemorySegment out, long o) {
        out.set(JAVA_LONG_UNALIGNED, o, st.ino());
        out.set(JAVA_LONG_UNALIGNED, o + 8, st.size());
        out.set(JAVA_LONG_UNALIGNED, o + 16, (st.allocatedBytes() + 511) / 512);
        putTime(out, o + 24, o + 48, st.atime());
        putTime(out, o + 32, o + 52, st.mtime());
        putTime(out, o + 40, o + 56, st.ctime());
        out.set(JAVA_INT_UNALIGNED, o + 60, kindBits(st.kind()) | permissions(st));
        out.set(JAVA_INT_UNALIGNED, o + 64, st.links());
        out.set(JAVA_INT_UNALIGNED, o + 68, owner(st));
        out.set(JAVA_INT_UNALIGNED, o + 72, group(st));
        out.set(JAVA_INT_UNALIGNED, o + 76, 0);
        out.set(JAVA_INT_UNALIGNED, o + 80, st.blockSize());
        out.set(JAVA_INT_UNALIGNED, o + 84, 0);
    }

    private static void putTime(MemorySegment out, long secAt, long nsecAt, long nanos) {
        out.set(JAVA_LONG_UNALIGNED, secAt, Math.floorDiv(nanos, 1_000_000_000L));
        out.set(JAVA_INT_UNALIGNED, nsecAt, (int) Math.floorMod(nanos, 1_000_000_000L));
    }

    private static long nanos(MemorySegment in, long secAt, long nsecAt) {
        return in.get(JAVA_LONG_UNALIGNED, secAt) * 1_000_000_000L
                + Integer.toUnsignedLong(in.get(JAVA_INT_UNALIGNED, nsecAt));
    }

    private int attrOut(FileStat st, MemorySegment out) {
        long o = FuseAbi.OUT_HEADER;
        out.set(JAVA_LONG_UNALIGNED, o, VALID_SECONDS);
        out.set(JAVA_INT_UNALIGNED, o + 8, 0);
        out.set(JAVA_INT_UNALIGNED, o + 12, 0);
        attr(st, out, o + 16);
        return FuseAbi.ATTR_OUT;
    }

    /**
     * fuse_setattr_in to {@link SetAttr} (same FATTR numbering). The kernel's ctime request is dropped: the
     * filesystem sets ctime to now on every change. Under uid=/gid=/umask= a mode or owner change fails with EPERM
     * unless it changes nothing of what is reported, or is dropped with quiet.
     */
    private int setattr(long ino, MemorySegment in, long body, MemorySegment out) throws JiomapException {
        int valid = in.get(JAVA_INT_UNALIGNED, body) & SetAttr.KNOWN;
        int mode = in.get(JAVA_INT_UNALIGNED, body + 68) & FileStat.MODE_MASK;
        int uid = in.get(JAVA_INT_UNALIGNED, body + 76);
        int gid = in.get(JAVA_INT_UNALIGNED, body + 80);
        if (options.overridesOwnership() && (valid & (SetAttr.MODE | SetAttr.UID | SetAttr.GID)) != 0) {
            FileStat st = ns.getattr(ino);
            boolean changes = (valid & SetAttr.MODE) != 0 && mode != permissions(st)
                    || (valid & SetAttr.UID) != 0 && uid != owner(st)
                    || (valid & SetAttr.GID) != 0 && gid != group(st);
            if (changes && !options.quiet()) {
                return -Errno.EPERM;
            }
            valid &= ~(SetAttr.MODE | SetAttr.UID | SetAttr.GID);
        }
        SetAttr change = new SetAttr(valid, mode, uid, gid, in.get(JAVA_LONG_UNALIGNED, body + 16),
                nanos(in, body + 32, body + 56), nanos(in, body + 40, body + 60));
        if ((valid & SetAttr.SIZE) == 0) {
            return attrOut(ns.setattr(ino, change), out);
        }
        ReentrantLock lock = sizeLocks.of(ino);
        if (lock == null) {
            return attrOut(ns.setattr(ino, change), out);
        }
        lock.lock();
        try {
            return attrOut(ns.setattr(ino, change), out);
        } finally {
            lock.unlock();
        }
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

    /** Opens inode {@code ino} and writes a fuse_open_out at {@code o}. */
    private int open(long ino, int flags, MemorySegment out, long o) throws JiomapException {
        OpenFile file = mount.open(ino, "inode " + ino, openFlags(flags));
        boolean direct = (flags & FuseAbi.O_DIRECT) != 0;
        long fh;
        try {
            fh = handles.add(new Handle(ino, file, sizeLocks.opened(ino), direct, null));
        } catch (JiomapException | RuntimeException e) {
            sizeLocks.released(ino);
            file.close();
            throw e;
        }
        out.set(JAVA_LONG_UNALIGNED, o, fh);
        out.set(JAVA_INT_UNALIGNED, o + 8, direct ? FuseAbi.FOPEN_DIRECT_IO | FuseAbi.FOPEN_PARALLEL_DIRECT_WRITES : 0);
        out.set(JAVA_INT_UNALIGNED, o + 12, 0);
        return FuseAbi.OPEN_OUT;
    }

    /** RELEASE ends the open of the inode (an unlinked one is freed with its last); RELEASEDIR forgets the cursor. */
    private int release(long fh) throws JiomapException {
        Handle h = handles.remove(fh);
        if (h != null && h.file() != null) {
            sizeLocks.released(h.ino());
            h.file().close();
        }
        return 0;
    }

    /** fuse_create_in {flags, mode, umask, open_flags} and the name; the kernel has applied the umask to mode. */
    private int create(long dir, MemorySegment in, long body, MemorySegment out) throws JiomapException {
        int flags = in.get(JAVA_INT_UNALIGNED, body);
        int mode = in.get(JAVA_INT_UNALIGNED, body + 4);
        FileStat st = ns.create(dir, name(in, body + 16), mode & FileStat.MODE_MASK, uid(in, body), gid(in, body),
                (flags & FuseAbi.O_EXCL) != 0);
        int n = entry(st, out, FuseAbi.OUT_HEADER);
        return n + open(st.ino(), flags, out, FuseAbi.OUT_HEADER + n);
    }

    /** fuse_mknod_in {mode, rdev, umask, padding} and the name: regular files only. */
    private int mknod(long dir, MemorySegment in, long body, MemorySegment out) throws JiomapException {
        int mode = in.get(JAVA_INT_UNALIGNED, body);
        if ((mode & FuseAbi.S_IFMT) != FuseAbi.S_IFREG) {
            // Device nodes, FIFOs and sockets: the filesystems store none.
            return -Errno.EPERM;
        }
        return entry(ns.create(dir, name(in, body + 16), mode & FileStat.MODE_MASK, uid(in, body), gid(in, body),
                true), out, FuseAbi.OUT_HEADER);
    }

    /** The link's name, then its target, each ending in NUL. */
    private int symlink(long dir, MemorySegment in, long body, MemorySegment out) throws JiomapException {
        String name = name(in, body);
        String target = name(in, after(in, body));
        return entry(ns.symlink(dir, name, target, uid(in, body), gid(in, body)), out, FuseAbi.OUT_HEADER);
    }

    /** The target's bytes, without a NUL. */
    private int readlink(long ino, MemorySegment out) throws JiomapException {
        byte[] target = ns.readlink(ino).getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(MemorySegment.ofArray(target), 0, out, FuseAbi.OUT_HEADER, target.length);
        return target.length;
    }

    private int rename(long dir, long newDirNode, int flags, MemorySegment in, long names) throws JiomapException {
        String oldName = name(in, names);
        String newName = name(in, after(in, names));
        ns.rename(dir, oldName, swapRoot(newDirNode), newName, flags);
        return 0;
    }

    private int opendir(long ino, MemorySegment out) throws JiomapException {
        if (!ns.getattr(ino).isDirectory()) {
            return -Errno.ENOTDIR;
        }
        long fh = handles.add(new Handle(ino, null, null, false, new DirCursor(ino)));
        long o = FuseAbi.OUT_HEADER;
        out.set(JAVA_LONG_UNALIGNED, o, fh);
        out.set(JAVA_INT_UNALIGNED, o + 8, 0);
        out.set(JAVA_INT_UNALIGNED, o + 12, 0);
        return FuseAbi.OPEN_OUT;
    }

    /**
     * READDIR and READDIRPLUS: dirents whose offsets are positions in the listing ({@link DirCursor}); with plus,
     * each also carries an entry (none for "." and "..", which the kernel does not look up from it).
     */
    private int readdir(MemorySegment in, long body, MemorySegment out, boolean plus) throws JiomapException {
        Handle h = handles.require(in.get(JAVA_LONG_UNALIGNED, body));
        if (h.dir() == null) {
            return -Errno.ENOTDIR;
        }
        long offset = Math.max(0, in.get(JAVA_LONG_UNALIGNED, body + 8));
        int size = Math.min(in.get(JAVA_INT_UNALIGNED, body + 16), (int) out.byteSize() - FuseAbi.OUT_HEADER);
        long dir = h.dir().dir;
        int[] used = {0};
        for (long p = offset; p < 2; p++) {
            long dotIno = p == 0 ? dir : ns.parent(dir);
            if (!dirent(out, used, size, p == 0 ? "." : "..", dotIno, FileKind.DIRECTORY, p + 1, plus, null)) {
                return used[0];
            }
        }
        h.dir().next(ns, Math.max(2, offset), (e, position) -> {
            FileStat st = null;
            if (plus) {
                try {
                    st = ns.getattr(e.ino());
                } catch (JiomapException gone) {
                    // Removed since it was listed: shown without attributes, as a listing taken earlier would.
                    st = null;
                }
            }
            return dirent(out, used, size, e.name(), e.ino(), e.kind(), position + 1, plus, st);
        });
        return used[0];
    }

    /** Appends one fuse_dirent (after a fuse_entry_out with plus) if it fits in {@code size}. */
    private boolean dirent(MemorySegment out, int[] used, int size, String name, long ino, FileKind kind, long next,
                           boolean plus, FileStat st) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int direntLen = (FuseAbi.DIRENT_NAME + bytes.length + 7) & ~7;
        int len = direntLen + (plus ? FuseAbi.ENTRY_OUT : 0);
        if (used[0] + len > size) {
            return false;
        }
        long o = FuseAbi.OUT_HEADER + used[0];
        if (plus) {
            if (st == null) {
                // Node id 0: no entry for the kernel to keep, only the name.
                out.asSlice(o, FuseAbi.ENTRY_OUT).fill((byte) 0);
            } else {
                entry(st, out, o);
            }
            o += FuseAbi.ENTRY_OUT;
        }
        out.set(JAVA_LONG_UNALIGNED, o, ino);
        out.set(JAVA_LONG_UNALIGNED, o + 8, next);
        out.set(JAVA_INT_UNALIGNED, o + 16, bytes.length);
        out.set(JAVA_INT_UNALIGNED, o + 20, switch (kind) {
            case DIRECTORY -> FuseAbi.DT_DIR;
            case SYMLINK -> FuseAbi.DT_LNK;
            case REGULAR -> FuseAbi.DT_REG;
        });
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, out, o + FuseAbi.DIRENT_NAME, bytes.length);
        out.asSlice(o + FuseAbi.DIRENT_NAME + bytes.length, direntLen - FuseAbi.DIRENT_NAME - bytes.length)
                .fill((byte) 0);
        used[0] += len;
        return true;
    }

    private int statfs(MemorySegment out) throws JiomapException {
        FsStat s = ns.statfs();
        long o = FuseAbi.OUT_HEADER;
        out.asSlice(o, FuseAbi.STATFS_OUT).fill((byte) 0);
        out.set(JAVA_LONG_UNALIGNED, o, s.totalBlocks());
        out.set(JAVA_LONG_UNALIGNED, o + 8, s.freeBlocks());
        out.set(JAVA_LONG_UNALIGNED, o + 16, s.freeBlocks());
        out.set(JAVA_LONG_UNALIGNED, o + 24, s.totalInodes());
        out.set(JAVA_LONG_UNALIGNED, o + 32, s.freeInodes());
        out.set(JAVA_INT_UNALIGNED, o + 40, s.blockSize());
        out.set(JAVA_INT_UNALIGNED, o + 44, NAME_MAX);
        out.set(JAVA_INT_UNALIGNED, o + 48, s.blockSize());
        return FuseAbi.STATFS_OUT;
    }

    /**
     * A GETXATTR or LISTXATTR answer: with size 0 the kernel asks how big the value is (fuse_getxattr_out), with a
     * size too small for it the answer is ERANGE, else the value itself.
     */
    private int xattrReply(byte[] value, int size, MemorySegment out) {
        long o = FuseAbi.OUT_HEADER;
        if (size == 0) {
            out.set(JAVA_INT_UNALIGNED, o, value.length);
            out.set(JAVA_INT_UNALIGNED, o + 4, 0);
            return FuseAbi.GETXATTR_OUT;
        }
        if (value.length > size) {
            return -Errno.ERANGE;
        }
        if (value.length > out.byteSize() - o) {
            return -Errno.E2BIG;
        }
        MemorySegment.copy(MemorySegment.ofArray(value), 0, out, o, value.length);
        return value.length;
    }

    /** fuse_getxattr_in {size, padding} and the name. */
    private int getxattr(long ino, MemorySegment in, long body, MemorySegment out) throws JiomapException {
        return xattrReply(ns.getxattr(ino, name(in, body + 8)), in.get(JAVA_INT_UNALIGNED, body), out);
    }

    /** The names, each ending in NUL. */
    private int listxattr(long ino, MemorySegment in, long body, MemorySegment out) throws JiomapException {
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        for (String n : ns.listxattr(ino)) {
            names.writeBytes(n.getBytes(StandardCharsets.UTF_8));
            names.write(0);
        }
        return xattrReply(names.toByteArray(), in.get(JAVA_INT_UNALIGNED, body), out);
    }

    /** fuse_setxattr_in {size, flags}, the name ending in NUL, then the value's bytes. */
    private int setxattr(long ino, MemorySegment in, long body) throws JiomapException {
        int size = in.get(JAVA_INT_UNALIGNED, body);
        int flags = in.get(JAVA_INT_UNALIGNED, body + 4);
        long nameAt = body + FuseAbi.SETXATTR_IN;
        String name = name(in, nameAt);
        byte[] value = in.asSlice(after(in, nameAt), size).toArray(JAVA_BYTE);
        ns.setxattr(ino, name, value, flags & (FileSystem.XATTR_CREATE | FileSystem.XATTR_REPLACE));
        return 0;
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

    /** Every fallocate mode goes to the filesystem, which answers EOPNOTSUPP for what it does not do. */
    private int fallocate(MemorySegment in, long body) throws JiomapException {
        Handle h = handles.require(in.get(JAVA_LONG_UNALIGNED, body));
        if (h.file() == null) {
            return -Errno.EISDIR;
        }
        long offset = in.get(JAVA_LONG_UNALIGNED, body + 8);
        long length = in.get(JAVA_LONG_UNALIGNED, body + 16);
        int mode = in.get(JAVA_INT_UNALIGNED, body + 24);
        h.sizeLock().lock();
        try {
            h.file().fallocate(mode, offset, length);
        } finally {
            h.sizeLock().unlock();
        }
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
        if (len > 0 && aligned && src.ino() != dst.ino()) {
            dst.sizeLock().lock();
            try {
                int r = dst.file().inode().cloneRange(src.file().inode(), offIn, offOut, len);
                if (r == 0) {
                    done = len;
                } else if (r != -Errno.EOPNOTSUPP && r != -Errno.EINVAL && r != -Errno.EXDEV) {
                    return r;
                }
            } finally {
                dst.sizeLock().unlock();
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
        h.sizeLock().lock();
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
            h.sizeLock().unlock();
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
