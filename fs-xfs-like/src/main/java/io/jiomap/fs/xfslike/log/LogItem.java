package io.jiomap.fs.xfslike.log;

import io.jiomap.api.vfs.FileKind;
import io.jiomap.fs.xfslike.meta.Extent;
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

    void apply(Metadata m);

    void encode(ByteBuffer b);

    int size();

    /** The inode whose metadata this changes, or -1. */
    default long ino() {
        return -1;
    }

    record Create(long ino, FileKind kind, long time) implements LogItem {
        public void apply(Metadata m) {
            m.createInode(ino, kind, time);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) CREATE).putLong(ino).put((byte) kind.ordinal()).putLong(time);
        }

        public int size() {
            return 18;
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

    /** The inode core; {@code timestampsOnly} says nothing but times changed (fdatasync need not force it). */
    record Core(long ino, long isize, int nlink, int flags, long mtime, long ctime, boolean timestampsOnly)
            implements LogItem {
        /** A core whose size, links or flags may have changed: fdatasync must force it. */
        public static Core changed(long ino, long isize, int nlink, int flags, long mtime, long ctime) {
            return new Core(ino, isize, nlink, flags, mtime, ctime, false);
        }

        public void apply(Metadata m) {
            m.setCore(ino, isize, nlink, flags, mtime, ctime);
        }

        public void encode(ByteBuffer b) {
            b.put((byte) CORE).putLong(ino).putLong(isize).putInt(nlink).putInt(flags).putLong(mtime)
                    .putLong(ctime).put((byte) (timestampsOnly ? 1 : 0));
        }

        public int size() {
            return 42;
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
            case CREATE -> new Create(b.getLong(), FileKind.values()[b.get()], b.getLong());
            case FREE_INODE -> new FreeInode(b.getLong());
            case CORE -> new Core(b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getLong(), b.getLong(),
                    b.get() == 1);
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
