package io.jiomap.device.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The device's volatile write cache over its {@link Backing} (docs/devices.md, "Write cache, FUA and flush"): a
 * completed write is visible to every later read at once, but durable only once written back by a FLUSH, or when it was
 * FUA. {@link #powerCut} forgets everything not written back.
 *
 * <p>Cached data lives in 1 MiB native lines, one per media extent that has been written through the cache, with one
 * dirty bit per logical block. A read takes the media first and lays the dirty blocks over it, so the media stays the
 * single source of everything clean. Flush and power cut visit only the lines on the dirty list, not the whole table.
 *
 * <p>One lock guards the cache: every queue's thread goes through it, and a flush must see a consistent set of dirty
 * blocks. A line, once allocated, is kept, so steady-state writes allocate nothing.
 */
final class WriteCache {
    private static final int LINE_SHIFT = MemoryBacking.EXTENT_SHIFT;
    private static final int LINE_SIZE = 1 << LINE_SHIFT;

    private final Backing media;
    private final Arena arena = Arena.ofShared();
    private final long capacity;
    private final int blockShift;
    private final Line[] lines;
    private final List<Line> dirtyLines = new ArrayList<>();

    private static final class Line {
        final long base;
        final MemorySegment data;
        final BitSet dirty;
        boolean onDirtyList;

        Line(long base, MemorySegment data, int blocks) {
            this.base = base;
            this.data = data;
            this.dirty = new BitSet(blocks);
        }
    }

    WriteCache(Backing media, long capacity, int logicalBlockSize) {
        this.media = media;
        this.capacity = capacity;
        this.blockShift = Integer.numberOfTrailingZeros(logicalBlockSize);
        this.lines = new Line[(int) ((capacity + LINE_SIZE - 1) >>> LINE_SHIFT)];
    }

    synchronized void read(long address, MemorySegment dst, long dstOffset, int length) throws IOException {
        media.read(address, dst, dstOffset, length);
        long end = address + length;
        while (address < end) {
            Line line = lines[(int) (address >>> LINE_SHIFT)];
            long lineEnd = Math.min(end, ((address >>> LINE_SHIFT) + 1) << LINE_SHIFT);
            if (line != null && !line.dirty.isEmpty()) {
                overlayDirty(line, address, lineEnd, dst, dstOffset + (address - (end - length)));
            }
            address = lineEnd;
        }
    }

    /** Copies the dirty blocks of {@code [from, to)} (one line) over {@code dst}, which holds that range's media. */
    private void overlayDirty(Line line, long from, long to, MemorySegment dst, long dstAtFrom) {
        int first = (int) ((from - line.base) >>> blockShift);
        int last = (int) ((to - line.base) >>> blockShift);
        for (int b = line.dirty.nextSetBit(first); b >= 0 && b < last; b = line.dirty.nextSetBit(b)) {
            int runEnd = Math.min(line.dirty.nextClearBit(b), last);
            long offset = (long) b << blockShift;
            MemorySegment.copy(line.data, offset, dst, dstAtFrom + (line.base + offset - from),
                    (long) (runEnd - b) << blockShift);
            b = runEnd;
        }
    }

    /** A write into the cache: visible at once, durable after the next flush. */
    synchronized void write(long address, MemorySegment src, long srcOffset, int length) {
        long end = address + length;
        while (address < end) {
            int index = (int) (address >>> LINE_SHIFT);
            long lineEnd = Math.min(end, ((long) index + 1) << LINE_SHIFT);
            Line line = line(index);
            int n = (int) (lineEnd - address);
            MemorySegment.copy(src, srcOffset, line.data, address - line.base, n);
            line.dirty.set((int) ((address - line.base) >>> blockShift), (int) ((lineEnd - line.base) >>> blockShift));
            if (!line.onDirtyList) {
                line.onDirtyList = true;
                dirtyLines.add(line);
            }
            srcOffset += n;
            address = lineEnd;
        }
    }

    /**
     * A FUA write: straight to the media, and any cached copy of those blocks stops being dirty, so neither a read
     * nor a later flush brings the older cached data back.
     */
    synchronized void writeThrough(long address, MemorySegment src, long srcOffset, int length) throws IOException {
        media.write(address, src, srcOffset, length);
        long end = address + length;
        while (address < end) {
            int index = (int) (address >>> LINE_SHIFT);
            long lineEnd = Math.min(end, ((long) index + 1) << LINE_SHIFT);
            Line line = lines[index];
            if (line != null) {
                line.dirty.clear((int) ((address - line.base) >>> blockShift),
                        (int) ((lineEnd - line.base) >>> blockShift));
            }
            address = lineEnd;
        }
    }

    /**
     * A discard: the media's range is discarded at once and any cached copy of those blocks stops being dirty, as
     * for a FUA write. Durable at once is one of the outcomes a discard allows before the next flush.
     */
    synchronized void discard(long address, long length) throws IOException {
        media.discard(address, length);
        long end = address + length;
        while (address < end) {
            int index = (int) (address >>> LINE_SHIFT);
            long lineEnd = Math.min(end, ((long) index + 1) << LINE_SHIFT);
            Line line = lines[index];
            if (line != null) {
                line.dirty.clear((int) ((address - line.base) >>> blockShift),
                        (int) ((lineEnd - line.base) >>> blockShift));
            }
            address = lineEnd;
        }
    }

    /**
     * Writes every dirty block back to the media. A line leaves the dirty list only once written back, so a media
     * error fails the flush with the rest still dirty, and a retry writes them.
     */
    synchronized void flush() throws IOException {
        while (!dirtyLines.isEmpty()) {
            Line line = dirtyLines.getLast();
            BitSet dirty = line.dirty;
            for (int b = dirty.nextSetBit(0); b >= 0; ) {
                int runEnd = dirty.nextClearBit(b);
                long offset = (long) b << blockShift;
                media.write(line.base + offset, line.data, offset, (runEnd - b) << blockShift);
                dirty.clear(b, runEnd);
                b = dirty.nextSetBit(runEnd);
            }
            line.onDirtyList = false;
            dirtyLines.removeLast();
        }
    }

    /** Forgets every block not written back: they read as what the media holds. */
    synchronized void powerCut() {
        for (Line line : dirtyLines) {
            line.dirty.clear();
            line.onDirtyList = false;
        }
        dirtyLines.clear();
    }

    /** Whether any block is dirty. */
    synchronized boolean isDirty() {
        return !dirtyLines.isEmpty();
    }

    private Line line(int index) {
        Line line = lines[index];
        if (line == null) {
            long base = (long) index << LINE_SHIFT;
            int size = (int) Math.min(LINE_SIZE, capacity - base);
            line = new Line(base, arena.allocate(size, 4096), size >>> blockShift);
            lines[index] = line;
        }
        return line;
    }

    /** Frees the cache lines; the caller guarantees nothing touches the cache any more. */
    synchronized void free() {
        java.util.Arrays.fill(lines, null);
        dirtyLines.clear();
        arena.close();
    }
}
