package io.jiomap.tck.scripted;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.iomap.DirectIoEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A mounted scripted filesystem: files by path, each a {@link ScriptedInode}, no on-disk metadata. */
public final class ScriptedFileSystem implements FileSystem {
    private final BlockDevice device;
    private final DirectIoEngine engine;
    private final int blockSize;
    private final Map<String, ScriptedInode> files = new LinkedHashMap<>();
    private long nextIno = 1;
    private volatile boolean unmounted;

    ScriptedFileSystem(BlockDevice device, DirectIoEngine engine, int blockSize) {
        this.device = device;
        this.engine = engine;
        this.blockSize = blockSize;
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

    /** Opens a file; a new one (CREATE) is empty and, until scripted, MAPPED everywhere. */
    @Override
    public synchronized Inode open(String path, int flags) throws JiomapException {
        if (unmounted) {
            throw new JiomapException(Errno.ENODEV, "scripted filesystem on " + device.name() + " is unmounted");
        }
        ScriptedInode inode = files.get(path);
        if (inode != null) {
            if ((flags & (CREATE | EXCLUSIVE)) == (CREATE | EXCLUSIVE)) {
                throw new JiomapException(Errno.EEXIST, path + " already exists");
            }
            return inode;
        }
        if ((flags & CREATE) == 0) {
            throw new JiomapException(Errno.ENOENT, path + " does not exist (open with CREATE to create it)");
        }
        inode = new ScriptedInode(this, nextIno++, path, engine);
        files.put(path, inode);
        return inode;
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

    /** The root lists every file created, flat: scripted paths are names, not a tree. */
    @Override
    public synchronized List<DirEntry> readdir(String path) throws JiomapException {
        if (!path.equals("/")) {
            throw new JiomapException(Errno.ENOTDIR, "readdir " + path + ": the scripted filesystem is flat");
        }
        return files.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> new DirEntry(e.getKey(), e.getValue().ino(), FileKind.REGULAR)).toList();
    }

    @Override
    public synchronized FileStat stat(String path) throws JiomapException {
        ScriptedInode inode = files.get(path);
        if (inode == null) {
            throw new JiomapException(Errno.ENOENT, path + " does not exist");
        }
        return inode.stat();
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
