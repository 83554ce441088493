package io.jiomap.crash.oracle;

import io.jiomap.api.vfs.FileKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one file or symbolic link went through, by op index: the value each sector took and when, the sizes it
 * had, the attribute values it had, and the persistence points that covered it. The model of fsx's {@code .markN}
 * dumps, kept as history so the expected state at any crash point can be derived, not only at marks. Its names are
 * the {@link Model}'s: a file may have several (hard links).
 */
final class FileHistory {
    /** A sector's value from op {@code op} on. */
    record Entry(int op, long value) {
    }

    /** The file's size from op {@code op} on. */
    record Sized(int op, long size) {
    }

    /** An attribute's value from op {@code op} on; null: one the filesystem chose and need not keep (lazytime). */
    record Valued(int op, Long value) {
    }

    /**
     * A persistence point at op {@code op} covering sectors [{@code from}, {@code to}) and size at least
     * {@code minSize}; {@code attributes}: also the inode's attributes (fsync and sync, not fdatasync or O_DSYNC).
     */
    record Durability(int op, long from, long to, long minSize, boolean wholeFile, boolean attributes, String what) {
    }

    final int id;
    final int createOp;
    final FileKind kind;
    /** A symbolic link's target; null for a regular file. */
    final String target;
    private final Map<Long, List<Entry>> sectors = new HashMap<>();
    /** In op order; the first is the size at creation. */
    private final List<Sized> sizes = new ArrayList<>();
    /** Per attribute, in op order; the first is the value at creation. */
    private final Map<Attribute, List<Valued>> attributes = new EnumMap<>(Attribute.class);
    private final List<Durability> durability = new ArrayList<>();

    FileHistory(int id, int createOp, FileKind kind, String target, long initialSize, Map<Attribute, Long> initial) {
        this.id = id;
        this.createOp = createOp;
        this.kind = kind;
        this.target = target;
        sizes.add(new Sized(createOp, initialSize));
        for (Attribute a : Attribute.values()) {
            List<Valued> h = new ArrayList<>(2);
            h.add(new Valued(createOp, initial.get(a)));
            attributes.put(a, h);
        }
    }

    long size() {
        return sizes.getLast().size();
    }

    void setSize(int op, long size) {
        if (size != size()) {
            sizes.add(new Sized(op, size));
        }
    }

    /** The attribute's value now; null when the filesystem chose it. */
    Long attribute(Attribute a) {
        return attributes.get(a).getLast().value();
    }

    void setAttribute(int op, Attribute a, Long value) {
        if (!Objects.equals(attribute(a), value)) {
            attributes.get(a).add(new Valued(op, value));
        }
    }

    List<Valued> attributeHistory(Attribute a) {
        return attributes.get(a);
    }

    long current(long sector) {
        List<Entry> h = sectors.get(sector);
        return h == null ? SectorPayload.ZERO : h.get(h.size() - 1).value();
    }

    void set(int op, long sector, long value) {
        if (current(sector) != value) {
            sectors.computeIfAbsent(sector, s -> new ArrayList<>(2)).add(new Entry(op, value));
        }
    }

    /** Sectors holding a non-zero value now. */
    List<Long> nonZeroSectors() {
        List<Long> result = new ArrayList<>();
        sectors.forEach((s, h) -> {
            if (h.get(h.size() - 1).value() != SectorPayload.ZERO) {
                result.add(s);
            }
        });
        return result;
    }

    void addDurability(Durability d) {
        durability.add(d);
    }

    /** The sector's history, with the implicit zeros of creation first. */
    List<Entry> history(long sector) {
        List<Entry> h = sectors.get(sector);
        List<Entry> result = new ArrayList<>((h == null ? 0 : h.size()) + 1);
        result.add(new Entry(createOp, SectorPayload.ZERO));
        if (h != null) {
            result.addAll(h);
        }
        return result;
    }

    List<Sized> sizes() {
        return sizes;
    }

    List<Durability> durability() {
        return durability;
    }

    /** The size in effect after op {@code op}. */
    long sizeAt(int op) {
        long size = sizes.getFirst().size();
        for (Sized s : sizes) {
            if (s.op() > op) {
                break;
            }
            size = s.size();
        }
        return size;
    }
}
