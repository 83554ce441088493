package io.jiomap.fs.xfslike.meta;

import io.jiomap.api.vfs.FileKind;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.MetaBlock;
import java.util.Map;
import java.util.TreeMap;

/**
 * All metadata of a filesystem, in memory: per-AG free space and inode allocation, the reference-count index and
 * the inodes. The mutators here are the only way it changes, and each corresponds to one log item
 * ({@code log.LogItem}), so the log replays exactly what was done live.
 */
public final class Metadata {
    /** Inodes per allocation chunk (an inobt record covers 64, with a free mask). */
    public static final int CHUNK = 64;

    private final Geometry geometry;
    private final FreeSpace[] free;
    private final TreeMap<Long, Long>[] inobt;
    private final RefcountIndex refcount = new RefcountIndex();
    private final TreeMap<Long, InodeCore> inodes = new TreeMap<>();
    private final InodeTally tally;
    private long rootIno;
    private long nextGeneration = 1;

    @SuppressWarnings("unchecked")
    public Metadata(Geometry geometry) {
        this.geometry = geometry;
        this.free = new FreeSpace[geometry.agCount()];
        this.inobt = new TreeMap[geometry.agCount()];
        this.tally = new InodeTally(geometry.blockSize() - MetaBlock.HEADER);
        for (int ag = 0; ag < free.length; ag++) {
            free[ag] = new FreeSpace(geometry.agStart(ag));
            inobt[ag] = new TreeMap<>();
        }
    }

    /** A freshly made filesystem: all data space free, no inodes yet. */
    public static Metadata empty(Geometry g) {
        Metadata m = new Metadata(g);
        for (int ag = 0; ag < g.agCount(); ag++) {
            long s = g.agDataStart(ag);
            long e = g.agEnd(ag);
            if (e > s) {
                m.free[ag].load(s, e - s);
            }
        }
        return m;
    }

    public Geometry geometry() {
        return geometry;
    }

    public FreeSpace free(int ag) {
        return free[ag];
    }

    public TreeMap<Long, Long> inobt(int ag) {
        return inobt[ag];
    }

    public RefcountIndex refcount() {
        return refcount;
    }

    public TreeMap<Long, InodeCore> inodes() {
        return inodes;
    }

    public InodeCore inode(long ino) {
        return inodes.get(ino);
    }

    /** The running sums over the inodes that bound their part of a checkpoint. */
    public InodeTally tally() {
        return tally;
    }

    /**
     * Counts the tally again from every inode: after a load, which fills {@link #inodes()}, extent maps and entries
     * directly instead of through the mutators. @return the tally
     */
    public InodeTally recount() {
        tally.clear();
        for (InodeCore c : inodes.values()) {
            tally.add(c);
            for (String name : c.entries().keySet()) {
                tally.addName(InodeCore.nameBytes(name));
            }
        }
        return tally;
    }

    public long rootIno() {
        return rootIno;
    }

    public void setRootIno(long ino) {
        this.rootIno = ino;
    }

    /** The generation the next new inode gets: above every generation handed out so far. */
    public long nextGeneration() {
        return nextGeneration;
    }

    public void setNextGeneration(long g) {
        this.nextGeneration = g;
    }

    public long freeBlocks() {
        long n = 0;
        for (FreeSpace f : free) {
            n += f.freeBlocks();
        }
        return n;
    }

    public static int agOfIno(long ino) {
        return (int) (ino >>> 32);
    }

    public static long ino(int ag, long agino) {
        return ((long) ag << 32) | agino;
    }

    /** The inode number a new inode gets, preferring AG {@code agHint}: deterministic, so replay needs no choice. */
    public long chooseIno(int agHint) {
        for (int i = 0; i < free.length; i++) {
            int ag = (agHint + i) % free.length;
            for (Map.Entry<Long, Long> c : inobt[ag].entrySet()) {
                if (c.getValue() != 0) {
                    return ino(ag, c.getKey() + Long.numberOfTrailingZeros(c.getValue()));
                }
            }
        }
        TreeMap<Long, Long> t = inobt[agHint];
        long next = t.isEmpty() ? CHUNK : t.lastKey() + CHUNK;
        return ino(agHint, next);
    }

    // ---- mutators: one per log item ----

    /**
     * A new inode: one link (a directory two, and itself as parent until an entry names it), all times
     * {@code time}, a symbolic link's size the length of its target.
     */
    public void createInode(long ino, FileKind kind, int mode, int uid, int gid, long generation, long time,
                            String target) {
        int ag = agOfIno(ino);
        long agino = ino & 0xffffffffL;
        long chunk = agino - agino % CHUNK;
        long mask = inobt[ag].getOrDefault(chunk, -1L);
        long bit = 1L << (agino - chunk);
        if ((mask & bit) == 0 || inodes.containsKey(ino)) {
            throw new IllegalStateException("inode " + ino + " is already allocated");
        }
        inobt[ag].put(chunk, mask & ~bit);
        InodeCore c = new InodeCore(ino, kind, time);
        c.nlink = kind == FileKind.DIRECTORY ? 2 : 1;
        c.loadAttributes(mode, uid, gid, generation, kind == FileKind.DIRECTORY ? ino : 0, time);
        if (target != null) {
            c.setTarget(target);
            c.size = InodeCore.nameBytes(target);
        }
        nextGeneration = Math.max(nextGeneration, generation + 1);
        inodes.put(ino, c);
        tally.add(c);
    }

    public void freeInode(long ino) {
        int ag = agOfIno(ino);
        long agino = ino & 0xffffffffL;
        long chunk = agino - agino % CHUNK;
        Long mask = inobt[ag].get(chunk);
        InodeCore c = mask == null ? null : inodes.remove(ino);
        if (c == null) {
            throw new IllegalStateException("inode " + ino + " is not allocated");
        }
        tally.remove(c);
        long m = mask | (1L << (agino - chunk));
        if (m == -1L) {
            inobt[ag].remove(chunk);
        } else {
            inobt[ag].put(chunk, m);
        }
    }

    public void setCore(long ino, long size, int nlink, int flags, int mode, int uid, int gid, long atime, long mtime,
                        long ctime) {
        InodeCore c = need(ino);
        c.size = size;
        c.nlink = nlink;
        c.flags = flags;
        c.mode = mode;
        c.uid = uid;
        c.gid = gid;
        c.atime = atime;
        c.mtime = mtime;
        c.ctime = ctime;
    }

    public void setXattr(long ino, String name, byte[] value) {
        InodeCore c = counted(ino);
        try {
            c.putXattr(name, value);
        } finally {
            tally.add(c);
        }
    }

    public void removeXattr(long ino, String name) {
        InodeCore c = counted(ino);
        try {
            c.removeXattr(name);
        } finally {
            tally.add(c);
        }
    }

    public void addEntry(long dir, String name, long child) {
        InodeCore d = counted(dir);
        try {
            d.addEntry(name, child);
            tally.addName(InodeCore.nameBytes(name));
            InodeCore c = inodes.get(child);
            if (c != null && c.isDir()) {
                c.parent = dir;
            }
        } finally {
            tally.add(d);
        }
    }

    public void removeEntry(long dir, String name) {
        InodeCore d = counted(dir);
        try {
            d.removeEntry(name);
            tally.removeName(InodeCore.nameBytes(name));
        } finally {
            tally.add(d);
        }
    }

    public void map(long ino, Extent e) {
        InodeCore c = counted(ino);
        try {
            c.data().insert(e);
        } finally {
            tally.add(c);
        }
    }

    public void unmap(long ino, long off, long len) {
        InodeCore c = counted(ino);
        try {
            c.data().remove(off, len);
        } finally {
            tally.add(c);
        }
    }

    public void takeFree(long block, long len) {
        free[geometry.agOf(block)].take(block, len);
    }

    public void giveFree(long block, long len) {
        free[geometry.agOf(block)].give(block, len);
    }

    public void adjustRefcount(long block, long len, int delta) {
        refcount.adjust(block, len, delta);
    }

    public void stageCow(long block, long len) {
        refcount.stage(block, len);
    }

    public void unstageCow(long block, long len) {
        refcount.unstage(block, len);
    }

    /** The inode, taken out of the tally: the caller changes it and adds it back. */
    private InodeCore counted(long ino) {
        InodeCore c = need(ino);
        tally.remove(c);
        return c;
    }

    private InodeCore need(long ino) {
        InodeCore c = inodes.get(ino);
        if (c == null) {
            throw new IllegalStateException("inode " + ino + " does not exist");
        }
        return c;
    }
}
