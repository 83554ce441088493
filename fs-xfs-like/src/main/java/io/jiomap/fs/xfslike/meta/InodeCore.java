package io.jiomap.fs.xfslike.meta;

import io.jiomap.api.vfs.FileKind;
import io.jiomap.fs.xfslike.format.InodeRecords;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An inode in memory: its core (kind, link count, size, flags, times), its data fork for a regular file or its
 * entries for a directory, and what exists only in memory: the copy-on-write fork (XFS keeps it incore only; the
 * staging records in the refcount index are what survives a crash) and the log sequence numbers fsync needs.
 */
public final class InodeCore {
    /** Blocks past EOF are allowed: fallocate KEEP_SIZE or a write allocated them (XFS_DIFLAG_PREALLOC). */
    public static final int FLAG_PREALLOC = 1;

    private final long ino;
    private final FileKind kind;
    int nlink;
    volatile long size;
    int flags;
    long mtime;
    long ctime;
    private final ExtentMap data = new ExtentMap();
    private final ExtentMap cow = new ExtentMap();
    private final TreeMap<String, Long> entries = new TreeMap<>();
    private final SortedMap<String, Long> entriesView = Collections.unmodifiableSortedMap(entries);
    private long entryBytes;
    /** The last transaction that changed what reading the data back needs (fdatasync forces up to it). */
    public volatile long dataSeq;
    /** The last transaction that changed anything of the inode (fsync forces up to it). */
    public volatile long anySeq;

    public InodeCore(long ino, FileKind kind, long time) {
        this.ino = ino;
        this.kind = kind;
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

    public long mtime() {
        return mtime;
    }

    public long ctime() {
        return ctime;
    }

    public ExtentMap data() {
        return data;
    }

    public ExtentMap cow() {
        return cow;
    }

    /** The directory's entries by name, read-only: {@link Metadata}'s mutators change them. */
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

    /** Loads the core as read from disk. */
    public void loadCore(int nlink, long size, int flags, long mtime, long ctime) {
        this.nlink = nlink;
        this.size = size;
        this.flags = flags;
        this.mtime = mtime;
        this.ctime = ctime;
    }

    public void loadEntry(String name, long child) {
        addEntry(name, child);
    }
}
