package io.jiomap.crash.oracle;

import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a workload did to its files, op by op, and what each persistence point promised: the oracle's memory. The
 * workload tells it every op that returned successfully, with the op's index; {@link #at} then says what a crash
 * state may show.
 *
 * <p>Durability (docs/crash-consistency.md, "Durability"): fdatasync and fsync make the file's data and size durable,
 * fsync also its attributes (mode, owner, explicitly set times); an O_DSYNC write makes its range durable and the
 * size at least up to its end; {@code sync} (and a clean unmount) makes everything durable, names included. POSIX
 * guarantees a new or changed name only after an fsync of the parent directory, which the api does not have, so a
 * name counts as durable only after {@code sync}.
 *
 * <p>The namespace is one directory: each name holds a file, a symbolic link, or nothing; a file may have several
 * names (hard links). Every namespace op is recorded with what it did to each name it touched, so a crash state's
 * names can be checked as the result of some of the ops since the last sync, each whole or not at all.
 *
 * <p>All offsets, lengths and sizes are multiples of {@link SectorPayload#SIZE}. Not thread-safe.
 */
public final class Model {
    /** What a namespace op did: each name it touched and the file id it left there (0: none). */
    record NameChange(int op, Map<String, Integer> names) {
    }

    private final List<FileHistory> files = new ArrayList<>();
    private final Map<String, FileHistory> live = new TreeMap<>();
    private final List<NameChange> nameChanges = new ArrayList<>();
    /** Ops after which every name was durable. */
    private final List<Integer> syncOps = new ArrayList<>();
    private final List<String> syncWhat = new ArrayList<>();
    private int writeSeq;

    /**
     * A file was created at {@code path} by op {@code op}; it reads as zeros up to {@code initialSize}. Its
     * attributes are not checked (a filesystem without them).
     */
    public int create(int op, String path, long initialSize) {
        return add(op, path, FileKind.REGULAR, null, initialSize, Map.of());
    }

    /** A file was created with the mode and owner the filesystem reported for it. */
    public int create(int op, String path, long initialSize, int mode, int uid, int gid) {
        return add(op, path, FileKind.REGULAR, null, initialSize, Map.of(Attribute.MODE, (long) mode,
                Attribute.UID, (long) uid, Attribute.GID, (long) gid));
    }

    /** A symbolic link holding {@code target} was created at {@code path}, owned by {@code uid}, {@code gid}. */
    public int symlink(int op, String path, String target, int uid, int gid) {
        return add(op, path, FileKind.SYMLINK, target, 0, Map.of(Attribute.UID, (long) uid, Attribute.GID,
                (long) gid));
    }

    private int add(int op, String path, FileKind kind, String target, long initialSize,
                    Map<Attribute, Long> attributes) {
        if (live.containsKey(path)) {
            throw new IllegalArgumentException("create " + path + ": it exists");
        }
        if (files.size() >= SectorPayload.MAX_FILE_ID) {
            throw new IllegalArgumentException("a workload may create at most " + SectorPayload.MAX_FILE_ID
                    + " files");
        }
        aligned(initialSize, "initial size");
        FileHistory f = new FileHistory(files.size() + 1, op, kind, target, initialSize, attributes);
        files.add(f);
        live.put(path, f);
        nameChanges.add(new NameChange(op, Map.of(path, f.id)));
        return f.id;
    }

    public boolean exists(String path) {
        return live.containsKey(path);
    }

    /** The names of regular files, in name order: what data ops may use. */
    public List<String> paths() {
        List<String> paths = new ArrayList<>();
        live.forEach((name, f) -> {
            if (f.kind == FileKind.REGULAR) {
                paths.add(name);
            }
        });
        return paths;
    }

    /** Every name, of files and symbolic links, in name order. */
    public List<String> names() {
        return List.copyOf(live.keySet());
    }

    /** What {@code path} names now. */
    public FileKind kind(String path) {
        return named(path).kind;
    }

    /** The target of the symbolic link at {@code path}. */
    public String target(String path) {
        FileHistory f = named(path);
        if (f.kind != FileKind.SYMLINK) {
            throw new IllegalArgumentException(path + " is not a symbolic link in the model");
        }
        return f.target;
    }

    /** How many names the file at {@code path} has now. */
    public int links(String path) {
        FileHistory f = named(path);
        int n = 0;
        for (FileHistory g : live.values()) {
            if (g == f) {
                n++;
            }
        }
        return n;
    }

    /** Whether two names name the same file. */
    public boolean sameFile(String a, String b) {
        return named(a) == named(b);
    }

    /** The attribute's value now; null when it is not checked (never set, or last changed lazily). */
    public Long attribute(String path, Attribute attribute) {
        return named(path).attribute(attribute);
    }

    public int fileId(String path) {
        return named(path).id;
    }

    public long size(String path) {
        return file(path).size();
    }

    /** The value sector {@code sector} of the file at {@code path} holds now. */
    public long current(String path, long sector) {
        return file(path).current(sector);
    }

    /** Numbers the next write; its payload carries the number. */
    public int nextWriteSeq() {
        if (writeSeq >= SectorPayload.MAX_WRITE_SEQ) {
            throw new IllegalStateException("a workload may make at most " + SectorPayload.MAX_WRITE_SEQ + " writes");
        }
        return ++writeSeq;
    }

    /** The payload value the write {@code seq} puts at {@code fileOffset} of {@code path}. */
    public long payload(String path, long fileOffset, int seq) {
        return SectorPayload.value(file(path).id, fileOffset, seq);
    }

    /** Op {@code op} wrote {@code [offset, offset+length)} of {@code path} with the payloads of write {@code seq}. */
    public void write(int op, String path, long offset, long length, int seq) {
        FileHistory f = file(path);
        aligned(offset, "offset");
        aligned(length, "length");
        for (long o = offset; o < offset + length; o += SectorPayload.SIZE) {
            f.set(op, o >>> SectorPayload.SHIFT, SectorPayload.value(f.id, o, seq));
        }
        f.setSize(op, Math.max(f.size(), offset + length));
        f.setAttribute(op, Attribute.MTIME, null);
    }

    /** Op {@code op} set the size: a shrink drops the data past it, so it reads as zeros if the file grows again. */
    public void truncate(int op, String path, long size) {
        FileHistory f = file(path);
        aligned(size, "size");
        for (long sector : f.nonZeroSectors()) {
            if (sector << SectorPayload.SHIFT >= size) {
                f.set(op, sector, SectorPayload.ZERO);
            }
        }
        f.setSize(op, size);
        f.setAttribute(op, Attribute.MTIME, null);
    }

    /** Op {@code op} zeroed a range (punch hole, zero range); {@code extend}: the size grows to its end. */
    public void zero(int op, String path, long offset, long length, boolean extend) {
        FileHistory f = file(path);
        aligned(offset, "offset");
        aligned(length, "length");
        for (long o = offset; o < offset + length; o += SectorPayload.SIZE) {
            f.set(op, o >>> SectorPayload.SHIFT, SectorPayload.ZERO);
        }
        if (extend) {
            f.setSize(op, Math.max(f.size(), offset + length));
        }
        f.setAttribute(op, Attribute.MTIME, null);
    }

    /** Op {@code op} preallocated a range: the data does not change; without {@code keepSize} the size grows. */
    public void allocate(int op, String path, long offset, long length, boolean keepSize) {
        FileHistory f = file(path);
        aligned(offset, "offset");
        aligned(length, "length");
        if (!keepSize) {
            f.setSize(op, Math.max(f.size(), offset + length));
        }
        f.setAttribute(op, Attribute.MTIME, null);
    }

    /** Op {@code op} made {@code [dstOffset, +length)} of {@code target} share {@code source}'s data. */
    public void cloneRange(int op, String source, long srcOffset, String target, long dstOffset, long length) {
        FileHistory src = file(source);
        FileHistory dst = file(target);
        aligned(srcOffset, "source offset");
        aligned(dstOffset, "target offset");
        aligned(length, "length");
        long[] values = new long[(int) (length >>> SectorPayload.SHIFT)];
        for (int i = 0; i < values.length; i++) {
            values[i] = src.current((srcOffset >>> SectorPayload.SHIFT) + i);
        }
        for (int i = 0; i < values.length; i++) {
            dst.set(op, (dstOffset >>> SectorPayload.SHIFT) + i, values[i]);
        }
        dst.setSize(op, Math.max(dst.size(), dstOffset + length));
        dst.setAttribute(op, Attribute.MTIME, null);
    }

    /** Op {@code op} read the file: its access time may have changed (relatime), lazily. */
    public void read(int op, String path) {
        file(path).setAttribute(op, Attribute.ATIME, null);
    }

    /**
     * Op {@code op} renamed {@code from} to {@code to}, replacing what {@code to} named (it loses that name). Two names
     * of the same file: nothing happens, as rename(2) says.
     */
    public void rename(int op, String from, String to) {
        FileHistory f = named(from);
        if (from.equals(to) || live.get(to) == f) {
            return;
        }
        live.remove(from);
        live.put(to, f);
        Map<String, Integer> change = new TreeMap<>();
        change.put(from, 0);
        change.put(to, f.id);
        nameChanges.add(new NameChange(op, change));
    }

    /** Op {@code op} swapped what {@code a} and {@code b} name (RENAME_EXCHANGE). */
    public void exchange(int op, String a, String b) {
        FileHistory fa = named(a);
        FileHistory fb = named(b);
        if (fa == fb) {
            return;
        }
        live.put(a, fb);
        live.put(b, fa);
        nameChanges.add(new NameChange(op, Map.of(a, fb.id, b, fa.id)));
    }

    /** Op {@code op} gave the file at {@code existing} the further name {@code newPath}. */
    public void link(int op, String existing, String newPath) {
        FileHistory f = named(existing);
        if (live.containsKey(newPath)) {
            throw new IllegalArgumentException("link to " + newPath + ": it exists");
        }
        live.put(newPath, f);
        nameChanges.add(new NameChange(op, Map.of(newPath, f.id)));
    }

    /** Op {@code op} removed the name; the file is gone with its last name (the workload keeps none open). */
    public void unlink(int op, String path) {
        named(path);
        live.remove(path);
        nameChanges.add(new NameChange(op, Map.of(path, 0)));
    }

    /** Op {@code op} set the permission bits. */
    public void chmod(int op, String path, int mode) {
        named(path).setAttribute(op, Attribute.MODE, (long) mode);
    }

    /**
     * Op {@code op} set owner and group; of a regular file that clears set-user-ID, and set-group-ID when the group
     * may execute it (the namespace's rule).
     */
    public void chown(int op, String path, int uid, int gid) {
        FileHistory f = named(path);
        f.setAttribute(op, Attribute.UID, (long) uid);
        f.setAttribute(op, Attribute.GID, (long) gid);
        Long mode = f.attribute(Attribute.MODE);
        if (f.kind == FileKind.REGULAR && mode != null) {
            long m = mode & ~FileStat.S_ISUID;
            if ((m & 0010) != 0) {
                m &= ~FileStat.S_ISGID;
            }
            f.setAttribute(op, Attribute.MODE, m);
        }
    }

    /** Op {@code op} set the access and modification times explicitly (ns since the epoch). */
    public void utimens(int op, String path, long atime, long mtime) {
        FileHistory f = named(path);
        f.setAttribute(op, Attribute.ATIME, atime);
        f.setAttribute(op, Attribute.MTIME, mtime);
    }

    /**
     * An fsync ({@code datasync} false) or fdatasync of {@code path} returned after op {@code op}: its data and size
     * are durable, and with fsync its attributes.
     */
    public void fileDurable(int op, String path, boolean datasync, String what) {
        FileHistory f = file(path);
        f.addDurability(new FileHistory.Durability(op, 0, Long.MAX_VALUE, f.size(), true, !datasync, what));
    }

    /** An O_DSYNC write of {@code [offset, +length)} returned: that range is durable, and the size up to its end. */
    public void rangeDurable(int op, String path, long offset, long length, String what) {
        FileHistory f = file(path);
        f.addDurability(new FileHistory.Durability(op, offset >>> SectorPayload.SHIFT,
                (offset + length) >>> SectorPayload.SHIFT, Math.min(f.size(), offset + length), false, false, what));
    }

    /** A sync or a clean unmount returned after op {@code op}: every file's data, size and name is durable. */
    public void allDurable(int op, String what) {
        for (FileHistory f : new LinkedHashSet<>(live.values())) {
            f.addDurability(new FileHistory.Durability(op, 0, Long.MAX_VALUE, f.size(), true, true, what));
        }
        syncOps.add(op);
        syncWhat.add(what);
    }

    /**
     * What a crash state may show when the last persistence point that had returned before the crash was after op
     * {@code durableOp} (-1: none) and ops up to {@code lastOp} had started (-1: none).
     */
    public CrashExpectation at(int durableOp, int lastOp) {
        int sync = -1;
        String what = null;
        for (int i = 0; i < syncOps.size(); i++) {
            if (syncOps.get(i) <= durableOp) {
                sync = syncOps.get(i);
                what = syncWhat.get(i);
            }
        }
        List<FileHistory> started = new ArrayList<>();
        for (FileHistory f : files) {
            if (f.createOp <= lastOp) {
                started.add(f);
            }
        }
        List<NameChange> changes = new ArrayList<>();
        for (NameChange c : nameChanges) {
            if (c.op() <= lastOp) {
                changes.add(c);
            }
        }
        return new CrashExpectation(Collections.unmodifiableList(started), changes, durableOp, lastOp, sync, what);
    }

    /** The regular file at {@code path}. */
    private FileHistory file(String path) {
        FileHistory f = named(path);
        if (f.kind != FileKind.REGULAR) {
            throw new IllegalArgumentException(path + " is a " + f.kind.name().toLowerCase(Locale.ROOT)
                    + " in the model, not a regular file");
        }
        return f;
    }

    private FileHistory named(String path) {
        FileHistory f = live.get(path);
        if (f == null) {
            throw new IllegalArgumentException(path + " does not exist in the model");
        }
        return f;
    }

    private static void aligned(long value, String what) {
        if (value < 0 || (value & (SectorPayload.SIZE - 1)) != 0) {
            throw new IllegalArgumentException(what + " " + value + " is not a non-negative multiple of "
                    + SectorPayload.SIZE + ": the oracle tracks whole sectors");
        }
    }
}
