package io.jiomap.fs.ext4like.namei;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.fs.ext4like.disk.DirBlock;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import io.jiomap.fs.ext4like.inode.InodeTable;
import io.jiomap.fs.ext4like.inode.OrphanList;
import io.jiomap.fs.ext4like.inode.Volume;
import io.jiomap.fs.ext4like.meta.Allocator;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The namespace of a mounted ext4-like filesystem (the kernel's namei.c): open with create, mkdir, rmdir, unlink,
 * rename, readdir and stat by path, one at a time under the namespace lock. A name's removal and the inode's move
 * to the orphan list are one transaction; freeing the inode follows, after its direct I/O drained.
 */
public final class Namespace {
    /**
     * Credits of a namespace change: two directory blocks and inodes, the new inode, its bitmap and descriptor, and
     * a new directory block with its extent edit (a directory's tree is shallow: a few blocks).
     */
    private static final int CREDITS = 32;

    private final Volume vol;
    private final Journal journal;
    private final InodeTable inodes;
    private final OrphanList orphans;
    private final Allocator allocator;
    private final Directories dirs;
    private final ReentrantLock lock = new ReentrantLock();

    public Namespace(Volume vol) {
        this.vol = vol;
        this.journal = vol.journal();
        this.inodes = vol.inodes();
        this.orphans = vol.orphans();
        this.allocator = vol.allocator();
        this.dirs = new Directories(vol);
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

    private Ext4Inode walk(List<String> parts, int count, String path) throws JiomapException {
        Ext4Inode at = inodes.get(Superblock.ROOT_INO);
        for (int i = 0; i < count; i++) {
            if (!at.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + ": '" + parts.get(i - 1) + "' is not a directory");
            }
            DirBlock.Entry e = dirs.lookup(at, parts.get(i));
            if (e == null) {
                throw new JiomapException(Errno.ENOENT, path + ": '" + parts.get(i) + "' does not exist");
            }
            at = inodes.get(e.ino());
        }
        return at;
    }

    private Ext4Inode parentOf(List<String> parts, String path) throws JiomapException {
        if (parts.isEmpty()) {
            throw new JiomapException(Errno.EEXIST, path + ": the root always exists");
        }
        Ext4Inode p = walk(parts, parts.size() - 1, path);
        if (!p.isDir()) {
            throw new JiomapException(Errno.ENOTDIR, path + ": the parent is not a directory");
        }
        return p;
    }

    /** ENOSPC before anything changed: a new directory block may be needed (with its tree blocks). */
    private void checkSpaceForNameLocked(Ext4Inode parent, String name) {
        if (allocator.freeInodes() == 0) {
            throw new FsError(Errno.ENOSPC, "no free inodes left for " + name);
        }
        if (allocator.availableForData() < 2 && !dirs.hasRoomFor(parent, name)) {
            throw new FsError(Errno.ENOSPC, "no free block for a new directory block for " + name);
        }
    }

    /** Opens a regular file, creating it with {@link FileSystem#CREATE}. */
    public Ext4Inode open(String path, int flags) throws JiomapException {
        List<String> parts = Paths.components(path);
        return op(() -> {
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EISDIR, path + " is a directory");
            }
            Ext4Inode parent = parentOf(parts, path);
            String name = parts.getLast();
            DirBlock.Entry e = dirs.lookup(parent, name);
            if (e != null) {
                if ((flags & (FileSystem.CREATE | FileSystem.EXCLUSIVE))
                        == (FileSystem.CREATE | FileSystem.EXCLUSIVE)) {
                    throw new JiomapException(Errno.EEXIST, path + " exists");
                }
                Ext4Inode in = inodes.get(e.ino());
                if (in.isDir()) {
                    throw new JiomapException(Errno.EISDIR, path + " is a directory");
                }
                return in;
            }
            if ((flags & FileSystem.CREATE) == 0) {
                throw new JiomapException(Errno.ENOENT, path + " does not exist");
            }
            try (Journal.Handle h = journal.start(CREDITS)) {
                checkSpaceForNameLocked(parent, name);
                Ext4Inode in = inodes.createLocked(parent, false);
                dirs.addLocked(parent, new DirBlock.Entry(in.ino(), DirBlock.TYPE_REG, name));
                return in;
            }
        });
    }

    public void mkdir(String path) throws JiomapException {
        List<String> parts = Paths.components(path);
        op(() -> {
            Ext4Inode parent = parentOf(parts, path);
            String name = parts.getLast();
            if (dirs.lookup(parent, name) != null) {
                throw new JiomapException(Errno.EEXIST, path + " exists");
            }
            try (Journal.Handle h = journal.start(CREDITS)) {
                checkSpaceForNameLocked(parent, name);
                if (allocator.availableForData() < 2) {
                    throw new FsError(Errno.ENOSPC, "no free block for directory " + path);
                }
                Ext4Inode d = inodes.createLocked(parent, true);
                dirs.initLocked(d, parent);
                dirs.addLocked(parent, new DirBlock.Entry(d.ino(), DirBlock.TYPE_DIR, name));
                parent.record().links++;
                parent.persistLocked(false);
            }
            return null;
        });
    }

    public void rmdir(String path) throws JiomapException {
        List<String> parts = Paths.components(path);
        op(() -> {
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EBUSY, "cannot remove the root directory");
            }
            Ext4Inode parent = parentOf(parts, path);
            DirBlock.Entry e = dirs.lookup(parent, parts.getLast());
            if (e == null) {
                throw new JiomapException(Errno.ENOENT, path + " does not exist");
            }
            Ext4Inode d = inodes.get(e.ino());
            if (!d.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
            }
            if (!dirs.isEmpty(d)) {
                throw new JiomapException(Errno.ENOTEMPTY, path + " is not empty");
            }
            try (Journal.Handle h = journal.start(CREDITS)) {
                dirs.removeLocked(parent, parts.getLast());
                parent.record().links--;
                parent.persistLocked(false);
                d.record().links = 0;
                orphans.addLocked(d);
            }
            evict(d);
            return null;
        });
    }

    public void unlink(String path) throws JiomapException {
        List<String> parts = Paths.components(path);
        op(() -> {
            if (parts.isEmpty()) {
                throw new JiomapException(Errno.EISDIR, "/ is a directory");
            }
            Ext4Inode parent = parentOf(parts, path);
            DirBlock.Entry e = dirs.lookup(parent, parts.getLast());
            if (e == null) {
                throw new JiomapException(Errno.ENOENT, path + " does not exist");
            }
            Ext4Inode f = inodes.get(e.ino());
            if (f.isDir()) {
                throw new JiomapException(Errno.EISDIR, path + " is a directory");
            }
            try (Journal.Handle h = journal.start(CREDITS)) {
                dirs.removeLocked(parent, parts.getLast());
                f.record().links--;
                if (f.record().links == 0) {
                    orphans.addLocked(f);
                }
                f.persistLocked(false);
            }
            if (f.record().links == 0) {
                release(f);
            }
            return null;
        });
    }

    /** Frees an inode with no names left and forgets its entries if it was a directory. */
    private void evict(Ext4Inode in) {
        inodes.evict(in);
        dirs.forget(in.ino());
    }

    /** Drains the inode's direct I/O (new I/O kept out by its lock), then frees it. */
    private void release(Ext4Inode f) {
        f.lock().writeLock().lock();
        try {
            f.dio().waitForDrain();
            f.markDeletedDrained();
            evict(f);
        } finally {
            f.lock().writeLock().unlock();
        }
    }

    public void rename(String from, String to) throws JiomapException {
        List<String> src = Paths.components(from);
        List<String> dst = Paths.components(to);
        op(() -> {
            if (src.isEmpty() || dst.isEmpty()) {
                throw new JiomapException(Errno.EBUSY, "cannot rename the root directory");
            }
            Ext4Inode sp = parentOf(src, from);
            DirBlock.Entry se = dirs.lookup(sp, src.getLast());
            if (se == null) {
                throw new JiomapException(Errno.ENOENT, from + " does not exist");
            }
            Ext4Inode dp = parentOf(dst, to);
            Ext4Inode moving = inodes.get(se.ino());
            if (moving.isDir()) {
                for (Ext4Inode at = dp; ; ) {
                    if (at.ino() == moving.ino()) {
                        throw new JiomapException(Errno.EINVAL, "cannot move " + from + " into itself (" + to + ")");
                    }
                    if (at.ino() == Superblock.ROOT_INO) {
                        break;
                    }
                    at = inodes.get(dirs.lookup(at, "..").ino());
                }
            }
            DirBlock.Entry de = dirs.lookup(dp, dst.getLast());
            Ext4Inode victim = null;
            if (de != null) {
                if (de.ino() == se.ino()) {
                    return null;
                }
                victim = inodes.get(de.ino());
                if (moving.isDir() && !victim.isDir()) {
                    throw new JiomapException(Errno.ENOTDIR, to + " is not a directory");
                }
                if (!moving.isDir() && victim.isDir()) {
                    throw new JiomapException(Errno.EISDIR, to + " is a directory");
                }
                if (victim.isDir() && !dirs.isEmpty(victim)) {
                    throw new JiomapException(Errno.ENOTEMPTY, to + " is not empty");
                }
            }
            try (Journal.Handle h = journal.start(CREDITS + 2 * OrphanList.CREDITS)) {
                if (de == null) {
                    checkSpaceForNameLocked(dp, dst.getLast());
                }
                DirBlock.Entry moved = new DirBlock.Entry(se.ino(), se.type(), dst.getLast());
                dirs.removeLocked(sp, src.getLast());
                if (de != null) {
                    dirs.replaceLocked(dp, dst.getLast(), moved);
                } else {
                    dirs.addLocked(dp, moved);
                }
                if (moving.isDir() && sp.ino() != dp.ino()) {
                    dirs.replaceLocked(moving, "..", new DirBlock.Entry(dp.ino(), DirBlock.TYPE_DIR, ".."));
                    sp.record().links--;
                    dp.record().links++;
                }
                if (victim != null) {
                    if (victim.isDir()) {
                        dp.record().links--;
                        victim.record().links = 0;
                    } else {
                        victim.record().links--;
                    }
                    if (victim.record().links == 0) {
                        orphans.addLocked(victim);
                    }
                    victim.persistLocked(false);
                }
                sp.persistLocked(false);
                dp.persistLocked(false);
            }
            if (victim != null && victim.record().links == 0) {
                if (victim.isDir()) {
                    evict(victim);
                } else {
                    release(victim);
                }
            }
            return null;
        });
    }

    public List<DirEntry> readdir(String path) throws JiomapException {
        List<String> parts = Paths.components(path);
        return op(() -> {
            Ext4Inode d = walk(parts, parts.size(), path);
            if (!d.isDir()) {
                throw new JiomapException(Errno.ENOTDIR, path + " is not a directory");
            }
            List<DirEntry> out = new ArrayList<>();
            for (List<DirBlock.Entry> b : dirs.blocks(d)) {
                for (DirBlock.Entry e : b) {
                    if (!e.name().equals(".") && !e.name().equals("..")) {
                        out.add(new DirEntry(e.name(), e.ino(),
                                e.type() == DirBlock.TYPE_DIR ? FileKind.DIRECTORY : FileKind.REGULAR));
                    }
                }
            }
            out.sort(Comparator.comparing(DirEntry::name));
            return out;
        });
    }

    public FileStat stat(String path) throws JiomapException {
        List<String> parts = Paths.components(path);
        return op(() -> walk(parts, parts.size(), path).stat());
    }

    /** Removes a name without touching its inode: for tests that stage a crash between the steps of an unlink. */
    public void removeNameLocked(Ext4Inode parent, String name) {
        dirs.removeLocked(parent, name);
    }
}
