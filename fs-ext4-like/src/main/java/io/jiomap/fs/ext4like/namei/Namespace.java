package io.jiomap.fs.ext4like.namei;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.api.vfs.Timestamps;
import io.jiomap.fs.ext4like.disk.DirBlock;
import io.jiomap.fs.ext4like.disk.InodeRecord;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import io.jiomap.fs.ext4like.inode.InodeTable;
import io.jiomap.fs.ext4like.inode.OrphanList;
import io.jiomap.fs.ext4like.inode.Volume;
import io.jiomap.fs.ext4like.meta.Allocator;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The namespace of a mounted ext4-like filesystem on inode numbers (the kernel's namei.c and the inode half of
 * inode.c): each change of {@link FileSystem}'s inode-level SPI as one transaction, one at a time under the namespace
 * lock. The core has checked names and rules; a precondition found broken here (a name present or absent against
 * the core's check, a kind that does not fit) is refused with EIO saying what was found. A name's removal and the
 * inode's move to the orphan list are one transaction; freeing the inode follows its last release, after its direct
 * I/O drained, or mount's orphan processing after a crash.
 */
public final class Namespace {
    /**
     * Credits of a namespace change: two directory blocks and inodes, the new inode, its bitmap and descriptor, and
     * a new directory block with its extent edit (a directory's tree is shallow: a few blocks).
     */
    private static final int CREDITS = 32;
    /** ext4's EXT4_LINK_MAX: the most links an inode (or subdirectories a directory) may have. */
    static final int LINK_MAX = 65000;
    /** The longest symbolic-link target, in UTF-8 bytes (PATH_MAX - 1). */
    static final int SYMLINK_MAX = 4095;

    private final Volume vol;
    private final Journal journal;
    private final InodeTable inodes;
    private final OrphanList orphans;
    private final Allocator allocator;
    private final Directories dirs;
    private final Xattrs xattrs;
    private final ReentrantLock lock = new ReentrantLock();

    public Namespace(Volume vol) {
        this.vol = vol;
        this.journal = vol.journal();
        this.inodes = vol.inodes();
        this.orphans = vol.orphans();
        this.allocator = vol.allocator();
        this.dirs = new Directories(vol);
        this.xattrs = new Xattrs(vol);
    }

    /** Runs a namespace operation under the namespace lock, turning deep failures into exceptions. */
    private <T> T op(Op<T> op) throws JiomapException {
        lock.lock();
        try {
            return op.run();
        } catch (FsError e) {
            throw e.toException();
        } finally {
            lock.unlock();
        }
    }

    private interface Op<T> {
        T run() throws JiomapException;
    }

    private static JiomapException broken(String what) {
        return new JiomapException(Errno.EIO, what + ": the image and the namespace checks disagree");
    }

    /** Inode {@code ino}, which must still exist. @throws JiomapException ENOENT */
    private Ext4Inode existing(long ino) throws JiomapException {
        Ext4Inode in = ino < 1 || ino > vol.superblock().inodesCount ? null : inodes.find(ino);
        if (in == null) {
            throw new JiomapException(Errno.ENOENT, "inode " + ino + " does not exist");
        }
        return in;
    }

    private Ext4Inode directory(long ino) throws JiomapException {
        Ext4Inode d = existing(ino);
        if (!d.isDir()) {
            throw new JiomapException(Errno.ENOTDIR, "inode " + ino + " is not a directory");
        }
        if (d.record().links == 0) {
            throw new JiomapException(Errno.ENOENT, "directory inode " + ino + " has been removed");
        }
        return d;
    }

    private static int dirType(Ext4Inode in) {
        return in.isDir() ? DirBlock.TYPE_DIR : in.isSymlink() ? DirBlock.TYPE_SYMLINK : DirBlock.TYPE_REG;
    }

    private static FileKind kindOf(int dirType) {
        return dirType == DirBlock.TYPE_DIR ? FileKind.DIRECTORY
                : dirType == DirBlock.TYPE_SYMLINK ? FileKind.SYMLINK : FileKind.REGULAR;
    }

    /** mtime and ctime of a directory whose entries changed. */
    private static void entriesChanged(Ext4Inode dir, long now) {
        dir.setTimes(-1, now, now);
    }

    /** ENOSPC before anything changed: a new directory block may be needed (with its tree blocks). */
    private void checkRoomForNameLocked(Ext4Inode parent, String name) {
        if (allocator.availableForData() < 2 && !dirs.hasRoomFor(parent, name)) {
            throw new FsError(Errno.ENOSPC, "no free block for a new directory block for " + name);
        }
    }

    /** ENOSPC before anything changed: an inode, the name, and {@code blocks} of content with its tree room. */
    private void checkNewInodeLocked(Ext4Inode parent, String name, long blocks) {
        if (allocator.freeInodes() == 0) {
            throw new FsError(Errno.ENOSPC, "no free inodes left for " + name);
        }
        checkRoomForNameLocked(parent, name);
        if (blocks > 0 && allocator.availableForData() < blocks + 1) {
            throw new FsError(Errno.ENOSPC, "no free blocks left for " + name);
        }
    }

    private void absentOrBroken(Ext4Inode d, String name) throws JiomapException {
        if (dirs.lookup(d, name) != null) {
            throw broken("'" + name + "' already exists in directory " + d.ino());
        }
    }

    private DirBlock.Entry presentOrBroken(Ext4Inode d, String name) throws JiomapException {
        DirBlock.Entry e = dirs.lookup(d, name);
        if (e == null) {
            throw broken("'" + name + "' is not in directory " + d.ino());
        }
        return e;
    }

    // ---------------------------------------------------------------- queries

    public long lookup(long dir, String name) throws JiomapException {
        return op(() -> {
            DirBlock.Entry e = dirs.lookup(directory(dir), name);
            return e == null ? 0L : e.ino();
        });
    }

    public long parent(long dir) throws JiomapException {
        return op(() -> presentOrBroken(directory(dir), "..").ino());
    }

    public FileStat getattr(long ino) throws JiomapException {
        return op(() -> existing(ino).stat());
    }

    /** Up to {@code max} entries after the name {@code after}, in UTF-8 byte order. */
    public List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
        return op(() -> {
            List<DirEntry> out = new ArrayList<>();
            for (DirBlock.Entry e : dirs.page(directory(dir), after, max)) {
                out.add(new DirEntry(e.name(), e.ino(), kindOf(e.type())));
            }
            return out;
        });
    }

    public String readlink(long ino) throws JiomapException {
        return op(() -> {
            Ext4Inode in = existing(ino);
            if (!in.isSymlink()) {
                throw new JiomapException(Errno.EINVAL, "inode " + ino + " is not a symbolic link");
            }
            return Symlinks.read(vol, in);
        });
    }

    // ---------------------------------------------------------------- creating names

    public FileStat create(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return op(() -> createNode(dir, name, InodeRecord.MODE_REG, mode, uid, gid, null).stat());
    }

    public FileStat mkdir(long dir, String name, int mode, int uid, int gid) throws JiomapException {
        return op(() -> createNode(dir, name, InodeRecord.MODE_DIR, mode, uid, gid, null).stat());
    }

    public FileStat symlink(long dir, String name, String target, int uid, int gid) throws JiomapException {
        byte[] bytes = target.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > SYMLINK_MAX) {
            throw new JiomapException(bytes.length == 0 ? Errno.ENOENT : Errno.ENAMETOOLONG, "symbolic link target of "
                    + bytes.length + " bytes: ext4-like holds 1 to " + SYMLINK_MAX);
        }
        return op(() -> createNode(dir, name, InodeRecord.MODE_LNK, 0777, uid, gid, bytes).stat());
    }

    private Ext4Inode createNode(long dirIno, String name, int type, int mode, int uid, int gid, byte[] target)
            throws JiomapException {
        Ext4Inode parent = directory(dirIno);
        absentOrBroken(parent, name);
        boolean dir = type == InodeRecord.MODE_DIR;
        if (dir && parent.record().links >= LINK_MAX) {
            throw new JiomapException(Errno.EMLINK, "directory inode " + dirIno + " has " + LINK_MAX
                    + " subdirectories already");
        }
        long now = Timestamps.now();
        try (Journal.Handle h = journal.start(CREDITS + Symlinks.credits(vol, target))) {
            checkNewInodeLocked(parent, name, dir ? 1 : Symlinks.blocks(vol, target));
            Ext4Inode in = inodes.createLocked(parent, type, mode, uid, gid, now);
            if (dir) {
                dirs.initLocked(in, parent);
                parent.record().links++;
            } else if (target != null) {
                Symlinks.writeLocked(vol, in, target);
            }
            dirs.addLocked(parent, new DirBlock.Entry(in.ino(), dirType(in), name));
            entriesChanged(parent, now);
            parent.persistLocked(false);
            in.persistLocked(true);
            return in;
        }
    }

    public FileStat link(long ino, long dir, String name) throws JiomapException {
        return op(() -> {
            Ext4Inode in = existing(ino);
            Ext4Inode parent = directory(dir);
            if (in.isDir()) {
                throw new JiomapException(Errno.EPERM, "inode " + ino + " is a directory: no hard links to it");
            }
            if (in.record().links == 0) {
                throw new JiomapException(Errno.ENOENT, "inode " + ino + " has no names left to link to");
            }
            if (in.record().links >= LINK_MAX) {
                throw new JiomapException(Errno.EMLINK, "inode " + ino + " has " + LINK_MAX + " links already");
            }
            absentOrBroken(parent, name);
            long now = Timestamps.now();
            try (Journal.Handle h = journal.start(CREDITS)) {
                checkRoomForNameLocked(parent, name);
                dirs.addLocked(parent, new DirBlock.Entry(in.ino(), dirType(in), name));
                in.record().links++;
                in.setTimes(-1, -1, now);
                entriesChanged(parent, now);
                parent.persistLocked(false);
                in.persistLocked(false);
            }
            return in.stat();
        });
    }

    // ---------------------------------------------------------------- removing names

    public void unlink(long dir, String name) throws JiomapException {
        op(() -> {
            Ext4Inode parent = directory(dir);
            Ext4Inode f = inodes.get(presentOrBroken(parent, name).ino());
            if (f.isDir()) {
                throw broken("'" + name + "' in directory " + dir + " is a directory, not for unlink");
            }
            long now = Timestamps.now();
            try (Journal.Handle h = journal.start(CREDITS)) {
                dirs.removeLocked(parent, name);
                dropLinkLocked(f, now);
                entriesChanged(parent, now);
                parent.persistLocked(false);
            }
            freeIfUnused(f);
            return null;
        });
    }

    /** One name of a non-directory gone: its ctime, and the orphan list when it was the last. */
    private void dropLinkLocked(Ext4Inode f, long now) {
        f.record().links--;
        f.setTimes(-1, -1, now);
        if (f.record().links == 0) {
            orphans.addLocked(f);
        }
        f.persistLocked(false);
    }

    /** Frees an inode without names that nobody has open; an open one waits for its last release. */
    private void freeIfUnused(Ext4Inode in) {
        if (in.record().links != 0 || in.isOpen()) {
            return;
        }
        if (in.isDir()) {
            evict(in);
        } else {
            drainAndEvict(in);
        }
    }

    public void rmdir(long dir, String name) throws JiomapException {
        op(() -> {
            Ext4Inode parent = directory(dir);
            Ext4Inode d = inodes.get(presentOrBroken(parent, name).ino());
            if (!d.isDir() || !dirs.isEmpty(d)) {
                throw broken("'" + name + "' in directory " + dir + " is not an empty directory");
            }
            long now = Timestamps.now();
            try (Journal.Handle h = journal.start(CREDITS)) {
                dirs.removeLocked(parent, name);
                parent.record().links--;
                entriesChanged(parent, now);
                parent.persistLocked(false);
                d.record().links = 0;
                d.setTimes(-1, -1, now);
                orphans.addLocked(d);
            }
            evict(d);
            return null;
        });
    }

    /** Frees an inode with no names left and forgets its entries if it was a directory. */
    private void evict(Ext4Inode in) {
        inodes.evict(in);
        dirs.forget(in.ino());
    }

    /** Drains the inode's direct I/O (new I/O kept out by its lock), then frees it. */
    private void drainAndEvict(Ext4Inode f) {
        f.lock().writeLock().lock();
        try {
            f.dio().waitForDrain();
            f.markDeletedDrained();
            evict(f);
        } finally {
            f.lock().writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- rename

    public void rename(long fromDir, String fromName, long toDir, String toName, int flags) throws JiomapException {
        op(() -> {
            Ext4Inode sp = directory(fromDir);
            Ext4Inode dp = directory(toDir);
            DirBlock.Entry se = presentOrBroken(sp, fromName);
            DirBlock.Entry de = dirs.lookup(dp, toName);
            if (de != null && de.ino() == se.ino()) {
                return null;
            }
            Ext4Inode moving = inodes.get(se.ino());
            Ext4Inode other = de == null ? null : inodes.get(de.ino());
            if ((flags & FileSystem.RENAME_NOREPLACE) != 0 && other != null) {
                throw new JiomapException(Errno.EEXIST, "'" + toName + "' exists in directory " + toDir);
            }
            long now = Timestamps.now();
            if ((flags & FileSystem.RENAME_EXCHANGE) != 0) {
                if (other == null) {
                    throw broken("'" + toName + "' is not in directory " + toDir + " to exchange with");
                }
                exchange(sp, fromName, moving, dp, toName, other, now);
                return null;
            }
            if (other != null && (moving.isDir() != other.isDir() || other.isDir() && !dirs.isEmpty(other))) {
                throw broken("'" + toName + "' in directory " + toDir + " cannot be replaced by '" + fromName + "'");
            }
            if (moving.isDir() && sp != dp && dp.record().links >= LINK_MAX && other == null) {
                throw new JiomapException(Errno.EMLINK, "directory inode " + toDir + " has " + LINK_MAX
                        + " subdirectories already");
            }
            try (Journal.Handle h = journal.start(CREDITS + 2 * OrphanList.CREDITS)) {
                if (other == null) {
                    checkRoomForNameLocked(dp, toName);
                }
                DirBlock.Entry moved = new DirBlock.Entry(se.ino(), se.type(), toName);
                dirs.removeLocked(sp, fromName);
                if (other != null) {
                    dirs.replaceLocked(dp, toName, moved);
                } else {
                    dirs.addLocked(dp, moved);
                }
                if (moving.isDir() && sp != dp) {
                    reparentLocked(moving, dp);
                    sp.record().links--;
                    dp.record().links++;
                }
                if (other != null) {
                    if (other.isDir()) {
                        dp.record().links--;
                        other.record().links = 0;
                        other.setTimes(-1, -1, now);
                        orphans.addLocked(other);
                        other.persistLocked(false);
                    } else {
                        dropLinkLocked(other, now);
                    }
                }
                moving.setTimes(-1, -1, now);
                moving.persistLocked(false);
                entriesChanged(sp, now);
                entriesChanged(dp, now);
                sp.persistLocked(false);
                dp.persistLocked(false);
            }
            if (other != null) {
                freeIfUnused(other);
            }
            return null;
        });
    }

    /** RENAME_EXCHANGE: the two names swap inodes; a directory that changes parent gets its ".." and counts fixed. */
    private void exchange(Ext4Inode sp, String fromName, Ext4Inode a, Ext4Inode dp, String toName, Ext4Inode b,
                          long now) {
        try (Journal.Handle h = journal.start(CREDITS)) {
            dirs.replaceLocked(sp, fromName, new DirBlock.Entry(b.ino(), dirType(b), fromName));
            dirs.replaceLocked(dp, toName, new DirBlock.Entry(a.ino(), dirType(a), toName));
            if (sp != dp) {
                if (a.isDir()) {
                    reparentLocked(a, dp);
                    sp.record().links--;
                    dp.record().links++;
                }
                if (b.isDir()) {
                    reparentLocked(b, sp);
                    dp.record().links--;
                    sp.record().links++;
                }
            }
            a.setTimes(-1, -1, now);
            b.setTimes(-1, -1, now);
            a.persistLocked(false);
            b.persistLocked(false);
            entriesChanged(sp, now);
            entriesChanged(dp, now);
            sp.persistLocked(false);
            dp.persistLocked(false);
        }
    }

    private void reparentLocked(Ext4Inode dir, Ext4Inode newParent) {
        dirs.replaceLocked(dir, "..", new DirBlock.Entry(newParent.ino(), DirBlock.TYPE_DIR, ".."));
    }

    // ---------------------------------------------------------------- attributes

    public FileStat setattr(long ino, SetAttr attr) throws JiomapException {
        return op(() -> {
            Ext4Inode in = existing(ino);
            if (attr.has(SetAttr.SIZE)) {
                if (in.isDir() || in.isSymlink()) {
                    throw new JiomapException(in.isDir() ? Errno.EISDIR : Errno.EINVAL, "inode " + ino
                            + " is not a regular file: its size cannot be set");
                }
                int r = in.truncate(attr.size());
                if (r < 0) {
                    throw new JiomapException(-r, "setting the size of inode " + ino + " to " + attr.size());
                }
            }
            long now = Timestamps.now();
            try (Journal.Handle h = journal.start(2)) {
                InodeRecord rec = in.record();
                if (attr.has(SetAttr.MODE)) {
                    rec.mode = rec.type() | (attr.mode() & InodeRecord.PERM_MASK);
                }
                if (attr.has(SetAttr.UID)) {
                    rec.uid = attr.uid() & 0xFFFFFFFFL;
                }
                if (attr.has(SetAttr.GID)) {
                    rec.gid = attr.gid() & 0xFFFFFFFFL;
                }
                long atime = attr.has(SetAttr.ATIME_NOW) ? now : attr.has(SetAttr.ATIME) ? attr.atime() : -1;
                long mtime = attr.has(SetAttr.MTIME_NOW) ? now : attr.has(SetAttr.MTIME) ? attr.mtime()
                        : attr.has(SetAttr.SIZE) ? now : -1;
                in.setTimes(atime, mtime, now);
                in.persistLocked(false);
            }
            return in.stat();
        });
    }

    // ---------------------------------------------------------------- opens

    public Ext4Inode open(long ino) throws JiomapException {
        return op(() -> {
            Ext4Inode in = existing(ino);
            if (in.isDir()) {
                throw new JiomapException(Errno.EISDIR, "inode " + ino + " is a directory");
            }
            if (in.isSymlink()) {
                throw new JiomapException(Errno.ELOOP, "inode " + ino + " is a symbolic link");
            }
            in.opened();
            return in;
        });
    }

    public void release(Ext4Inode in) throws JiomapException {
        op(() -> {
            if (!in.isOpen()) {
                throw new JiomapException(Errno.EINVAL, "release of inode " + in.ino() + ", which is not open");
            }
            if (in.released()) {
                freeIfUnused(in);
            }
            return null;
        });
    }

    /** At unmount: frees the inodes whose last name went while they were open (the VFS closes all at umount). */
    public void freeOrphansAtUnmount() throws JiomapException {
        op(() -> {
            for (Ext4Inode in : inodes.all()) {
                if (in.record().links == 0 && !in.isDir()) {
                    drainAndEvict(in);
                }
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- extended attributes

    public byte[] getxattr(long ino, String name) throws JiomapException {
        return op(() -> xattrs.get(existing(ino), name));
    }

    public List<String> listxattr(long ino) throws JiomapException {
        return op(() -> xattrs.list(existing(ino)));
    }

    public void setxattr(long ino, String name, byte[] value, int flags) throws JiomapException {
        op(() -> {
            xattrs.set(existing(ino), name, value, flags);
            return null;
        });
    }

    public void removexattr(long ino, String name) throws JiomapException {
        op(() -> {
            xattrs.remove(existing(ino), name);
            return null;
        });
    }

    /** Removes a name without touching its inode: for tests that stage a crash between the steps of an unlink. */
    public void removeNameLocked(Ext4Inode parent, String name) {
        dirs.removeLocked(parent, name);
    }
}
