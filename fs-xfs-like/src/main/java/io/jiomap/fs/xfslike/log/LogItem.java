package io.jiomap.fs.xfslike.log;

import io.jiomap.api.vfs.FileKind;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One metadata change as the log records it (FORMAT.md "Log items"). Items carry their results, not their
 * inputs: an allocation is logged as the blocks taken, so replay never runs the allocator and a change in
 * allocation policy cannot change what a log means. Applying the items of committed transactions, in order, to the
 * checkpoint they follow rebuilds the state exactly.
 */
public sealed interface LogItem {
    int CREATE = 1;
    int FREE_INODE = 2;
    int CORE = 3;
    int ENTRY_ADD = 4;
    int ENTRY_REMOVE = 5;
    int MAP = 6;
    int UNMAP = 7;
    int TAKE = 8;
    int GIVE = 9;
    int REFCOUNT = 10;
    int STAGE = 11;
    int UNSTAGE = 12;
    int XATTR_SET = 13;
    int XATTR_REMOVE = 14;

    void apply(Metadata m);

    void encode(ByteBuffer b);

    int size();

    /** The inode whose metadata this changes, or -1. */
    default long ino() {
        return -1;
    }

    /** A new inode with its attributes; {@code target} is a symbolic link's target, null for other kinds. */
    record Create(long ino, FileKind kind, int mode, int uid, int gid, long generation, long time, String target)
            implements LogItem {
        public void apply(Metadata m) {
            m.createInode(ino, kind, mode, uid, gid, generation, time, target);
        }

        public void encode(ByteBuffer b) {
            byte[] t = target == null ? new byte[0] : target.getBytes(StandardCharsets.UTF_8);
            b.put((byte) CREATE).putLong(ino).put((byte) kind.ordinal()).putShort((short) mode).putInt(uid)
                    .putInt(gid).putLong(generation).putLong(time).putShort((short) t.length).put(t);
        }

        public int size() {
            return 38 + (target == null ? 0 : target.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    record FreeInode(long ino) implements LogItem {
        public void apply(Metadata m) {
            m.freeInode(ino);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) FREE_INODE).putLong(ino);
        }

        public int size() {
            return 9;
        }
    }

    /**
     * The whole inode core, as it is after the change; {@code timestampsOnly} says nothing but times changed
     * (fdatasync need not force it). Built from the inode as it is ({@link #of}) with the changed fields replaced.
     */
    record Core(long ino, long isize, int nlink, int flags, int mode, int uid, int gid, long atime, long mtime,
                long ctime, boolean timestampsOnly) implements LogItem {
        /** The core of {@code c} as it is in memory, times changed by data I/O included. */
        public static Core of(InodeCore c) {
            return new Core(c.ino(), c.size(), c.nlink(), c.flags(), c.mode(), c.uid(), c.gid(), c.atime(), c.mtime(),
                    c.ctime(), false);
        }

        public Core size(long s) {
            return new Core(ino, s, nlink, flags, mode, uid, gid, atime, mtime, ctime, false);
        }

        public Core links(int n) {
            return new Core(ino, isize, n, flags, mode, uid, gid, atime, mtime, ctime, false);
        }

        public Core flags(int f) {
            return new Core(ino, isize, nlink, f, mode, uid, gid, atime, mtime, ctime, false);
        }

        public Core mode(int m) {
            return new Core(ino, isize, nlink, flags, m, uid, gid, atime, mtime, ctime, false);
        }

        public Core owner(int u, int g) {
            return new Core(ino, isize, nlink, flags, mode, u, g, atime, mtime, ctime, false);
        }

        public Core times(long a, long m, long c) {
            return new Core(ino, isize, nlink, flags, mode, uid, gid, a, m, c, timestampsOnly);
        }

        /** The content changed at {@code now}: mtime and ctime. */
        public Core modified(long now) {
            return times(atime, now, now);
        }

        /** The inode changed at {@code now}: ctime. */
        public Core changed(long now) {
            return times(atime, mtime, now);
        }

        /** Only times changed. */
        public Core timesOnly() {
            return new Core(ino, isize, nlink, flags, mode, uid, gid, atime, mtime, ctime, true);
        }

        public void apply(Metadata m) {
            m.setCore(ino, isize, nlink, flags, mode, uid, gid, atime, mtime, ctime);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) CORE).putLong(ino).putLong(isize).putInt(nlink).putInt(flags).putShort((short) mode)
                    .putInt(uid).putInt(gid).putLong(atime).putLong(mtime).putLong(ctime)
                    .put((byte) (timestampsOnly ? 1 : 0));
        }

        public int size() {
            return 60;
        }
    }

    /** Sets extended attribute {@code name} of {@code ino} to {@code value}. */
    record XattrSet(long ino, String name, byte[] value) implements LogItem {
        public void apply(Metadata m) {
            m.setXattr(ino, name, value);
        }

        public void encode(ByteBuffer b) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            b.put((byte) XATTR_SET).putLong(ino).put((byte) n.length).put(n).putInt(value.length).put(value);
        }

        public int size() {
            return 14 + name.getBytes(StandardCharsets.UTF_8).length + value.length;
        }
    }

    record XattrRemove(long ino, String name) implements LogItem {
        public void apply(Metadata m) {
            m.removeXattr(ino, name);
        }

        public void encode(ByteBuffer b) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            b.put((byte) XATTR_REMOVE).putLong(ino).put((byte) n.length).put(n);
        }

        public int size() {
            return 10 + name.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    record EntryAdd(long dir, String name, long child) implements LogItem {
        public void apply(Metadata m) {
            m.addEntry(dir, name, child);
        }

        public void encode(ByteBuffer b) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            b.put((byte) ENTRY_ADD).putLong(dir).putLong(child).putShort((short) n.length).put(n);
        }

        public int size() {
            return 19 + name.getBytes(StandardCharsets.UTF_8).length;
        }

        public long ino() {
            return dir;
        }
    }

    record EntryRemove(long dir, String name) implements LogItem {
        public void apply(Metadata m) {
            m.removeEntry(dir, name);
        }

        public void encode(ByteBuffer b) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            b.put((byte) ENTRY_REMOVE).putLong(dir).putShort((short) n.length).put(n);
        }

        public int size() {
            return 11 + name.getBytes(StandardCharsets.UTF_8).length;
        }

        public long ino() {
            return dir;
        }
    }

    record Map(long ino, Extent extent) implements LogItem {
        public void apply(Metadata m) {
            m.map(ino, extent);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) MAP).putLong(ino).putLong(extent.packedHigh()).putLong(extent.packedLow());
        }

        public int size() {
            return 25;
        }
    }

    record Unmap(long ino, long off, long len) implements LogItem {
        public void apply(Metadata m) {
            m.unmap(ino, off, len);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) UNMAP).putLong(ino).putLong(off).putLong(len);
        }

        public int size() {
            return 25;
        }
    }

    /** Blocks leave the free space (allocation). */
    record Take(long block, long len) implements LogItem {
        public void apply(Metadata m) {
            m.takeFree(block, len);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) TAKE).putLong(block).putLong(len);
        }

        public int size() {
            return 17;
        }
    }

    /** Blocks return to the free space. */
    record Give(long block, long len) implements LogItem {
        public void apply(Metadata m) {
            m.giveFree(block, len);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) GIVE).putLong(block).putLong(len);
        }

        public int size() {
            return 17;
        }
    }

    record Refcount(long block, long len, int delta) implements LogItem {
        public void apply(Metadata m) {
            m.adjustRefcount(block, len, delta);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) REFCOUNT).putLong(block).putLong(len).putInt(delta);
        }

        public int size() {
            return 21;
        }
    }

    record Stage(long block, long len) implements LogItem {
        public void apply(Metadata m) {
            m.stageCow(block, len);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) STAGE).putLong(block).putLong(len);
        }

        public int size() {
            return 17;
        }
    }

    record Unstage(long block, long len) implements LogItem {
        public void apply(Metadata m) {
            m.unstageCow(block, len);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) UNSTAGE).putLong(block).putLong(len);
        }

        public int size() {
            return 17;
        }
    }

    /** Decodes one item; the buffer is positioned at its type byte. */
    static LogItem decode(ByteBuffer b) {
        int type = b.get();
        return switch (type) {
            case CREATE -> {
                long ino = b.getLong();
                FileKind kind = FileKind.values()[b.get()];
                int mode = b.getShort() & 0xffff;
                int uid = b.getInt();
                int gid = b.getInt();
                long generation = b.getLong();
                long time = b.getLong();
                byte[] t = new byte[b.getShort() & 0xffff];
                b.get(t);
                yield new Create(ino, kind, mode, uid, gid, generation, time,
                        kind == FileKind.SYMLINK ? new String(t, StandardCharsets.UTF_8) : null);
            }
            case FREE_INODE -> new FreeInode(b.getLong());
            case CORE -> new Core(b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getShort() & 0xffff, b.getInt(),
                    b.getInt(), b.getLong(), b.getLong(), b.getLong(), b.get() == 1);
            case XATTR_SET -> {
                long ino = b.getLong();
                byte[] n = new byte[b.get() & 0xff];
                b.get(n);
                byte[] v = new byte[b.getInt()];
                b.get(v);
                yield new XattrSet(ino, new String(n, StandardCharsets.UTF_8), v);
            }
            case XATTR_REMOVE -> {
                long ino = b.getLong();
                byte[] n = new byte[b.get() & 0xff];
                b.get(n);
                yield new XattrRemove(ino, new String(n, StandardCharsets.UTF_8));
            }
            case ENTRY_ADD -> {
                long dir = b.getLong();
                long child = b.getLong();
                yield new EntryAdd(dir, name(b), child);
            }
            case ENTRY_REMOVE -> {
                long dir = b.getLong();
                yield new EntryRemove(dir, name(b));
            }
            case MAP -> new Map(b.getLong(), Extent.unpack(b.getLong(), b.getLong()));
            case UNMAP -> new Unmap(b.getLong(), b.getLong(), b.getLong());
            case TAKE -> new Take(b.getLong(), b.getLong());
            case GIVE -> new Give(b.getLong(), b.getLong());
            case REFCOUNT -> new Refcount(b.getLong(), b.getLong(), b.getInt());
            case STAGE -> new Stage(b.getLong(), b.getLong());
            case UNSTAGE -> new Unstage(b.getLong(), b.getLong());
            default -> throw new IllegalArgumentException("unknown log item type " + type);
        };
    }

    private static String name(ByteBuffer b) {
        byte[] n = new byte[b.getShort() & 0xffff];
        b.get(n);
        return new String(n, StandardCharsets.UTF_8);
    }
}
