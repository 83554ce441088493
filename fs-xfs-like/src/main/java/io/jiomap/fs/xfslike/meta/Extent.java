package io.jiomap.fs.xfslike.meta;

/**
 * One extent map record (XFS bmbt record): file blocks {@code [startoff, startoff + blockcount)} are device blocks
 * {@code [startblock, ...)}; {@code unwritten} ones read as zeros until end_io converts them.
 */
public record Extent(long startoff, long startblock, long blockcount, boolean unwritten) {
    public long end() {
        return startoff + blockcount;
    }

    public long blockOf(long off) {
        return startblock + (off - startoff);
    }

    public boolean contains(long off) {
        return off >= startoff && off < end();
    }

    /** The part of this extent inside {@code [off, off + len)}, or null. */
    public Extent clip(long off, long len) {
        long s = Math.max(off, startoff);
        long e = Math.min(off + len, end());
        if (s >= e) {
            return null;
        }
        return new Extent(s, blockOf(s), e - s, unwritten);
    }

    public Extent withUnwritten(boolean u) {
        return new Extent(startoff, startblock, blockcount, u);
    }

    /** The 16-byte on-disk record: flag:1 | startoff:54 | startblock:52 | blockcount:21 (FORMAT.md, bmbt). */
    public long packedHigh() {
        return (unwritten ? 1L << 63 : 0) | ((startoff & ((1L << 54) - 1)) << 9) | (startblock >>> 43);
    }

    public long packedLow() {
        return ((startblock & ((1L << 43) - 1)) << 21) | (blockcount & ((1L << 21) - 1));
    }

    public static Extent unpack(long high, long low) {
        boolean u = high < 0;
        long startoff = (high >>> 9) & ((1L << 54) - 1);
        long startblock = ((high & 0x1ff) << 43) | (low >>> 21);
        long count = low & ((1L << 21) - 1);
        return new Extent(startoff, startblock, count, u);
    }
}
