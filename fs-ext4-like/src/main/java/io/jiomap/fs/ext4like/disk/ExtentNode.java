package io.jiomap.fs.ext4like.disk;

import java.util.ArrayList;
import java.util.List;

/**
 * Codec of extent-tree nodes (FORMAT.md section 5): a 12-byte header (magic 0xF30A, entries, max, depth,
 * generation) and 12-byte entries; the root is the inode's 60-byte i_block (4 entries), other nodes are whole
 * blocks of (blocksize - 16) / 12 entries followed by a CRC32C tail.
 */
public final class ExtentNode {
    public static final int MAGIC = 0xF30A;
    public static final int HEADER = 12;
    public static final int ENTRY = 12;
    public static final int ROOT_MAX = 4;
    public static final int MAX_DEPTH = 5;

    /** One index entry: the subtree starting at logical block {@code logical} lives in block {@code child}. */
    public record Index(long logical, long child) {
    }

    /** A decoded node: leaves carry extents, index nodes carry index entries. */
    public record Decoded(int depth, int max, List<Extent> extents, List<Index> indexes) {
    }

    private ExtentNode() {
    }

    public static int blockMax(int blockSize) {
        return (blockSize - HEADER - 4) / ENTRY;
    }

    public static void encodeLeaf(byte[] b, int off, int max, List<Extent> extents) {
        header(b, off, extents.size(), max, 0);
        int p = off + HEADER;
        for (Extent e : extents) {
            Bytes.u32(b, p, e.logical());
            Bytes.u16(b, p + 4, e.encodedLength());
            Bytes.u16(b, p + 6, (int) (e.physical() >>> 32));
            Bytes.u32(b, p + 8, e.physical() & 0xFFFFFFFFL);
            p += ENTRY;
        }
    }

    public static void encodeIndex(byte[] b, int off, int max, int depth, List<Index> indexes) {
        header(b, off, indexes.size(), max, depth);
        int p = off + HEADER;
        for (Index i : indexes) {
            Bytes.u32(b, p, i.logical());
            Bytes.u32(b, p + 4, i.child() & 0xFFFFFFFFL);
            Bytes.u16(b, p + 8, (int) (i.child() >>> 32));
            Bytes.u16(b, p + 10, 0);
            p += ENTRY;
        }
    }

    private static void header(byte[] b, int off, int entries, int max, int depth) {
        java.util.Arrays.fill(b, off, off + HEADER + max * ENTRY, (byte) 0);
        Bytes.u16(b, off, MAGIC);
        Bytes.u16(b, off + 2, entries);
        Bytes.u16(b, off + 4, max);
        Bytes.u16(b, off + 6, depth);
    }

    /** Writes the CRC32C tail of a block node, seeded with the owning inode. */
    public static void seal(byte[] block, long ino) {
        int max = blockMax(block.length);
        Bytes.u32(block, HEADER + max * ENTRY, Bytes.crc(ino, block, 0, HEADER + max * ENTRY) & 0xFFFFFFFFL);
    }

    /**
     * Decodes and validates a node.
     *
     * @param expectMax the max entries a node here must declare (4 in the inode, the block's capacity elsewhere)
     * @param tailIno   the inode the tail checksum is seeded with, or -1 for the root (no tail)
     */
    public static Decoded decode(byte[] b, int off, int expectMax, long tailIno, String where) throws FormatException {
        int magic = Bytes.u16(b, off);
        if (magic != MAGIC) {
            throw new FormatException(where + ": extent header magic 0x" + Integer.toHexString(magic)
                    + ", expected 0xf30a");
        }
        int entries = Bytes.u16(b, off + 2);
        int max = Bytes.u16(b, off + 4);
        int depth = Bytes.u16(b, off + 6);
        if (max != expectMax) {
            throw new FormatException(where + ": extent header max " + max + ", expected " + expectMax);
        }
        if (entries > max) {
            throw new FormatException(where + ": extent header has " + entries + " entries, more than its max " + max);
        }
        if (depth > MAX_DEPTH) {
            throw new FormatException(where + ": extent tree depth " + depth + " exceeds " + MAX_DEPTH);
        }
        if (tailIno >= 0) {
            long stored = Bytes.u32(b, off + HEADER + max * ENTRY);
            long computed = Bytes.crc(tailIno, b, off, HEADER + max * ENTRY) & 0xFFFFFFFFL;
            if (stored != computed) {
                throw new FormatException(where + ": extent block checksum 0x" + Long.toHexString(stored)
                        + " does not match its contents (0x" + Long.toHexString(computed) + ")");
            }
        }
        List<Extent> extents = new ArrayList<>();
        List<Index> indexes = new ArrayList<>();
        int p = off + HEADER;
        for (int i = 0; i < entries; i++, p += ENTRY) {
            long logical = Bytes.u32(b, p);
            if (depth == 0) {
                int len = Bytes.u16(b, p + 4);
                boolean unwritten = len > Extent.MAX_INIT;
                long phys = (long) Bytes.u16(b, p + 6) << 32 | Bytes.u32(b, p + 8);
                if (len == 0) {
                    throw new FormatException(where + ": extent " + i + " at logical block " + logical
                            + " has length 0");
                }
                extents.add(new Extent(logical, unwritten ? len - Extent.MAX_INIT : len, phys, unwritten));
            } else {
                long child = Bytes.u32(b, p + 4) | (long) Bytes.u16(b, p + 8) << 32;
                indexes.add(new Index(logical, child));
            }
        }
        return new Decoded(depth, max, extents, indexes);
    }
}
