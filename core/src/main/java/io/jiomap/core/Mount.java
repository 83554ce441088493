package io.jiomap.core;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.MountContext;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.core.block.BlockLayer;
import io.jiomap.core.completion.CompletionWorkqueue;
import io.jiomap.core.dio.DioStats;
import io.jiomap.core.dio.DirectIo;
import io.jiomap.core.trace.DioTrace;
import io.jiomap.core.vfs.Namespace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A filesystem mounted through the engine: the filesystem, its block layer, its direct-I/O path, its completion
 * workqueue and its counters. This is the superblock of the kernel, seen from the engine's side.
 */
public final class Mount implements AutoCloseable {
    /**
     * Engine-side mount options.
     *
     * @param workqueueWorkers threads of the completion workqueue
     * @param fsOptions        options passed to the filesystem
     */
    public record Options(int workqueueWorkers, Map<String, String> fsOptions) {
        public Options {
            if (workqueueWorkers < 1) {
                throw new IllegalArgumentException("the completion workqueue needs at least one worker");
            }
            fsOptions = Map.copyOf(fsOptions);
        }

        public static Options defaults() {
            return new Options(1, Map.of());
        }

        public Options withFsOptions(Map<String, String> options) {
            return new Options(workqueueWorkers, options);
        }

        public Options withWorkqueueWorkers(int workers) {
            return new Options(workers, fsOptions);
        }
    }

    /** The permission bits of a file {@link #open(String, int)} creates. */
    public static final int FILE_MODE = 0644;
    /** The permission bits of a directory {@link #mkdir(String)} creates. */
    public static final int DIRECTORY_MODE = 0755;
    /** Entries {@link #readdir(String)} asks the filesystem for at a time. */
    private static final int READDIR_PAGE = 256;

    private final FileSystem fs;
    private final Namespace namespace;
    private final BlockLayer blockLayer;
    private final DirectIo directIo;
    private final CompletionWorkqueue workqueue;
    private final DioStats stats;
    private volatile boolean closed;

    private Mount(FileSystem fs, BlockLayer blockLayer, DirectIo directIo, CompletionWorkqueue workqueue,
                  DioStats stats) {
        this.fs = fs;
        this.namespace = new Namespace(fs);
        this.blockLayer = blockLayer;
        this.directIo = directIo;
        this.workqueue = workqueue;
        this.stats = stats;
    }

    /** Writes an empty filesystem of {@code type} to the device (through the block layer's flush policy). */
    public static void mkfs(FileSystemType type, BlockDevice device, Map<String, String> options)
            throws JiomapException {
        type.mkfs(new BlockLayer(device, new DioStats()), options);
    }

    /** Mounts {@code type} on the device. */
    public static Mount mount(FileSystemType type, BlockDevice device, Options options) throws JiomapException {
        if (device.isClosed()) {
            throw new JiomapException(Errno.ENODEV, "device " + device.name() + " is closed");
        }
        DioStats stats = new DioStats();
        BlockLayer layer = new BlockLayer(device, stats);
        CompletionWorkqueue wq = new CompletionWorkqueue(type.name() + "-" + device.name(),
                options.workqueueWorkers());
        DirectIo dio = new DirectIo(layer, wq, stats);
        Map<String, String> fsOptions = options.fsOptions();
        try {
            FileSystem fs = type.mount(layer, new MountContext() {
                @Override
                public DirectIoEngine directIo() {
                    return dio;
                }

                @Override
                public Map<String, String> options() {
                    return fsOptions;
                }
            });
            return new Mount(fs, layer, dio, wq, stats);
        } catch (JiomapException | RuntimeException e) {
            wq.close();
            throw e;
        }
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /** The namespace by inode number, with the rules every filesystem shares (what the FUSE bridge uses). */
    public Namespace namespace() {
        return namespace;
    }

    /** The device under the filesystem. */
    public BlockDevice device() {
        return blockLayer.unwrap();
    }

    /** Where completions ran and what bios were issued, since the mount. */
    public DioCounters counters() {
        return stats.snapshot();
    }

    /** Turns trace points on ({@code null}: off). */
    public void setTrace(DioTrace trace) {
        directIo.setTrace(trace);
    }

    public int workqueueWorkers() {
        return workqueue.workers();
    }

    /** How many times the completion workqueue's workers went to sleep for lack of work so far. */
    public long workqueueSleeps() {
        return workqueue.sleeps();
    }

    /** Whether {@link #close} has run: files of a closed mount refuse every operation with ESHUTDOWN. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Opens a file; a file it creates gets mode {@value #FILE_MODE}.
     *
     * @param openFlags {@link OpenFile#CREATE}, {@link OpenFile#EXCLUSIVE}, {@link OpenFile#DSYNC},
     *                  {@link OpenFile#SYNC}
     */
    public OpenFile open(String path, int openFlags) throws JiomapException {
        return open(path, openFlags, FILE_MODE);
    }

    /**
     * Opens a file, creating it with permission bits {@code mode} (owner and group 0) if {@code openFlags} hold
     * {@link OpenFile#CREATE} and it does not exist. A symbolic link is followed, also at the end of the path (but
     * with {@link OpenFile#EXCLUSIVE} an existing name of any kind is EEXIST). Each returned file holds one open of
     * its inode until {@link OpenFile#close}.
     */
    public OpenFile open(String path, int openFlags, int mode) throws JiomapException {
        requireMounted("open", path);
        FileStat st;
        if ((openFlags & OpenFile.CREATE) == 0) {
            st = new PathWalk(namespace, "open", path).resolve(true);
        } else {
            st = createOrFind(path, (openFlags & OpenFile.EXCLUSIVE) != 0, mode);
        }
        Inode inode = namespace.open(st.ino());
        return new OpenFile(this, inode, path, openFlags);
    }

    /**
     * Opens regular file {@code ino} for I/O, as {@link #open(String, int)} does for a path: a bridge that names
     * files by inode (FUSE) opens them here. {@code name} only labels the file in messages.
     *
     * @param openFlags {@link OpenFile#DSYNC}, {@link OpenFile#SYNC}
     */
    public OpenFile open(long ino, String name, int openFlags) throws JiomapException {
        requireMounted("open", name);
        return new OpenFile(this, namespace.open(ino), name, openFlags);
    }

    private FileStat createOrFind(String path, boolean exclusive, int mode) throws JiomapException {
        PathWalk walk = new PathWalk(namespace, "open", path);
        while (true) {
            String name = walk.toParent();
            FileStat st;
            try {
                st = namespace.lookup(walk.dir(), name);
            } catch (JiomapException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
                return namespace.create(walk.dir(), name, mode, 0, 0, exclusive);
            }
            if (exclusive) {
                throw new JiomapException(Errno.EEXIST, "open " + path + " with CREATE and EXCLUSIVE: it exists");
            }
            if (st.kind() != FileKind.SYMLINK) {
                return st;
            }
            walk.follow(st);
        }
    }

    /** Creates a directory with mode {@value #DIRECTORY_MODE}. */
    public FileStat mkdir(String path) throws JiomapException {
        return mkdir(path, DIRECTORY_MODE);
    }

    /** Creates a directory with permission bits {@code mode} (owner and group 0). */
    public FileStat mkdir(String path, int mode) throws JiomapException {
        PathWalk walk = walk("mkdir", path);
        String name = walk.toParent();
        return namespace.mkdir(walk.dir(), name, mode, 0, 0);
    }

    /** Removes an empty directory. */
    public void rmdir(String path) throws JiomapException {
        PathWalk walk = walk("rmdir", path);
        String name = walk.toParent();
        namespace.rmdir(walk.dir(), name);
    }

    /** Removes the name of a non-directory (a symbolic link itself, not its target). */
    public void unlink(String path) throws JiomapException {
        PathWalk walk = walk("unlink", path);
        String name = walk.toParent();
        namespace.unlink(walk.dir(), name);
    }

    /** rename(2): replaces what {@code to} names, as the rules of {@link Namespace} allow. */
    public void rename(String from, String to) throws JiomapException {
        rename(from, to, 0);
    }

    /** renameat2(2) with {@link FileSystem#RENAME_NOREPLACE} or {@link FileSystem#RENAME_EXCHANGE}. */
    public void rename(String from, String to, int flags) throws JiomapException {
        PathWalk source = walk("rename", from);
        String fromName = source.toParent();
        PathWalk target = walk("rename", to);
        String toName = target.toParent();
        namespace.rename(source.dir(), fromName, target.dir(), toName, flags);
    }

    /** Every entry of a directory (symbolic links followed), without "." and "..", in name order. */
    public List<DirEntry> readdir(String path) throws JiomapException {
        long dir = walk("readdir", path).resolve(true).ino();
        List<DirEntry> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<DirEntry> page = namespace.readdir(dir, after, READDIR_PAGE);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            after = page.getLast().name();
        }
    }

    /** What {@code path} names, symbolic links followed (at most {@value PathWalk#MAX_SYMLINKS}, else ELOOP). */
    public FileStat stat(String path) throws JiomapException {
        return walk("stat", path).resolve(true);
    }

    /** What {@code path} names; a symbolic link at its end is described itself. */
    public FileStat lstat(String path) throws JiomapException {
        return walk("lstat", path).resolve(false);
    }

    /** Creates symbolic link {@code linkPath} holding {@code target} (owner and group 0). */
    public FileStat symlink(String target, String linkPath) throws JiomapException {
        PathWalk walk = walk("symlink", linkPath);
        String name = walk.toParent();
        return namespace.symlink(walk.dir(), name, target, 0, 0);
    }

    /** The target of symbolic link {@code path}. */
    public String readlink(String path) throws JiomapException {
        return namespace.readlink(walk("readlink", path).resolve(false).ino());
    }

    /** Gives what {@code existing} names (not followed if it is a symbolic link) the further name {@code newPath}. */
    public FileStat link(String existing, String newPath) throws JiomapException {
        long ino = walk("link", existing).resolve(false).ino();
        PathWalk walk = walk("link", newPath);
        String name = walk.toParent();
        return namespace.link(ino, walk.dir(), name);
    }

    /** Sets the permission bits (07777). */
    public FileStat chmod(String path, int mode) throws JiomapException {
        return setattr("chmod", path, SetAttr.mode(mode));
    }

    /** Sets owner and group; {@code -1} leaves one as it is. */
    public FileStat chown(String path, int uid, int gid) throws JiomapException {
        return setattr("chown", path, SetAttr.owner(uid, gid));
    }

    /** Sets access and modification time, in nanoseconds since the epoch. */
    public FileStat utimens(String path, long atimeNs, long mtimeNs) throws JiomapException {
        return setattr("utimens", path, SetAttr.times(atimeNs, mtimeNs));
    }

    /** Sets the size of a regular file (cutting it or extending it with a hole). */
    public FileStat truncate(String path, long size) throws JiomapException {
        return setattr("truncate", path, SetAttr.size(size));
    }

    public byte[] getxattr(String path, String name) throws JiomapException {
        return namespace.getxattr(walk("getxattr", path).resolve(true).ino(), name);
    }

    public List<String> listxattr(String path) throws JiomapException {
        return namespace.listxattr(walk("listxattr", path).resolve(true).ino());
    }

    /** Sets an extended attribute ({@link FileSystem#XATTR_CREATE}, {@link FileSystem#XATTR_REPLACE}). */
    public void setxattr(String path, String name, byte[] value, int flags) throws JiomapException {
        namespace.setxattr(walk("setxattr", path).resolve(true).ino(), name, value, flags);
    }

    public void removexattr(String path, String name) throws JiomapException {
        namespace.removexattr(walk("removexattr", path).resolve(true).ino(), name);
    }

    public FsStat statfs() throws JiomapException {
        requireMounted("statfs", "/");
        return namespace.statfs();
    }

    public void sync() throws JiomapException {
        requireMounted("sync", "/");
        namespace.sync();
    }

    private FileStat setattr(String op, String path, SetAttr attr) throws JiomapException {
        return namespace.setattr(walk(op, path).resolve(true).ino(), attr);
    }

    private PathWalk walk(String op, String path) throws JiomapException {
        requireMounted(op, path);
        return new PathWalk(namespace, op, path);
    }

    private void requireMounted(String op, String path) throws JiomapException {
        if (closed) {
            throw new JiomapException(Errno.ENODEV, op + " " + path + ": the filesystem on " + device().name()
                    + " is unmounted");
        }
    }

    DirectIo directIo() {
        return directIo;
    }

    /**
     * Unmounts: new direct I/O fails with ESHUTDOWN (even through files still open), the filesystem drains what is
     * in flight (without deadlocking against caller completion) and persists, then the workqueue stops.
     */
    @Override
    public void close() throws JiomapException {
        if (closed) {
            return;
        }
        closed = true;
        directIo.shutdown();
        try {
            fs.unmount();
        } finally {
            workqueue.close();
        }
    }
}
