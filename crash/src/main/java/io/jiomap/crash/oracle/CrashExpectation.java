package io.jiomap.crash.oracle;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a crash state may show at one crash point (docs/crash-consistency.md, "The oracle"), derived from the
 * {@link Model}: the last persistence point that had returned ({@code durableOp}) says what must be there; every op
 * that had started by the crash ({@code lastOp}) may or may not have reached the media.
 *
 * <ul>
 *   <li>A sector covered by a persistence point holds the value it had then, or a value a later started op gave it.
 *   <li>Any other sector holds one of the values it ever had (zeros included: creation, hole, truncate, punch).
 *   <li>The size lies between what the persistence points guarantee and the largest size the file could have.
 *   <li>A file whose name was durable (a sync after its creation) and that no started op removed exists under one of
 *       the names it had since.
 * </ul>
 */
public final class CrashExpectation {
    /**
     * A sector that holds what it may not. Along a damaged range {@code kind} and {@code expected} stay the same
     * (neither names an offset), so consecutive mismatches with the same {@link #key} are reported as one range.
     */
    public record Mismatch(long sector, long found, String kind, String expected, boolean fromElsewhere) {
        public String key() {
            return kind + "|" + expected;
        }

        /** Where the found data came from, when it is a payload from elsewhere. */
        public String origin() {
            return fromElsewhere ? " (from offset " + SectorPayload.fileOffset(found) + " of file #" + SectorPayload.fileId(found)
                    + " on)" : "";
        }
    }

    private final List<FileHistory> files;
    private final int durableOp;
    private final int lastOp;
    private final int syncOp;
    private final String syncWhat;

    CrashExpectation(List<FileHistory> files, int durableOp, int lastOp, int syncOp, String syncWhat) {
        this.files = files;
        this.durableOp = durableOp;
        this.lastOp = lastOp;
        this.syncOp = syncOp;
        this.syncWhat = syncWhat;
    }

    public int durableOp() {
        return durableOp;
    }

    public int lastOp() {
        return lastOp;
    }

    /** The ids of the files created by ops that had started. */
    public List<Integer> fileIds() {
        List<Integer> ids = new ArrayList<>();
        for (FileHistory f : files) {
            ids.add(f.id);
        }
        return ids;
    }

    /** Every name a started op gave any file: the only names the workload may have left. */
    public Set<String> namesEver() {
        Set<String> names = new TreeSet<>();
        for (FileHistory f : files) {
            for (FileHistory.Named n : f.names()) {
                if (n.op() <= lastOp && n.name() != null) {
                    names.add(n.name());
                }
            }
        }
        return names;
    }

    /** The names the file may be found under: the one it had at the last sync and every one it got since. */
    public List<String> namesOf(int fileId) {
        FileHistory f = file(fileId);
        Set<String> names = new LinkedHashSet<>();
        String durable = f.nameAt(syncOp);
        if (durable != null) {
            names.add(durable);
        }
        for (FileHistory.Named n : f.names()) {
            if (n.op() > syncOp && n.op() <= lastOp && n.name() != null) {
                names.add(n.name());
            }
        }
        return List.copyOf(names);
    }

    /** The files that may be found at {@code path}, by id. */
    public List<Integer> candidates(String path) {
        List<Integer> ids = new ArrayList<>();
        for (FileHistory f : files) {
            if (namesOf(f.id).contains(path)) {
                ids.add(f.id);
            }
        }
        return ids;
    }

    /**
     * Why the file must exist, or null when it need not: its name was made durable by a sync and no started op has
     * removed it since.
     */
    public String mustExist(int fileId) {
        FileHistory f = file(fileId);
        if (f.nameAt(syncOp) == null) {
            return null;
        }
        for (FileHistory.Named n : f.names()) {
            if (n.op() > syncOp && n.op() <= lastOp && n.name() == null) {
                return null;
            }
        }
        return "its name " + f.nameAt(syncOp) + " was made durable by " + syncWhat;
    }

    /** The smallest size the file may have. */
    public long minSize(int fileId) {
        FileHistory f = file(fileId);
        long lo = minSizeAfter(f, -1, Long.MAX_VALUE);
        for (FileHistory.Durability d : f.durability()) {
            if (d.op() <= durableOp) {
                lo = Math.max(lo, minSizeAfter(f, d.op(), d.minSize()));
            }
        }
        return lo;
    }

    /** The largest size the file may have. */
    public long maxSize(int fileId) {
        FileHistory f = file(fileId);
        FileHistory.Durability whole = lastWholeFile(f);
        long hi = whole == null ? 0 : f.sizeAt(whole.op());
        int after = whole == null ? Integer.MIN_VALUE : whole.op();
        for (FileHistory.Sized s : f.sizes()) {
            if (s.op() > after && s.op() <= lastOp) {
                hi = Math.max(hi, s.size());
            }
        }
        return hi;
    }

    /** What the size bounds come from, for a failure message. */
    public String sizeReason(int fileId) {
        FileHistory.Durability whole = lastWholeFile(file(fileId));
        return whole == null ? "sizes it had up to op #" + lastOp
                : "size " + file(fileId).sizeAt(whole.op()) + " made durable by " + whole.what()
                + ", and the sizes later ops up to #" + lastOp + " gave it";
    }

    /**
     * How many sectors to check: those below the found size, but none past the largest size the file ever had (a
     * size out of bounds is reported on its own, and a wild one must not make the check read without end).
     */
    public long sectorsToCheck(int fileId, long foundSize) {
        long max = 0;
        for (FileHistory.Sized s : file(fileId).sizes()) {
            if (s.op() <= lastOp) {
                max = Math.max(max, s.size());
            }
        }
        return (Math.max(0, Math.min(max, foundSize)) + SectorPayload.SIZE - 1) >>> SectorPayload.SHIFT;
    }

    /** Null when {@code found} may be in the file's sector {@code sector}; otherwise what is wrong. */
    public Mismatch check(int fileId, long sector, long found) {
        FileHistory f = file(fileId);
        List<FileHistory.Entry> history = f.history(sector);
        FileHistory.Durability durable = null;
        for (FileHistory.Durability d : f.durability()) {
            if (d.op() <= durableOp && sector >= d.from() && sector < d.to()
                    && (durable == null || d.op() > durable.op())) {
                durable = d;
            }
        }
        Set<Long> allowed = new LinkedHashSet<>();
        long base = SectorPayload.ZERO;
        boolean later = false;
        for (FileHistory.Entry e : history) {
            if (e.op() > lastOp) {
                break;
            }
            if (durable == null) {
                allowed.add(e.value());
            } else if (e.op() <= durable.op()) {
                base = e.value();
            } else {
                allowed.add(e.value());
                later = true;
            }
        }
        if (durable != null) {
            allowed.add(base);
        }
        if (allowed.contains(found)) {
            return null;
        }
        String expected;
        if (durable != null) {
            expected = "acknowledged durable by " + durable.what() + " as " + shortly(base)
                    + (later ? " (or a value a later op gave it: " + list(allowed, base) + ")" : "");
        } else {
            expected = "expected one of " + list(allowed, Long.MIN_VALUE);
        }
        boolean elsewhere = SectorPayload.isPayload(found) && (SectorPayload.fileId(found) != f.id
                || SectorPayload.fileOffset(found) != sector << SectorPayload.SHIFT);
        return new Mismatch(sector, found, kind(f, sector, found, durable != null), expected, elsewhere);
    }

    private static String kind(FileHistory f, long sector, long found, boolean durable) {
        if (found == SectorPayload.GARBAGE) {
            return "garbage (neither zeros nor a payload with a valid CRC)";
        }
        if (SectorPayload.isPayload(found) && SectorPayload.fileId(found) != f.id) {
            return "another file's data (" + shortly(found) + ")";
        }
        if (SectorPayload.isPayload(found) && SectorPayload.fileOffset(found) != sector << SectorPayload.SHIFT) {
            return "data of another offset of this file (" + shortly(found) + ")";
        }
        if (durable) {
            return "acknowledged data lost, found " + shortly(found);
        }
        return "stale data (" + shortly(found) + ", never the content here up to the crash)";
    }

    /** A value without its offset, the same along a range: {@code "write #7 (file #1)"}. */
    static String shortly(long value) {
        return SectorPayload.isPayload(value)
                ? "write #" + SectorPayload.writeSeq(value) + " (file #" + SectorPayload.fileId(value) + ")"
                : SectorPayload.describe(value);
    }

    private static String list(Set<Long> values, long except) {
        TreeMap<String, Boolean> shown = new TreeMap<>();
        for (long v : values) {
            if (v != except) {
                shown.put(shortly(v), true);
            }
        }
        return String.join(", ", shown.keySet());
    }

    private FileHistory.Durability lastWholeFile(FileHistory f) {
        FileHistory.Durability whole = null;
        for (FileHistory.Durability d : f.durability()) {
            if (d.wholeFile() && d.op() <= durableOp && (whole == null || d.op() > whole.op())) {
                whole = d;
            }
        }
        return whole;
    }

    /** min(bound, every size the file got from ops in (op, lastOp]). */
    private long minSizeAfter(FileHistory f, int op, long bound) {
        long lo = bound;
        for (FileHistory.Sized s : f.sizes()) {
            if (s.op() > op && s.op() <= lastOp) {
                lo = Math.min(lo, s.size());
            }
        }
        return lo;
    }

    private FileHistory file(int fileId) {
        for (FileHistory f : files) {
            if (f.id == fileId) {
                return f;
            }
        }
        throw new IllegalArgumentException("file #" + fileId + " had not been created by op #" + lastOp);
    }
}
