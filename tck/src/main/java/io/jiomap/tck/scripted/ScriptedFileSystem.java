package io.jiomap.tck.scripted;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FlatNamespace;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.api.iomap.DirectIoEngine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A mounted scripted filesystem: files in its one directory, each a {@link ScriptedInode} known by its path
 * ("/" and its name), no on-disk metadata.
 */
public final class ScriptedFileSystem implements FlatNamespace {
    /** The root directory: the only one, the scripted filesystem is flat. */
    public static final long ROOT_INO = 1;

    private final BlockDevice device;
    private final DirectIoEngine engine;
    private final int blockSize;
    private final Map<String, ScriptedInode> files = new LinkedHashMap<>();
    private long nextIno = ROOT_INO + 1;
    private volatile boolean unmounted;

    ScriptedFileSystem(BlockDevice device, DirectIoEngine engine, int blockSize) {
        this.device = device;
        this.engine = engine;
        this.blockSize = blockSize;
    }

    @Override
    public long rootIno() {
        return ROOT_INO;
    }

    @Override
    public String typeName() {
        return ScriptedFileSystemType.NAME;
    }

    @Override
    public BlockDevice device() {
        return device;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    private ScriptedInode named(long dir, String name) throws JiomapException {
        requireRoot("lookup " + name, dir);
        return files.get("/" + name);
    }

    @Override
    public synchronized long lookup(long dir, String name) throws JiomapException {
        ScriptedInode inode = named(dir, name);
        return inode == null ? 0 : inode.ino();
    }

    @Override
    public long parent(long dir) throws JiomapException {
        requireRoot("parent", dir);
        return ROOT_INO;
    }

    @Override
    public synchronized FileStat getattr(long ino) throws JiomapException {
        if (ino == ROOT_INO) {
            return new FileStat(ROOT_INO, 0, FileKind.DIRECTORY, 0755, 0, 0, 2, 0, 0, blockSize, 0, 0, 0, 0);
        }
        return inode(ino).stat();
    }

    private ScriptedInode inode(long ino) throws JiomapException {
        for (ScriptedInode inode : files.values()) {
            if (inode.ino() == ino) {
                return inode;
            }
        }
        throw new JiomapException(Errno.ENOENT, "the scripted filesystem has no inode " + ino);
    }

    /** The root lists every file created, flat: scripted paths are names in the root, not a tree. */
    @Override
    public synchronized List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
        requireRoot("readdir", dir);
        return files.values().stream().map(f -> new DirEntry(f.path().substring(1), f.ino(), FileKind.REGULAR))
                .filter(e -> after == null || e.name().compareTo(after) > 0)
                .sorted(Comparator.comparing(DirEntry::name)).limit(max).toList();
    }

    /** A new file is empty and, until scripted, MAPPED everywhere. */
    @Override
    public synchronized FileStat create(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        requireMounted();
        if (named(dir, name) != null) {
            throw new JiomapException(Errno.EIO, "create /" + name + ": it exists, against the core's check");
        }
        ScriptedInode inode = new ScriptedInode(this, nextIno++, "/" + name, engine, mode, uid, gid);
        files.put(inode.path(), inode);
        return inode.stat();
    }

    @Override
    public synchronized Inode open(long ino) throws JiomapException {
        requireMounted();
        return inode(ino);
    }

    /** A scripted file lives as long as the mount: nothing to let go of per open. */
    @Override
    public void release(Inode inode) {
    }

    /** Size, mode, owner and group; the scripted filesystem keeps no times. */
    @Override
    public FileStat setattr(long ino, SetAttr attr) throws JiomapException {
        ScriptedInode inode;
        synchronized (this) {
            inode = inode(ino);
        }
        int unsupported = attr.valid() & ~(SetAttr.SIZE | SetAttr.MODE | SetAttr.UID | SetAttr.GID);
        if (unsupported != 0) {
            throw new JiomapException(Errno.EOPNOTSUPP, "setattr of " + inode.path() + ": the scripted filesystem "
                    + "keeps no times (fields 0x" + Integer.toHexString(unsupported) + ")");
        }
        if (attr.has(SetAttr.SIZE)) {
            Errno.check(inode.truncate(attr.size()), "truncate " + inode.path() + " to " + attr.size());
        }
        inode.setOwnership(attr);
        return inode.stat();
    }

    /*
     * Flat and create-only: no directories, links or removals, as the scripts need none. What would need them is
     * refused with EPERM, as for a filesystem without the operation.
     */

    private void requireMounted() throws JiomapException {
        if (unmounted) {
            throw new JiomapException(Errno.ENODEV, "scripted filesystem on " + device.name() + " is unmounted");
        }
    }

    private static void requireRoot(String op, long dir) throws JiomapException {
        if (dir != ROOT_INO) {
            throw new JiomapException(Errno.ENOTDIR, op + " in inode " + dir
                    + ": the scripted filesystem's only directory is the root");
        }
    }

    private static JiomapException flat(String what) {
        return new JiomapException(Errno.EPERM, what + ": the scripted filesystem is flat and create-only");
    }

    /** The file at {@code path}, if it was created. */
    public synchronized Optional<ScriptedInode> file(String path) {
        return Optional.ofNullable(files.get(path));
    }

    public synchronized List<ScriptedInode> files() {
        return new ArrayList<>(files.values());
    }

    public boolean isUnmounted() {
        return unmounted;
    }

    /** Drains every file's direct I/O (without deadlocking against caller completion), then flushes the device. */
    @Override
    public void unmount() throws JiomapException {
        List<ScriptedInode> all;
        synchronized (this) {
            if (unmounted) {
                return;
            }
            unmounted = true;
            all = new ArrayList<>(files.values());
        }
        for (ScriptedInode inode : all) {
            inode.drainForUnmount();
        }
        int r = SyncBio.flush(device);
        if (r < 0 && !device.isClosed()) {
            throw new JiomapException(-r, "flushing " + device.name() + " at unmount: " + SyncBio.describe(r));
        }
    }

    /** No allocation happens: the device is all there is and none of it is accounted. */
    @Override
    public FsStat statfs() {
        long blocks = device.capabilities().capacityBytes() / blockSize;
        return new FsStat(blockSize, blocks, blocks, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    @Override
    public void sync() throws JiomapException {
        int r = SyncBio.flush(device);
        if (r < 0) {
            throw new JiomapException(-r, "sync: flushing " + device.name() + ": " + SyncBio.describe(r));
        }
    }
}
