package io.jiomap.fs.ext4like.inode;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.meta.Allocator;
import io.jiomap.fs.ext4like.meta.BlockCache;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;

/**
 * The pieces of one mounted ext4-like filesystem that its inodes work with (the kernel's {@code ext4_sb_info}): the
 * device, superblock, block cache, journal, allocator, the core's direct-I/O engine, the inode table and the orphan
 * list.
 */
public final class Volume {
    private static final System.Logger LOG = System.getLogger(Volume.class.getName());

    private final FileSystem fileSystem;
    private final BlockDevice device;
    private final Superblock sb;
    private final BlockCache cache;
    private final Journal journal;
    private final Allocator allocator;
    private final DirectIoEngine directIo;
    private final InodeTable inodes;
    private final OrphanList orphans;

    /** @param fileSystem what the inodes answer as their {@link io.jiomap.api.vfs.Inode#fileSystem()} */
    public Volume(FileSystem fileSystem, BlockDevice device, Superblock sb, BlockCache cache, Journal journal,
                  Allocator allocator, DirectIoEngine directIo) {
        this.fileSystem = fileSystem;
        this.device = device;
        this.sb = sb;
        this.cache = cache;
        this.journal = journal;
        this.allocator = allocator;
        this.directIo = directIo;
        this.inodes = new InodeTable(this);
        this.orphans = new OrphanList(this);
    }

    FileSystem fileSystem() {
        return fileSystem;
    }

    public BlockDevice device() {
        return device;
    }

    public Superblock superblock() {
        return sb;
    }

    public int blockSize() {
        return sb.blockSize;
    }

    public BlockCache cache() {
        return cache;
    }

    public Journal journal() {
        return journal;
    }

    public Allocator allocator() {
        return allocator;
    }

    DirectIoEngine directIo() {
        return directIo;
    }

    public InodeTable inodes() {
        return inodes;
    }

    public OrphanList orphans() {
        return orphans;
    }

    /** Flushes the device's volatile write cache, if it has one. @return 0 or a negative errno */
    public int flushCache() {
        if (!device.capabilities().volatileWriteCache()) {
            return 0;
        }
        try {
            cache.flush();
            return 0;
        } catch (FsError e) {
            return -e.errno();
        }
    }

    /** Logs a failure that has no caller left to report it to. */
    void reportError(String what, FsError e) {
        LOG.log(System.Logger.Level.WARNING, what + ": " + e.getMessage(), e);
    }
}
