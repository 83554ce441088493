package io.jiomap.fs.xfslike.namespace;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.api.vfs.Timestamps;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inode-level namespace (the kernel's {@code xfs_inode.c} create/link/remove/rename, {@code xfs_dir2},
 * {@code xfs_attr} and the unlinked list): each change is one primitive on inode numbers, one transaction under the
 * metadata lock. The core has checked the namespace rules; a precondition found broken here (a name absent or
 * present against the core's check) answers EIO saying what was found. Freeing a regular file's blocks first takes
 * it alone (I/O lock exclusive, direct I/O drained); a file whose last link goes while it is open becomes an orphan
 * ({@link InodeCore#FLAG_ORPHAN}, logged in the same transaction) and is freed by its last release, by unmount, or
 * by the next mount after a crash.
 */
public final class Namespace {
    /** The most links an inode may have (XFS's MAXLINK). */
    static final int LINK_MAX = Integer.MAX_VALUE;

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

    public long rootIno() {
        return md.rootIno();
    }

    // ---- lookups ----

    private InodeCore needLocked(long ino) throws JiomapException {
        InodeCore c = md.inode(ino);
        if (c == null) {
            throw new JiomapException(Errno.ENOENT, "inode " + ino + " does not exist");
        }
        return c;
    }

    private InodeCore dirLocked(long dir) throws JiomapException {
        InodeCore d = needLocked(dir);
        if (!d.isDir()) {
            throw new JiomapException(Errno.ENOTDIR, "inode " + dir + " is not a directory");
        }
        return d;
    }

    /** The inode {@code name} of {@code dir} names, which the core found there. */
    private InodeCore namedLocked(InodeCore dir, String name) throws JiomapException {
        Long ino = dir.entries().get(name);
        if (ino == null) {
            throw new JiomapException(Errno.EIO, "directory " + dir.ino() + " has no '" + name
                    + "', which the core found there");
        }
        return needLocked(ino);
    }

    /** {@code name} of {@code dir} is absent, as the core found. */
    private static void absentLocked(InodeCore dir, String name) throws JiomapException {
        Long ino = dir.entries().get(name);
        if (ino != null) {
            throw new JiomapException(Errno.EIO, "directory " + dir.ino() + " already has '" + name
                    + "' (inode " + ino + "), which the core found absent");
        }
    }

    private FileStat statLocked(InodeCore c) {
        return XfsLikeInode.statOfLocked(c, mount.blockSize());
    }

    public long lookup(long dir, String name) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            Long ino = dirLocked(dir).entries().get(name);
            return ino == null ? 0 : ino;
        } finally {
            mount.unlockMetadata();
        }
    }

    public long parent(long dir) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            return dirLocked(dir).parent();
        } finally {
            mount.unlockMetadata();
        }
    }

    public FileStat getattr(long ino) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            return statLocked(needLocked(ino));
        } finally {
            mount.unlockMetadata();
        }
    }

    public List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore d = dirLocked(dir);
            List<DirEntry> out = new ArrayList<>(Math.min(Math.max(max, 0), d.entries().size()));
            Map<String, Long> from = after == null ? d.entries() : d.entries().tailMap(after);
            for (Map.Entry<String, Long> e : from.entrySet()) {
                if (out.size() >= max) {
                    break;
                }
                if (e.getKey().equals(after)) {
                    continue;
                }
                out.add(new DirEntry(e.getKey(), e.getValue(), md.inode(e.getValue()).kind()));
            }
            return out;
        } finally {
            mount.unlockMetadata();
        }
    }

    public String readlink(long ino) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore c = needLocked(ino);
            if (!c.isSymlink()) {
                throw new JiomapException(Errno.EINVAL, "inode " + ino + " is a " + c.kind()
                        + ", not a symbolic link");
            }
            return c.target();
        } finally {
            mount.unlockMetadata();
        }
    }

    // ---- new inodes and names ----

    public FileStat create(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return make(dir, name, FileKind.REGULAR, mode, uid, gid, null);
    }

    public FileStat mkdir(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return make(dir, name, FileKind.DIRECTORY, mode, uid, gid, null);
    }

    public FileStat symlink(long dir, String name, String target, int uid, int gid) throws JiomapException {
        int bytes = InodeCore.nameBytes(target);
        if (bytes > InodeRecords.SYMLINK_MAX) {
            throw new JiomapException(Errno.ENAMETOOLONG, "symbolic link target of " + bytes + " bytes; at most "
                    + InodeRecords.SYMLINK_MAX);
        }
        if (bytes == 0) {
            throw new JiomapException(Errno.ENOENT, "a symbolic link needs a target");
        }
        return make(dir, name, FileKind.SYMLINK, 0777, uid, gid, target);
    }

    private FileStat make(long dir, String name, FileKind kind, int mode, int uid, int gid, String target)
            throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore d = dirLocked(dir);
            absentLocked(d, name);
            boolean isDir = kind == FileKind.DIRECTORY;
            if (isDir && d.nlink() >= LINK_MAX) {
                throw new JiomapException(Errno.EMLINK, "directory " + dir + " has " + d.nlink()
                        + " links, the most there can be");
            }
            reservations.reserveMetadataLocked(4 + (target == null ? 0 : target.length() / 8));
            long ino = md.chooseIno(Metadata.agOfIno(dir));
            long now = Timestamps.now();
            Transaction t = new Transaction(md);
            t.add(new LogItem.Create(ino, kind, mode & FileStat.MODE_MASK, uid, gid, md.nextGeneration(), now,
                    target));
            t.add(new LogItem.EntryAdd(dir, name, ino));
            t.add(LogItem.Core.of(d).links(d.nlink() + (isDir ? 1 : 0)).modified(now));
            log.commitLocked(t);
            log.pushIfLargeLocked();
            return statLocked(md.inode(ino));
        } finally {
            mount.unlockMetadata();
        }
    }

    public FileStat link(long ino, long dir, String name) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore c = needLocked(ino);
            if (c.isDir()) {
                throw new JiomapException(Errno.EPERM, "inode " + ino + " is a directory; it cannot have more names");
            }
            if (c.nlink() == 0) {
                throw new JiomapException(Errno.ENOENT, "inode " + ino + " has no names left (unlinked while open)");
            }
            if (c.nlink() >= LINK_MAX) {
                throw new JiomapException(Errno.EMLINK, "inode " + ino + " has " + c.nlink()
                        + " links, the most there can be");
            }
            InodeCore d = dirLocked(dir);
            absentLocked(d, name);
            reservations.reserveMetadataLocked(4);
            long now = Timestamps.now();
            Transaction t = new Transaction(md);
            t.add(new LogItem.EntryAdd(dir, name, ino));
            t.add(LogItem.Core.of(c).links(c.nlink() + 1).changed(now));
            t.add(LogItem.Core.of(d).modified(now));
            log.commitLocked(t);
            log.pushIfLargeLocked();
            return statLocked(c);
        } finally {
            mount.unlockMetadata();
        }
    }

    // ---- removals ----

    /** A namespace change that may drop the last link of a regular file, run by {@link #removing}. */
    @FunctionalInterface
    private interface Removal {
        void runLocked(XfsLikeInode alone) throws JiomapException;
    }

    /**
     * Runs {@code change} with the metadata lock held and the regular file {@code name} of {@code dir} names, if
     * it has a file object (it was opened, so direct I/O may be in flight), taken alone first: its blocks may be
     * freed.
     */
    private void removing(long dir, String name, Removal change) throws JiomapException {
        XfsLikeInode alone = null;
        mount.lockMetadata();
        try {
            mount.checkMounted();
            Long ino = dirLocked(dir).entries().get(name);
            if (ino != null) {
                alone = inodes.peekLocked(ino);
            }
        } finally {
            mount.unlockMetadata();
        }
        if (alone != null) {
            alone.lockExclusiveAndDrain();
        }
        try {
            mount.lockMetadata();
            try {
                mount.checkMounted();
                change.runLocked(alone);
                log.pushIfLargeLocked();
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
     * {@code victim} loses the name just removed in {@code t}: a directory (empty) is freed; a non-directory loses a
     * link, and at its last becomes an orphan if open, else is freed.
     */
    private void dropLinkLocked(Transaction t, InodeCore victim, long now, XfsLikeInode alone)
            throws JiomapException {
        if (victim.isDir()) {
            t.add(new LogItem.FreeInode(victim.ino()));
            return;
        }
        if (victim.nlink() > 1) {
            t.add(LogItem.Core.of(victim).links(victim.nlink() - 1).changed(now));
        } else if (victim.opens > 0) {
            t.add(LogItem.Core.of(victim).links(0).flags(victim.flags() | InodeCore.FLAG_ORPHAN).changed(now));
        } else {
            XfsLikeInode obj = inodes.peekLocked(victim.ino());
            if (obj != null && obj != alone) {
                throw new JiomapException(Errno.EBUSY, "inode " + victim.ino() + " was opened while its last name "
                        + "was being removed; retry");
            }
            freeLocked(t, victim);
        }
    }

    /** Frees an inode without links or opens: its blocks, then the inode. */
    private void freeLocked(Transaction t, InodeCore c) {
        blocks.unmapAndReleaseLocked(t, c, 0, Long.MAX_VALUE / 2);
        t.add(new LogItem.FreeInode(c.ino()));
        inodes.evictLocked(c.ino());
    }

    public void unlink(long dir, String name) throws JiomapException {
        removing(dir, name, alone -> {
            InodeCore d = dirLocked(dir);
            InodeCore victim = namedLocked(d, name);
            if (victim.isDir()) {
                throw new JiomapException(Errno.EIO, "unlink: '" + name + "' of directory " + dir
                        + " is a directory, which the core found not to be");
            }
            reservations.reserveMetadataLocked(8);
            long now = Timestamps.now();
            Transaction t = new Transaction(md);
            t.add(new LogItem.EntryRemove(dir, name));
            dropLinkLocked(t, victim, now, alone);
            t.add(LogItem.Core.of(d).modified(now));
            log.commitLocked(t);
        });
    }

    public void rmdir(long dir, String name) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore d = dirLocked(dir);
            InodeCore victim = namedLocked(d, name);
            if (!victim.isDir() || !victim.entries().isEmpty()) {
                throw new JiomapException(Errno.EIO, "rmdir: '" + name + "' of directory " + dir + " is "
                        + (victim.isDir() ? "a directory of " + victim.entries().size() + " entries" : "a "
                        + victim.kind()) + ", which the core found an empty directory");
            }
            long now = Timestamps.now();
            Transaction t = new Transaction(md);
            t.add(new LogItem.EntryRemove(dir, name));
            t.add(new LogItem.FreeInode(victim.ino()));
            t.add(LogItem.Core.of(d).links(d.nlink() - 1).modified(now));
            log.commitLocked(t);
            log.pushIfLargeLocked();
        } finally {
            mount.unlockMetadata();
        }
    }

    public void rename(long fromDir, String fromName, long toDir, String toName, int flags) throws JiomapException {
        int known = FileSystem.RENAME_NOREPLACE | FileSystem.RENAME_EXCHANGE;
        if ((flags & ~known) != 0 || flags == known) {
            throw new JiomapException(Errno.EINVAL, "rename flags 0x" + Integer.toHexString(flags)
                    + ": NOREPLACE and EXCHANGE are known, not together");
        }
        boolean exchange = (flags & FileSystem.RENAME_EXCHANGE) != 0;
        removing(toDir, toName, alone -> {
            InodeCore fd = dirLocked(fromDir);
            InodeCore td = dirLocked(toDir);
            InodeCore src = namedLocked(fd, fromName);
            Long d = td.entries().get(toName);
            InodeCore dst = d == null ? null : needLocked(d);
            if (dst != null && dst.ino() == src.ino()) {
                return;
            }
            if (dst != null && (flags & FileSystem.RENAME_NOREPLACE) != 0) {
                throw new JiomapException(Errno.EEXIST, "rename: '" + toName + "' exists in directory " + toDir);
            }
            if (exchange && dst == null) {
                throw new JiomapException(Errno.ENOENT, "rename exchange: '" + toName + "' does not exist in "
                        + "directory " + toDir);
            }
            if (!exchange && dst != null && (src.isDir() != dst.isDir()
                    || (dst.isDir() && !dst.entries().isEmpty()))) {
                throw new JiomapException(Errno.EIO, "rename: '" + toName + "' of directory " + toDir
                        + " cannot be replaced by '" + fromName + "' (a " + src.kind() + " over a " + dst.kind()
                        + " of " + dst.entries().size() + " entries), which the core allowed");
            }
            reservations.reserveMetadataLocked(8);
            long now = Timestamps.now();
            Transaction t = new Transaction(md);
            Map<Long, Integer> dirLinks = new LinkedHashMap<>();
            dirLinks.put(fromDir, 0);
            dirLinks.put(toDir, 0);
            if (exchange) {
                t.add(new LogItem.EntryRemove(fromDir, fromName));
                t.add(new LogItem.EntryRemove(toDir, toName));
                t.add(new LogItem.EntryAdd(fromDir, fromName, dst.ino()));
                t.add(new LogItem.EntryAdd(toDir, toName, src.ino()));
                if (fromDir != toDir) {
                    int moved = (src.isDir() ? 1 : 0) - (dst.isDir() ? 1 : 0);
                    dirLinks.merge(fromDir, -moved, Integer::sum);
                    dirLinks.merge(toDir, moved, Integer::sum);
                }
                t.add(LogItem.Core.of(dst).changed(now));
            } else {
                if (dst != null) {
                    t.add(new LogItem.EntryRemove(toDir, toName));
                    if (dst.isDir()) {
                        dirLinks.merge(toDir, -1, Integer::sum);
                    }
                    dropLinkLocked(t, dst, now, alone);
                }
                t.add(new LogItem.EntryRemove(fromDir, fromName));
                t.add(new LogItem.EntryAdd(toDir, toName, src.ino()));
                if (src.isDir() && fromDir != toDir) {
                    dirLinks.merge(fromDir, -1, Integer::sum);
                    dirLinks.merge(toDir, 1, Integer::sum);
                }
            }
            t.add(LogItem.Core.of(src).changed(now));
            for (Map.Entry<Long, Integer> e : dirLinks.entrySet()) {
                InodeCore dc = md.inode(e.getKey());
                t.add(LogItem.Core.of(dc).links(dc.nlink() + e.getValue()).modified(now));
            }
            log.commitLocked(t);
        });
    }

    // ---- attributes ----

    public FileStat setattr(long ino, SetAttr a) throws JiomapException {
        if (a.has(SetAttr.SIZE)) {
            XfsLikeInode file;
            mount.lockMetadata();
            try {
                mount.checkMounted();
                InodeCore c = needLocked(ino);
                if (c.kind() != FileKind.REGULAR) {
                    throw new JiomapException(c.isDir() ? Errno.EISDIR : Errno.EINVAL, "inode " + ino + " is a "
                            + c.kind() + "; only a regular file has a size to set");
                }
                file = inodes.getLocked(c);
            } finally {
                mount.unlockMetadata();
            }
            int r = file.truncate(a.size());
            if (r < 0) {
                throw new JiomapException(-r, "truncate of inode " + ino + " to " + a.size() + " bytes failed");
            }
        }
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore c = needLocked(ino);
            if ((a.valid() & SetAttr.KNOWN & ~SetAttr.SIZE) == 0 && a.has(SetAttr.SIZE)) {
                return statLocked(c);
            }
            reservations.reserveMetadataLocked(2);
            long now = Timestamps.now();
            LogItem.Core k = LogItem.Core.of(c);
            if (a.has(SetAttr.MODE)) {
                k = k.mode(a.mode() & FileStat.MODE_MASK);
            }
            if (a.has(SetAttr.UID) || a.has(SetAttr.GID)) {
                k = k.owner(a.has(SetAttr.UID) ? a.uid() : c.uid(), a.has(SetAttr.GID) ? a.gid() : c.gid());
            }
            long atime = a.has(SetAttr.ATIME_NOW) ? now : a.has(SetAttr.ATIME) ? a.atime() : c.atime();
            long mtime = a.has(SetAttr.MTIME_NOW) ? now : a.has(SetAttr.MTIME) ? a.mtime() : c.mtime();
            Transaction t = new Transaction(md);
            t.add(k.times(atime, mtime, now));
            log.commitLocked(t);
            log.pushIfLargeLocked();
            return statLocked(c);
        } finally {
            mount.unlockMetadata();
        }
    }

    public byte[] getxattr(long ino, String name) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            byte[] v = needLocked(ino).xattrs().get(name);
            if (v == null) {
                throw new JiomapException(Errno.ENODATA, "inode " + ino + " has no attribute '" + name + "'");
            }
            return v.clone();
        } finally {
            mount.unlockMetadata();
        }
    }

    public List<String> listxattr(long ino) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            return new ArrayList<>(needLocked(ino).xattrs().keySet());
        } finally {
            mount.unlockMetadata();
        }
    }

    public void setxattr(long ino, String name, byte[] value, int flags) throws JiomapException {
        int nameBytes = InodeCore.nameBytes(name);
        if (nameBytes == 0 || nameBytes > InodeRecords.NAME_MAX) {
            throw new JiomapException(Errno.ERANGE, "attribute name of " + nameBytes + " bytes; 1 to "
                    + InodeRecords.NAME_MAX + " allowed");
        }
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore c = needLocked(ino);
            byte[] old = c.xattrs().get(name);
            if (old != null && (flags & FileSystem.XATTR_CREATE) != 0) {
                throw new JiomapException(Errno.EEXIST, "inode " + ino + " already has attribute '" + name + "'");
            }
            if (old == null && (flags & FileSystem.XATTR_REPLACE) != 0) {
                throw new JiomapException(Errno.ENODATA, "inode " + ino + " has no attribute '" + name
                        + "' to replace");
            }
            int space = c.xattrBytes() - (old == null ? 0 : InodeCore.xattrBytes(name, old.length))
                    + InodeCore.xattrBytes(name, value.length);
            if (space > InodeRecords.XATTR_SPACE) {
                throw new JiomapException(Errno.ENOSPC, "inode " + ino + " attributes would take " + space
                        + " bytes; an inode's attribute space is " + InodeRecords.XATTR_SPACE + " bytes");
            }
            reservations.reserveMetadataLocked(2 + (nameBytes + value.length) / 32);
            Transaction t = new Transaction(md);
            t.add(new LogItem.XattrSet(ino, name, value.clone()));
            t.add(LogItem.Core.of(c).changed(Timestamps.now()));
            log.commitLocked(t);
            log.pushIfLargeLocked();
        } finally {
            mount.unlockMetadata();
        }
    }

    public void removexattr(long ino, String name) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore c = needLocked(ino);
            if (!c.xattrs().containsKey(name)) {
                throw new JiomapException(Errno.ENODATA, "inode " + ino + " has no attribute '" + name + "'");
            }
            Transaction t = new Transaction(md);
            t.add(new LogItem.XattrRemove(ino, name));
            t.add(LogItem.Core.of(c).changed(Timestamps.now()));
            log.commitLocked(t);
            log.pushIfLargeLocked();
        } finally {
            mount.unlockMetadata();
        }
    }

    // ---- open files and orphans ----

    /** Opens regular file {@code ino}: its one file object, its open count raised. */
    public Inode open(long ino) throws JiomapException {
        mount.lockMetadata();
        try {
            mount.checkMounted();
            InodeCore c = needLocked(ino);
            if (c.isDir()) {
                throw new JiomapException(Errno.EISDIR, "inode " + ino + " is a directory");
            }
            if (c.isSymlink()) {
                throw new JiomapException(Errno.ELOOP, "inode " + ino + " is a symbolic link");
            }
            XfsLikeInode file = inodes.getLocked(c);
            c.opens++;
            return file;
        } finally {
            mount.unlockMetadata();
        }
    }

    /** Ends one open; the last release of an orphan frees it. */
    public void release(XfsLikeInode file) throws JiomapException {
        InodeCore c = file.core();
        mount.lockMetadata();
        try {
            if (c.opens <= 0) {
                throw new JiomapException(Errno.EINVAL, "inode " + c.ino() + " released more often than opened");
            }
            c.opens--;
            if (mount.isUnmounted() || !isUnusedOrphanLocked(c)) {
                return;
            }
        } finally {
            mount.unlockMetadata();
        }
        file.lockExclusiveAndDrain();
        try {
            mount.lockMetadata();
            try {
                if (!mount.isUnmounted() && isUnusedOrphanLocked(c)) {
                    Transaction t = new Transaction(md);
                    freeLocked(t, c);
                    log.commitLocked(t);
                    log.pushIfLargeLocked();
                }
            } finally {
                mount.unlockMetadata();
            }
        } finally {
            file.unlockExclusive();
        }
    }

    private boolean isUnusedOrphanLocked(InodeCore c) {
        return c.opens == 0 && c.hasFlag(InodeCore.FLAG_ORPHAN) && md.inode(c.ino()) == c;
    }

    /**
     * Frees every orphan (xfs_inodegc of the unlinked list): at mount, those a crash left; at unmount, after every
     * file was drained, those still open.
     */
    public void freeOrphansLocked() {
        List<InodeCore> orphans = new ArrayList<>();
        for (InodeCore c : md.inodes().values()) {
            if (c.hasFlag(InodeCore.FLAG_ORPHAN)) {
                orphans.add(c);
            }
        }
        for (InodeCore c : orphans) {
            Transaction t = new Transaction(md);
            freeLocked(t, c);
            log.commitLocked(t);
        }
    }
}
