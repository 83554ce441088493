package io.jiomap.crash.oracle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one file went through, by op index: the value each sector took and when, the sizes it had, the names it
 * had, and the persistence points that covered it. The model of fsx's {@code .markN} dumps, kept as history so the
 * expected state at any crash point can be derived, not only at marks.
 */
final class FileHistory {
    /** A sector's value from op {@code op} on. */
    record Entry(int op, long value) {
    }

    /** The file's size from op {@code op} on. */
    record Sized(int op, long size) {
    }

    /** The file's name from op {@code op} on; null: unlinked. */
    record Named(int op, String name) {
    }

    /** A persistence point at op {@code op} covering sectors [{@code from}, {@code to}) and size at least {@code minSize}. */
    record Durability(int op, long from, long to, long minSize, boolean wholeFile, String what) {
    }

    final int id;
    final int createOp;
    private final Map<Long, List<Entry>> sectors = new HashMap<>();
    /** In op order; the first is the size at creation. */
    private final List<Sized> sizes = new ArrayList<>();
    /** In op order; the first is the name at creation. */
    private final List<Named> names = new ArrayList<>();
    private final List<Durability> durability = new ArrayList<>();

    FileHistory(int id, int createOp, String name, long initialSize) {
        this.id = id;
        this.createOp = createOp;
        sizes.add(new Sized(createOp, initialSize));
        names.add(new Named(createOp, name));
    }

    long size() {
        return sizes.getLast().size();
    }

    void setSize(int op, long size) {
        if (size != size()) {
            sizes.add(new Sized(op, size));
        }
    }

    void setName(int op, String name) {
        names.add(new Named(op, name));
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

    List<Named> names() {
        return names;
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

    /** The name in effect after op {@code op} (null: unlinked or not yet created). */
    String nameAt(int op) {
        if (op < createOp) {
            return null;
        }
        String name = null;
        for (Named n : names) {
            if (n.op() > op) {
                break;
            }
            name = n.name();
        }
        return name;
    }
}
