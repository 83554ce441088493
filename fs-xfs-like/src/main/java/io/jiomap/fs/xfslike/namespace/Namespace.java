package io.jiomap.fs.xfslike.namespace;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import io.jiomap.fs.xfslike.alloc.BlockAllocation;
import io.jiomap.fs.xfslike.alloc.Reservations;
import io.jiomap.fs.xfslike.file.XfsLikeInode;
import io.jiomap.fs.xfslike.format.InodeRecords;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.mount.MetadataLog;
import io.jiomap.fs.xfslike.mount.MountState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Paths and directories (the kernel's {@code xfs_inode.c} create/link/remove and {@code xfs_dir2}): lookup, open
 * with create, mkdir, rmdir, unlink, rename, readdir, stat. Each change is one transaction under the metadata lock;
 * removing a regular file first takes it alone (I/O lock exclusive, direct I/O drained) so its blocks can be freed.
 */
public final class Namespace {
    static final int NAME_MAX = InodeRecords.NAME_MAX;

    private final MountState mount;
    private final Metadata md;
    private final MetadataLog log;
    private final BlockAllocation blocks;
    private final Reservations reservations;
    private final InodeCache inodes;

    public Namespace(FileSystem owner, MountState mount, BlockAllocation blocks, Reservations reservations) {
        this.mount = mount;
        this.md = mount.metadata();
        this.log = mount.log();
        this.blocks = blocks;
        this.reservations = reservations;
        this.inodes = new InodeCache(owner, mount, blocks, reservations);
    }

    /** Every open file object, for unmount to drain. */
    public List<XfsLikeInode> openFilesLocked() {
        return inodes.allLocked();
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
            if (p.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
                throw new JiomapException(Errno.ENAMETOOLONG, "path '" + path + "': a name is longer than "
                        + NAME_MAX + " bytes");
            }
            parts.add(p);
        }
        return parts;
    }

    /** The directory holding the last name of {@code parts}. */
    private InodeCore parentOfLocked(String path, List<String> parts) throws JiomapException {
        InodeCore dir = md.inode(md.rootIno());
        for (int i = 0; i < parts.size() - 1; i++) {
            Long next = dir.entries().get(parts.get(i));
            if (next == null) {
                throw new JiomapException(Errno.ENOENT, path + ": '" + parts.get(i) + "' does not exist");
            }
            dir = md.inode(next);
            if (!dir.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + ": '" + parts.get(i) + "' is not a directory");
            }
        }
        return dir;
    }

    /** The inode at {@code path}. */
    private InodeCore lookupLocked(String path) throws JiomapException {
        List<String> parts = split(path);
        if (parts.isEmpty()) {
            return md.inode(md.rootIno());
        }
        InodeCore parent = parentOfLocked(path, parts);
        Long ino = parent.entries().get(parts.getLast());
        if (ino == null) {
            throw new JiomapException(Errno.ENOENT, path + " does not exist");
        }
        return md.inode(ino);
    }

    public Inode open(String path, int flags) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            List<String> parts = split(path);
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EISDIR, path + " is a directory");
            }
            InodeCore parent = parentOfLocked(path, parts);
            Long ino = parent.entries().get(parts.getLast());
            if (ino != null) {
                int createExclusive = FileSystem.CREATE | FileSystem.EXCLUSIVE;
                if ((flags & createExclusive) == createExclusive) {
                    throw new JiomapException(Errno.EEXIST, path + " exists");
                }
                InodeCore core = md.inode(ino);
                if (core.isDir()) {
                    throw new JiomapException(Errno.EISDIR, path + " is a directory");
                }
                return inodes.getLocked(core);
            }
            if ((flags & FileSystem.CREATE) == 0) {
                throw new JiomapException(Errno.ENOENT, path + " does not exist");
            }
            return inodes.getLocked(createLocked(parent, parts.getLast(), FileKind.REGULAR));
        } finally {
            mount.unlockMetadata();
        }
    }

    private InodeCore createLocked(InodeCore parent, String name, FileKind kind) throws JiomapException {
        reservations.reserveMetadataLocked(4);
        long ino = md.chooseIno(Metadata.agOfIno(parent.ino()));
        long now = System.currentTimeMillis();
        Transaction t = new Transaction(md);
        t.add(new LogItem.Create(ino, kind, now));
        t.add(LogItem.Core.changed(ino, 0, kind == FileKind.DIRECTORY ? 2 : 1, 0, now, now));
        t.add(new LogItem.EntryAdd(parent.ino(), name, ino));
        t.add(LogItem.Core.changed(parent.ino(), parent.size(), parent.nlink() + (kind == FileKind.DIRECTORY ? 1 : 0),
                parent.flags(), now, now));
        log.commitLocked(t);
        log.pushIfLargeLocked();
        return md.inode(ino);
    }

    public void mkdir(String path) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            List<String> parts = split(path);
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EEXIST, "/ exists");
            }
            InodeCore parent = parentOfLocked(path, parts);
            if (parent.entries().containsKey(parts.getLast())) {
                throw new JiomapException(Errno.EEXIST, path + " exists");
            }
            createLocked(parent, parts.getLast(), FileKind.DIRECTORY);
        } finally {
            mount.unlockMetadata();
        }
    }

    public void rmdir(String path) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            List<String> parts = split(path);
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EBUSY, "rmdir /: the root cannot be removed");
            }
            InodeCore parent = parentOfLocked(path, parts);
            InodeCore dir = lookupLocked(path);
            if (!dir.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
            }
            if (!dir.entries().isEmpty()) {
                throw new JiomapException(Errno.ENOTEMPTY, path + " is not empty");
            }
            Transaction t = new Transaction(md);
            removeNameLocked(t, parent, parts.getLast(), dir);
            log.commitLocked(t);
            log.pushIfLargeLocked();
        } finally {
            mount.unlockMetadata();
        }
    }

    /** Removes {@code name} from {@code parent}, dropping {@code target}'s link (and the inode at zero links). */
    private void removeNameLocked(Transaction t, InodeCore parent, String name, InodeCore target) {
        long now = System.currentTimeMillis();
        t.add(new LogItem.EntryRemove(parent.ino(), name));
        if (target.isDir()) {
            t.add(LogItem.Core.changed(parent.ino(), parent.size(), parent.nlink() - 1, parent.flags(), now, now));
            t.add(new LogItem.FreeInode(target.ino()));
            return;
        }
        t.add(LogItem.Core.changed(parent.ino(), parent.size(), parent.nlink(), parent.flags(), now, now));
        if (target.nlink() > 1) {
            t.add(LogItem.Core.changed(target.ino(), target.size(), target.nlink() - 1, target.flags(), target.mtime(),
                    now));
            return;
        }
        blocks.unmapAndReleaseLocked(t, target, 0, Long.MAX_VALUE / 2);
        t.add(new LogItem.FreeInode(target.ino()));
        inodes.evictLocked(target.ino());
    }

    /** A namespace change that may remove the file at a path, run by {@link #removing}. */
    @FunctionalInterface
    private interface Removal {
        void runLocked(XfsLikeInode alone) throws JiomapException;
    }

    /**
     * Runs {@code change} with the file at {@code path} (if it is one) taken alone ({@link #takeAloneForRemoval})
     * and then the metadata lock held, releasing both after.
     */
    private void removing(String path, Removal change) throws JiomapException {
        XfsLikeInode alone = takeAloneForRemoval(path);
        try {
            mount.lockMetadata();
            try {
                change.runLocked(alone);
            } finally {
                mount.unlockMetadata();
            }
        } finally {
            if (alone != null) {
                alone.unlockExclusive();
            }
        }
    }

    /**
     * Keeps new direct I/O out of the regular file at {@code path}, if there is one, and drains it, so its blocks
     * can be freed. Returns the locked inode (to unlock after the change) or null.
     */
    private XfsLikeInode takeAloneForRemoval(String path) throws JiomapException {
        XfsLikeInode obj;
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore core;
            try {
                core = lookupLocked(path);
            } catch (JiomapException e) {
                return null;
            }
            if (core.isDir()) {
                return null;
            }
            obj = inodes.getLocked(core);
        } finally {
            mount.unlockMetadata();
        }
        obj.lockExclusiveAndDrain();
        return obj;
    }

    public void unlink(String path) throws JiomapException {
        removing(path, alone -> {
            mount.checkMounted();
            List<String> parts = split(path);
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EISDIR, "/ is a directory");
            }
            InodeCore parent = parentOfLocked(path, parts);
            InodeCore target = lookupLocked(path);
            if (target.isDir()) {
                throw new JiomapException(Errno.EISDIR, path + " is a directory");
            }
            if (alone == null || alone.ino() != target.ino()) {
                throw new JiomapException(Errno.EBUSY, path + " changed while it was being removed; retry");
            }
            reservations.reserveMetadataLocked(8);
            Transaction t = new Transaction(md);
            removeNameLocked(t, parent, parts.getLast(), target);
            log.commitLocked(t);
            log.pushIfLargeLocked();
        });
    }

    public void rename(String from, String to) throws JiomapException {
        removing(to, alone -> {
            mount.checkMounted();
            List<String> fp = split(from);
            List<String> tp = split(to);
            if (fp.isEmpty() || tp.isEmpty()) {
                throw new JiomapException(Errno.EBUSY, "rename " + from + " to " + to + ": the root cannot move");
            }
            InodeCore fromParent = parentOfLocked(from, fp);
            InodeCore src = lookupLocked(from);
            InodeCore toParent = parentOfLocked(to, tp);
            if (src.isDir() && (tp.size() > fp.size() && tp.subList(0, fp.size()).equals(fp))) {
                throw new JiomapException(Errno.EINVAL, "rename " + from + " to " + to
                        + ": a directory cannot move into itself");
            }
            if (fp.equals(tp)) {
                return;
            }
            Long existing = toParent.entries().get(tp.getLast());
            InodeCore dst = existing == null ? null : md.inode(existing);
            if (dst != null) {
                if (dst.ino() == src.ino()) {
                    return;
                }
                if (src.isDir() && !dst.isDir()) {
                    throw new JiomapException(Errno.ENOTDIR, to + " is not a directory");
                }
                if (!src.isDir() && dst.isDir()) {
                    throw new JiomapException(Errno.EISDIR, to + " is a directory");
                }
                if (dst.isDir() && !dst.entries().isEmpty()) {
                    throw new JiomapException(Errno.ENOTEMPTY, to + " is not empty");
                }
                if (!dst.isDir() && (alone == null || alone.ino() != dst.ino())) {
                    throw new JiomapException(Errno.EBUSY, to + " changed during the rename; retry");
                }
            }
            reservations.reserveMetadataLocked(8);
            Transaction t = new Transaction(md);
            if (dst != null) {
                removeNameLocked(t, toParent, tp.getLast(), dst);
            }
            long now = System.currentTimeMillis();
            t.add(new LogItem.EntryRemove(fromParent.ino(), fp.getLast()));
            t.add(new LogItem.EntryAdd(toParent.ino(), tp.getLast(), src.ino()));
            int moveLinks = src.isDir() && fromParent.ino() != toParent.ino() ? 1 : 0;
            t.add(LogItem.Core.changed(fromParent.ino(), fromParent.size(), fromParent.nlink() - moveLinks,
                    fromParent.flags(), now, now));
            t.add(LogItem.Core.changed(toParent.ino(), toParent.size(), toParent.nlink() + moveLinks,
                    toParent.flags(), now, now));
            t.add(LogItem.Core.changed(src.ino(), src.size(), src.nlink(), src.flags(), src.mtime(), now));
            log.commitLocked(t);
            log.pushIfLargeLocked();
        });
    }

    public List<DirEntry> readdir(String path) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore dir = lookupLocked(path);
            if (!dir.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
            }
            List<DirEntry> out = new ArrayList<>();
            for (Map.Entry<String, Long> e : dir.entries().entrySet()) {
                out.add(new DirEntry(e.getKey(), e.getValue(), md.inode(e.getValue()).kind()));
            }
            return out;
        } finally {
            mount.unlockMetadata();
        }
    }

    public FileStat stat(String path) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            return XfsLikeInode.statOfLocked(lookupLocked(path), mount.blockSize());
        } finally {
            mount.unlockMetadata();
        }
    }
}
