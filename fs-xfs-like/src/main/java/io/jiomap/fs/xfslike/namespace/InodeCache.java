package io.jiomap.fs.xfslike.namespace;

import io.jiomap.api.vfs.FileSystem;
import io.jiomap.fs.xfslike.alloc.BlockAllocation;
import io.jiomap.fs.xfslike.alloc.Reservations;
import io.jiomap.fs.xfslike.file.XfsLikeInode;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.mount.MountState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The open regular files (the kernel's {@code xfs_icache.c}): one {@link XfsLikeInode} per inode number, so every
 * opener of a file shares its I/O lock and its in-flight direct I/O count.
 */
public final class InodeCache {
    private final FileSystem owner;
    private final MountState mount;
    private final BlockAllocation blocks;
    private final Reservations reservations;
    private final Map<Long, XfsLikeInode> inodes = new HashMap<>();

    public InodeCache(FileSystem owner, MountState mount, BlockAllocation blocks, Reservations reservations) {
        this.owner = owner;
        this.mount = mount;
        this.blocks = blocks;
        this.reservations = reservations;
    }

    /** The file object of {@code core}, created on first use. */
    XfsLikeInode getLocked(InodeCore core) {
        return inodes.computeIfAbsent(core.ino(), i -> new XfsLikeInode(owner, mount, blocks, reservations, core));
    }

    /** The file object of {@code ino} if one was made, else null. */
    XfsLikeInode peekLocked(long ino) {
        return inodes.get(ino);
    }

    /** Forgets inode {@code ino}, whose last link went: its file object answers ENOENT from now on. */
    void evictLocked(long ino) {
        XfsLikeInode obj = inodes.remove(ino);
        if (obj != null) {
            obj.markRemoved();
        }
    }

    /** Every file object, for unmount to drain. */
    public List<XfsLikeInode> allLocked() {
        return new ArrayList<>(inodes.values());
    }
}
