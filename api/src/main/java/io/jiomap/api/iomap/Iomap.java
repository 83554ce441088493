package io.jiomap.api.iomap;

import java.lang.foreign.MemorySegment;

/**
 * One extent mapping reported by {@link IomapOps#begin}: the file range {@code [offset, offset+length)} and what backs
 * it. Mutable and reused across calls so that mapping iteration allocates nothing (the kernel passes a
 * {@code struct iomap} on the stack the same way).
 */
public final class Iomap {
    /** Freshly allocated: parts not covered by the write must be zeroed (IOMAP_F_NEW). */
    public static final int F_NEW = 1;
    /** The inode has uncommitted metadata needed to reach this data, so FUA alone is not durable (IOMAP_F_DIRTY). */
    public static final int F_DIRTY = 1 << 1;
    /** Blocks are shared (reflink) and this write goes to a copy-on-write staging extent (IOMAP_F_SHARED). */
    public static final int F_SHARED = 1 << 2;
    /**
     * Set by the filesystem: the mapping is no longer valid (IOMAP_F_STALE). The core does not stop on it: set in
     * {@link IomapOps#begin}, the mapping gets no I/O, {@link IomapOps#end} sees nothing processed and the same
     * position is mapped again; set in {@link IomapOps#end}, what was processed counts and the rest of the request is
     * mapped again from there (docs/dio-contract.md, "B1 step 9"). A filesystem that reports stale mappings forever
     * keeps the request looping, as in the kernel.
     */
    public static final int F_STALE = 1 << 9;

    /** {@link #address()} of a mapping without blocks (IOMAP_NULL_ADDR). */
    public static final long NULL_ADDRESS = -1L;

    private long offset;
    private long length;
    private long address = NULL_ADDRESS;
    private IomapType type = IomapType.HOLE;
    private int flags;
    private MemorySegment inlineData = MemorySegment.NULL;

    /** Fills the whole mapping in one call; returns {@code this}. */
    public Iomap set(long offset, long length, long address, IomapType type, int flags) {
        this.offset = offset;
        this.length = length;
        this.address = address;
        this.type = type;
        this.flags = flags;
        return this;
    }

    /** Resets to an empty hole; the core does this before each {@code begin}. */
    public Iomap clear() {
        inlineData = MemorySegment.NULL;
        return set(0, 0, NULL_ADDRESS, IomapType.HOLE, 0);
    }

    /**
     * For an {@link IomapType#INLINE} mapping: the inode's inline data, where byte 0 is file offset
     * {@link #offset()}. The core copies direct reads from it and direct writes into it; the filesystem's
     * {@link IomapOps#end} then persists it and any size change, since it is told how many bytes were written.
     */
    public MemorySegment inlineData() {
        return inlineData;
    }

    public Iomap setInlineData(MemorySegment data) {
        this.inlineData = data;
        return this;
    }

    /** File offset where the mapping starts; at or before the position asked for. */
    public long offset() {
        return offset;
    }

    public long length() {
        return length;
    }

    /** Device byte address of {@link #offset()}, or {@link #NULL_ADDRESS}. */
    public long address() {
        return address;
    }

    /** Device byte address of file position {@code pos} inside this mapping. */
    public long addressOf(long pos) {
        return address + (pos - offset);
    }

    public IomapType type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public void addFlags(int f) {
        flags |= f;
    }

    public long end() {
        return offset + length;
    }

    public void copyFrom(Iomap other) {
        set(other.offset, other.length, other.address, other.type, other.flags);
        inlineData = other.inlineData;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(type).append('[').append(offset).append('+').append(length);
        if (address != NULL_ADDRESS) {
            sb.append(" @").append(address);
        }
        if (hasFlag(F_NEW)) sb.append(" NEW");
        if (hasFlag(F_DIRTY)) sb.append(" DIRTY");
        if (hasFlag(F_SHARED)) sb.append(" SHARED");
        if (hasFlag(F_STALE)) sb.append(" STALE");
        return sb.append(']').toString();
    }
}
