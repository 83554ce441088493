package io.jiomap.crash.oracle;

import io.jiomap.api.vfs.FileKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a crash state may show at one crash point (docs/crash-consistency.md, "The oracle"), derived from the
 * {@link Model}: the last persistence point that had returned ({@code durableOp}) says what must be there; every op
 * that had started by the crash ({@code lastOp}) may or may not have reached the media.
 *
 * <ul>
 *   <li>The names are what the last sync left after some of the namespace ops started since, each whole or not at
 *       all ({@link #reachable}); a file has as many links as names.
 *   <li>A sector covered by a persistence point holds the value it had then, or a value a later started op gave it.
 *   <li>Any other sector holds one of the values it ever had (zeros included: creation, hole, truncate, punch).
 *   <li>The size lies between what the persistence points guarantee and the largest size the file could have.
 *   <li>An attribute holds a value it had; after an fsync or sync, the value then or a later one
 *       ({@link #checkAttribute}).
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
    /** The namespace ops that had started, in op order. */
    private final List<Model.NameChange> changes;
    private final int durableOp;
    private final int lastOp;
    private final int syncOp;
    private final String syncWhat;
    /** What each name held after the last sync (absent: nothing). */
    private final Map<String, Integer> atSync = new TreeMap<>();
    /** The namespace ops since the last sync that had started, in op order. */
    private final List<Model.NameChange> window = new ArrayList<>();

    CrashExpectation(List<FileHistory> files, List<Model.NameChange> changes, int durableOp, int lastOp, int syncOp,
                     String syncWhat) {
        this.files = files;
        this.changes = changes;
        this.durableOp = durableOp;
        this.lastOp = lastOp;
        this.syncOp = syncOp;
        this.syncWhat = syncWhat;
        for (Model.NameChange c : changes) {
            if (c.op() <= syncOp) {
                c.names().forEach((name, id) -> {
                    if (id == 0) {
                        atSync.remove(name);
                    } else {
                        atSync.put(name, id);
                    }
                });
            } else {
                window.add(c);
            }
        }
    }

    public int durableOp() {
        return durableOp;
    }

    public int lastOp() {
        return lastOp;
    }

    /** The op of the last sync before the crash, -1 if none: what made the names durable. */
    public int syncOp() {
        return syncOp;
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
        for (Model.NameChange c : changes) {
            c.names().forEach((name, id) -> {
                if (id != 0) {
                    names.add(name);
                }
            });
        }
        return names;
    }

    /** What the name may hold: what it held at the last sync and what every later started op left there (0: none). */
    public Set<Integer> possible(String name) {
        Set<Integer> values = new LinkedHashSet<>();
        values.add(atSync.getOrDefault(name, 0));
        for (Model.NameChange c : window) {
            Integer id = c.names().get(name);
            if (id != null) {
                values.add(id);
            }
        }
        return values;
    }

    /** What the name held at the last sync (0: nothing). */
    public int durableValue(String name) {
        return atSync.getOrDefault(name, 0);
    }

    /** Whether an op since the last sync that had started changed the name. */
    public boolean changedSinceSync(String name) {
        for (Model.NameChange c : window) {
            if (c.names().containsKey(name)) {
                return true;
            }
        }
        return false;
    }

    /** The ops since the last sync that changed names and had started. */
    public List<Integer> namespaceOpsSinceSync() {
        List<Integer> ops = new ArrayList<>();
        for (Model.NameChange c : window) {
            ops.add(c.op());
        }
        return ops;
    }

    /** The names the file may be found under: those it had at the last sync, then those it got since. */
    public List<String> namesOf(int fileId) {
        Set<String> names = new LinkedHashSet<>();
        atSync.forEach((name, id) -> {
            if (id == fileId) {
                names.add(name);
            }
        });
        for (Model.NameChange c : window) {
            c.names().forEach((name, id) -> {
                if (id == fileId) {
                    names.add(name);
                }
            });
        }
        return List.copyOf(names);
    }

    /** The files that may be found at {@code path}, by id, ascending. */
    public List<Integer> candidates(String path) {
        List<Integer> ids = new ArrayList<>();
        for (int id : possible(path)) {
            if (id != 0) {
                ids.add(id);
            }
        }
        ids.sort(null);
        return ids;
    }

    /** Regular file or symbolic link. */
    public FileKind kind(int fileId) {
        return file(fileId).kind;
    }

    /** A symbolic link's target, exactly as it was written. */
    public String target(int fileId) {
        return file(fileId).target;
    }

    /**
     * Why the file must exist, or null when it need not: it had a name at the last sync and no started op since left
     * it without one.
     */
    public String mustExist(int fileId) {
        String durable = null;
        for (Map.Entry<String, Integer> e : atSync.entrySet()) {
            if (e.getValue() == fileId) {
                durable = e.getKey();
                break;
            }
        }
        if (durable == null) {
            return null;
        }
        Map<String, Integer> names = new TreeMap<>(atSync);
        for (Model.NameChange c : window) {
            apply(names, c);
            if (!names.containsValue(fileId)) {
                return null;
            }
        }
        return "its name " + durable + " was made durable by " + syncWhat;
    }

    /** The most names the file had at once from the last sync on: more found at once is a non-atomic rename. */
    public int maxNames(int fileId) {
        Map<String, Integer> names = new TreeMap<>(atSync);
        int max = count(names, fileId);
        for (Model.NameChange c : window) {
            apply(names, c);
            max = Math.max(max, count(names, fileId));
        }
        return max;
    }

    private static void apply(Map<String, Integer> names, Model.NameChange c) {
        c.names().forEach((name, id) -> {
            if (id == 0) {
                names.remove(name);
            } else {
                names.put(name, id);
            }
        });
    }

    private static int count(Map<String, Integer> names, int fileId) {
        int n = 0;
        for (int id : names.values()) {
            if (id == fileId) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether the names found (name to file id; a name not in the map holds nothing) are what the last sync left
     * after some of the namespace ops started since, each applied whole or not at all, in their order: a rename is
     * both its names changed or neither, an exchange both names swapped or neither, a link the new name or not.
     */
    public boolean reachable(Map<String, Integer> found) {
        List<String> universe = new ArrayList<>();
        for (Model.NameChange c : window) {
            for (String name : c.names().keySet()) {
                if (!universe.contains(name)) {
                    universe.add(name);
                }
            }
        }
        // A name no op since the sync touched holds what the sync left.
        Set<String> all = new TreeSet<>(atSync.keySet());
        all.addAll(found.keySet());
        for (String name : all) {
            if (!universe.contains(name) && found.getOrDefault(name, 0) != durableValue(name)) {
                return false;
            }
        }
        int[] want = new int[universe.size()];
        int[] sync = new int[universe.size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = found.getOrDefault(universe.get(i), 0);
            sync[i] = durableValue(universe.get(i));
        }
        int[][] effectName = new int[window.size()][];
        int[][] effectId = new int[window.size()][];
        for (int k = 0; k < window.size(); k++) {
            Map<String, Integer> names = window.get(k).names();
            effectName[k] = new int[names.size()];
            effectId[k] = new int[names.size()];
            int j = 0;
            for (Map.Entry<String, Integer> e : names.entrySet()) {
                effectName[k][j] = universe.indexOf(e.getKey());
                effectId[k][j++] = e.getValue();
            }
        }
        return search(window.size() - 1, new BitSet(), want, sync, effectName, effectId, new HashSet<>());
    }

    /**
     * Ops {@code 0..k} still to decide, last first; {@code decided}: names a later included op already fixed. An op
     * may be included when every name it touches is decided or gets the value found.
     */
    private static boolean search(int k, BitSet decided, int[] want, int[] sync, int[][] effectName,
                                  int[][] effectId, Set<String> failed) {
        if (k < 0) {
            for (int i = 0; i < want.length; i++) {
                if (!decided.get(i) && want[i] != sync[i]) {
                    return false;
                }
            }
            return true;
        }
        String key = k + ":" + decided;
        if (failed.contains(key)) {
            return false;
        }
        boolean fits = true;
        for (int j = 0; j < effectName[k].length && fits; j++) {
            int name = effectName[k][j];
            fits = decided.get(name) || effectId[k][j] == want[name];
        }
        if (fits) {
            BitSet with = (BitSet) decided.clone();
            for (int name : effectName[k]) {
                with.set(name);
            }
            if (search(k - 1, with, want, sync, effectName, effectId, failed)) {
                return true;
            }
        }
        if (search(k - 1, decided, want, sync, effectName, effectId, failed)) {
            return true;
        }
        failed.add(key);
        return false;
    }

    /**
     * Null when {@code found} may be the file's {@code attribute}; otherwise what is wrong. After a persistence point
     * covering the attributes (fsync, sync) the value then or one a later started op gave it; before, any value it
     * had. A value the filesystem chose lazily (times a write or read changed) anywhere in that range: not checked.
     */
    public String checkAttribute(int fileId, Attribute attribute, long found) {
        FileHistory f = file(fileId);
        FileHistory.Durability durable = null;
        for (FileHistory.Durability d : f.durability()) {
            if (d.attributes() && d.op() <= durableOp && (durable == null || d.op() > durable.op())) {
                durable = d;
            }
        }
        Long base = null;
        boolean hasBase = false;
        Set<Long> allowed = new LinkedHashSet<>();
        for (FileHistory.Valued v : f.attributeHistory(attribute)) {
            if (v.op() > lastOp) {
                break;
            }
            if (durable != null && v.op() <= durable.op()) {
                base = v.value();
                hasBase = true;
            } else {
                if (v.value() == null) {
                    return null;
                }
                allowed.add(v.value());
            }
        }
        if (hasBase) {
            if (base == null) {
                return null;
            }
            allowed.add(base);
        }
        if (allowed.isEmpty() || allowed.contains(found)) {
            return null;
        }
        String name = attribute.name().toLowerCase(Locale.ROOT);
        if (durable != null) {
            return name + " " + format(attribute, found) + ", but " + durable.what() + " made it "
                    + format(attribute, base) + (allowed.size() > 1 ? " (later ops allow "
                    + formatAll(attribute, allowed, base) + ")" : "");
        }
        return name + " " + format(attribute, found) + ", never a value it had (" + formatAll(attribute, allowed,
                null) + ")";
    }

    private static String formatAll(Attribute a, Set<Long> values, Long except) {
        List<String> shown = new ArrayList<>();
        for (Long v : values) {
            if (!v.equals(except)) {
                shown.add(format(a, v));
            }
        }
        return String.join(", ", shown);
    }

    /** An attribute value as stat(1) would show it: a mode in octal, a time as an instant. */
    public static String format(Attribute a, long value) {
        return switch (a) {
            case MODE -> "0" + Long.toOctalString(value);
            case UID, GID -> Long.toString(value);
            case ATIME, MTIME -> Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L),
                    Math.floorMod(value, 1_000_000_000L)).toString();
        };
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
