package io.jiomap.fs.xfslike.meta;

import io.jiomap.api.vfs.FileKind;
import io.jiomap.fs.xfslike.format.InodeRecords;
import java.nio.charset.StandardCharsets;
import io.jiomap.api.vfs.Timestamps;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An inode in memory: its core (kind, mode, owner, link count, size, flags, times, generation), its data fork for a
 * regular file, its entries and parent for a directory, its target for a symbolic link, its extended attributes,
 * and what exists only in memory: the copy-on-write fork (XFS keeps it incore only; the staging records in the
 * refcount index are what survives a crash), the number of opens, whether a data write or read changed times that
 * are not logged yet (lazytime), and the log sequence numbers fsync needs.
 */
public final class InodeCore {
    /** Blocks past EOF are allowed: fallocate KEEP_SIZE or a write allocated them (XFS_DIFLAG_PREALLOC). */
    public static final int FLAG_PREALLOC = 1;
    /** The last link went while the inode was open: it lives until its last release, or the next mount frees it. */
    public static final int FLAG_ORPHAN = 2;
    /** Directory entries in UTF-8 byte order, which is code point order. */
    public static final Comparator<String> UTF8_ORDER = InodeCore::compareUtf8;

    private final long ino;
    private final FileKind kind;
    int nlink;
    volatile long size;
    int flags;
    int mode;
    int uid;
    int gid;
    long generation;
    long parent;
    volatile long atime;
    volatile long mtime;
    volatile long ctime;
    private String target;
    private final TreeMap<String, byte[]> xattrs = new TreeMap<>(UTF8_ORDER);
    private final SortedMap<String, byte[]> xattrsView = Collections.unmodifiableSortedMap(xattrs);
    private int extraBytes;
    private final ExtentMap data = new ExtentMap();
    private final ExtentMap cow = new ExtentMap();
    private final TreeMap<String, Long> entries = new TreeMap<>(UTF8_ORDER);
    private final SortedMap<String, Long> entriesView = Collections.unmodifiableSortedMap(entries);
    private long entryBytes;
    /** Opens not yet released ({@code FileSystem.open(ino)}); changed under the metadata lock. */
    public int opens;
    /** A data write or read changed the times in memory and no logged change carried them yet (lazytime). */
    public volatile boolean timesDirty;
    /** The last transaction that changed what reading the data back needs (fdatasync forces up to it). */
    public volatile long dataSeq;
    /** The last transaction that changed anything of the inode (fsync forces up to it). */
    public volatile long anySeq;

    public InodeCore(long ino, FileKind kind, long time) {
        this.ino = ino;
        this.kind = kind;
        this.atime = time;
        this.mtime = time;
        this.ctime = time;
    }

    public long ino() {
        return ino;
    }

    public FileKind kind() {
        return kind;
    }

    public boolean isDir() {
        return kind == FileKind.DIRECTORY;
    }

    public boolean isSymlink() {
        return kind == FileKind.SYMLINK;
    }

    public int nlink() {
        return nlink;
    }

    public long size() {
        return size;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlag(int f) {
        return (flags & f) != 0;
    }

    public int mode() {
        return mode;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** Tells apart the inodes that held this number over the filesystem's life. */
    public long generation() {
        return generation;
    }

    /** The directory holding this directory (the root: itself); 0 for other kinds. */
    public long parent() {
        return parent;
    }

    public long atime() {
        return atime;
    }

    public long mtime() {
        return mtime;
    }

    public long ctime() {
        return ctime;
    }

    /**
     * A data write at {@code now}: mtime and ctime change in memory only and reach the log with the inode's next
     * logged change, fsync or unmount (lazytime). Called without the metadata lock; allocates nothing.
     */
    public void touchModified(long now) {
        if (mtime != now || ctime != now) {
            mtime = now;
            ctime = now;
            timesDirty = true;
        }
    }

    /** A data read at {@code now}: atime changes in memory as relatime says. */
    public void touchAccessed(long now) {
        if (Timestamps.atimeDue(atime, mtime, ctime, now)) {
            atime = now;
            timesDirty = true;
        }
    }

    /** The symbolic link's target, or null. */
    public String target() {
        return target;
    }

    /** The extended attributes by name, read-only: {@link Metadata}'s mutators change them. */
    public SortedMap<String, byte[]> xattrs() {
        return xattrsView;
    }

    /**
     * The bytes of the inode's extras record (FORMAT.md "Inode extras": the symlink target and the extended
     * attributes), 0 when it has neither.
     */
    public int extraBytes() {
        return extraBytes;
    }

    /** The bytes the extended attributes take of the inode's attribute space. */
    public int xattrBytes() {
        int n = 0;
        for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
            n += xattrBytes(e.getKey(), e.getValue().length);
        }
        return n;
    }

    /** The bytes one attribute takes in the extras record and of the attribute space. */
    public static int xattrBytes(String name, int valueLength) {
        return InodeRecords.XATTR_FIXED + nameBytes(name) + valueLength;
    }

    public ExtentMap data() {
        return data;
    }

    public ExtentMap cow() {
        return cow;
    }

    /** The directory's entries by name (UTF-8 byte order), read-only: {@link Metadata}'s mutators change them. */
    public SortedMap<String, Long> entries() {
        return entriesView;
    }

    /** The bytes of the checkpoint record of the entry {@code name}. */
    public static int entrySize(String name) {
        return InodeRecords.ENTRY_FIXED + nameBytes(name);
    }

    /** The length of {@code name} in UTF-8, as the checkpoint stores it. */
    public static int nameBytes(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The bytes of the checkpoint records of all entries. */
    public long entryBytes() {
        return entryBytes;
    }

    void addEntry(String name, long child) {
        if (entries.putIfAbsent(name, child) != null) {
            throw new IllegalStateException("directory " + ino + " already has '" + name + "'");
        }
        entryBytes += entrySize(name);
    }

    void removeEntry(String name) {
        if (entries.remove(name) == null) {
            throw new IllegalStateException("directory " + ino + " has no '" + name + "'");
        }
        entryBytes -= entrySize(name);
    }

    void setTarget(String t) {
        this.target = t;
        recountExtras();
    }

    void putXattr(String name, byte[] value) {
        xattrs.put(name, value);
        recountExtras();
    }

    void removeXattr(String name) {
        if (xattrs.remove(name) == null) {
            throw new IllegalStateException("inode " + ino + " has no attribute '" + name + "'");
        }
        recountExtras();
    }

    private void recountExtras() {
        if (target == null && xattrs.isEmpty()) {
            extraBytes = 0;
            return;
        }
        extraBytes = InodeRecords.EXTRAS_FIXED + (target == null ? 0 : nameBytes(target)) + xattrBytes();
    }

    /** Loads the core as read from disk. */
    public void loadCore(int nlink, long size, int flags, long mtime, long ctime) {
        this.nlink = nlink;
        this.size = size;
        this.flags = flags;
        this.mtime = mtime;
        this.ctime = ctime;
    }

    /** Loads the POSIX attributes as read from disk. */
    public void loadAttributes(int mode, int uid, int gid, long generation, long parent, long atime) {
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
        this.generation = generation;
        this.parent = parent;
        this.atime = atime;
    }

    public void loadEntry(String name, long child) {
        addEntry(name, child);
    }

    /** Loads the symlink target and attributes as read from disk. */
    public void loadExtras(String target, Map<String, byte[]> attributes) {
        this.target = target;
        xattrs.putAll(attributes);
        recountExtras();
    }

    private static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
