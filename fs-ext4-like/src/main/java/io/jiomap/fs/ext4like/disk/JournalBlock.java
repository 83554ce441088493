package io.jiomap.fs.ext4like.disk;

/**
 * Codec of journal blocks (FORMAT.md section 7), big-endian as jbd2's: every block starts with the magic
 * 0xC03B3998, a block type and the transaction sequence.
 */
public final class JournalBlock {
    public static final long MAGIC = 0xC03B3998L;
    public static final int DESCRIPTOR = 1;
    public static final int COMMIT = 2;
    public static final int SUPERBLOCK = 4;
    public static final int REVOKE = 5;
    public static final int TAG_ESCAPE = 1;
    public static final int TAG_LAST = 8;
    public static final int TAG_SIZE = 12;
    public static final int HEADER = 12;

    private JournalBlock() {
    }

    public static void header(byte[] b, int type, long sequence) {
        java.util.Arrays.fill(b, (byte) 0);
        Bytes.be32(b, 0, MAGIC);
        Bytes.be32(b, 4, type);
        Bytes.be32(b, 8, sequence);
    }

    public static boolean isJournalBlock(byte[] b) {
        return Bytes.be32(b, 0) == MAGIC;
    }

    public static int type(byte[] b) {
        return (int) Bytes.be32(b, 4);
    }

    public static long sequence(byte[] b) {
        return Bytes.be32(b, 8);
    }

    /** Tags a descriptor block holds, leaving room for its checksum tail. */
    public static int tagsPerDescriptor(int blockSize) {
        return (blockSize - HEADER - 4) / TAG_SIZE;
    }

    /** Block numbers a revoke block holds: header, a count, the numbers, the checksum tail. */
    public static int revokesPerBlock(int blockSize) {
        return (blockSize - HEADER - 4 - 4) / 4;
    }

    /** Seals a descriptor or revoke block with the CRC32C of everything before its last 4 bytes. */
    public static void sealTail(byte[] b) {
        Bytes.be32(b, b.length - 4, Bytes.crc(0, b, 0, b.length - 4) & 0xFFFFFFFFL);
    }

    public static boolean tailValid(byte[] b) {
        return Bytes.be32(b, b.length - 4) == (Bytes.crc(0, b, 0, b.length - 4) & 0xFFFFFFFFL);
    }

    // Journal superblock: blocksize, maxlen, first, sequence, start, checksum.
    public static void encodeSuper(byte[] b, int blockSize, long maxLen, long sequence, long start) {
        header(b, SUPERBLOCK, 0);
        Bytes.be32(b, 12, blockSize);
        Bytes.be32(b, 16, maxLen);
        Bytes.be32(b, 20, 1);
        Bytes.be32(b, 24, sequence);
        Bytes.be32(b, 28, start);
        Bytes.be32(b, 0xFC, Bytes.crc(0, b, 0, 0xFC) & 0xFFFFFFFFL);
    }

    /** The journal superblock's fields: {blocksize, maxlen, first, sequence, start}. */
    public static long[] decodeSuper(byte[] b, String where) throws FormatException {
        if (!isJournalBlock(b) || type(b) != SUPERBLOCK) {
            throw new FormatException(where + ": no journal superblock (magic 0x" + Long.toHexString(Bytes.be32(b, 0))
                    + ", type " + type(b) + ")");
        }
        if (Bytes.be32(b, 0xFC) != (Bytes.crc(0, b, 0, 0xFC) & 0xFFFFFFFFL)) {
            throw new FormatException(where + ": journal superblock checksum does not match its contents");
        }
        return new long[] {Bytes.be32(b, 12), Bytes.be32(b, 16), Bytes.be32(b, 20), Bytes.be32(b, 24),
            Bytes.be32(b, 28)};
    }
}
