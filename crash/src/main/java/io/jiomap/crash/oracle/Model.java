package io.jiomap.crash.oracle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a workload did to its files, op by op, and what each persistence point promised: the oracle's memory. The
 * workload tells it every op that returned successfully, with the op's index; {@link #at} then says what a crash
 * state may show.
 *
 * <p>Durability (docs/crash-consistency.md, "Durability"): fdatasync and fsync make the file's data and size durable;
 * an O_DSYNC write makes its range durable and the size at least up to its end; {@code sync} (and a clean unmount)
 * makes everything durable, names included. POSIX guarantees a new or changed name only after an fsync of the parent
 * directory, which the api does not have, so a name counts as durable only after {@code sync}.
 *
 * <p>All offsets, lengths and sizes are multiples of {@link SectorPayload#SIZE}. Not thread-safe.
 */
public final class Model {
    private final List<FileHistory> files = new ArrayList<>();
    private final Map<String, FileHistory> live = new TreeMap<>();
    /** Ops after which every name was durable. */
    private final List<Integer> syncOps = new ArrayList<>();
    private final List<String> syncWhat = new ArrayList<>();
    private int writeSeq;

    /** A file was created at {@code path} by op {@code op}; it reads as zeros up to {@code initialSize}. */
    public int create(int op, String path, long initialSize) {
        if (live.containsKey(path)) {
            throw new IllegalArgumentException("create " + path + ": it exists");
        }
        if (files.size() >= SectorPayload.MAX_FILE_ID) {
            throw new IllegalArgumentException("a workload may create at most " + SectorPayload.MAX_FILE_ID
                    + " files");
        }
        aligned(initialSize, "initial size");
        FileHistory f = new FileHistory(files.size() + 1, op, path, initialSize);
        files.add(f);
        live.put(path, f);
        return f.id;
    }

    public boolean exists(String path) {
        return live.containsKey(path);
    }

    /** The live paths, in name order. */
    public List<String> paths() {
        return List.copyOf(live.keySet());
    }

    public int fileId(String path) {
        return file(path).id;
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
    }

    /** Op {@code op} preallocated a range: the data does not change; without {@code keepSize} the size grows. */
    public void allocate(int op, String path, long offset, long length, boolean keepSize) {
        FileHistory f = file(path);
        aligned(offset, "offset");
        aligned(length, "length");
        if (!keepSize) {
            f.setSize(op, Math.max(f.size(), offset + length));
        }
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
    }

    /** Op {@code op} renamed {@code from} to {@code to}, replacing (unlinking) a file there. */
    public void rename(int op, String from, String to) {
        FileHistory f = file(from);
        if (from.equals(to)) {
            return;
        }
        FileHistory replaced = live.remove(to);
        if (replaced != null) {
            replaced.setName(op, null);
        }
        live.remove(from);
        live.put(to, f);
        f.setName(op, to);
    }

    /** Op {@code op} removed the name; the file is gone (the workload keeps no unlinked file open). */
    public void unlink(int op, String path) {
        FileHistory f = file(path);
        live.remove(path);
        f.setName(op, null);
    }

    /** An fsync or fdatasync of {@code path} returned after op {@code op}: its data and size are durable. */
    public void fileDurable(int op, String path, String what) {
        FileHistory f = file(path);
        f.addDurability(new FileHistory.Durability(op, 0, Long.MAX_VALUE, f.size(), true, what));
    }

    /** An O_DSYNC write of {@code [offset, +length)} returned: that range is durable, and the size up to its end. */
    public void rangeDurable(int op, String path, long offset, long length, String what) {
        FileHistory f = file(path);
        f.addDurability(new FileHistory.Durability(op, offset >>> SectorPayload.SHIFT,
                (offset + length) >>> SectorPayload.SHIFT, Math.min(f.size(), offset + length), false, what));
    }

    /** A sync or a clean unmount returned after op {@code op}: every file's data, size and name is durable. */
    public void allDurable(int op, String what) {
        for (FileHistory f : live.values()) {
            f.addDurability(new FileHistory.Durability(op, 0, Long.MAX_VALUE, f.size(), true, what));
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
        return new CrashExpectation(Collections.unmodifiableList(started), durableOp, lastOp, sync, what);
    }

    private FileHistory file(String path) {
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
