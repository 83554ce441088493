package io.jiomap.cli.fio;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * {@code verify=crc32c}: the layout of a verified block and its check.
 *
 * <pre>
 *   0  int   magic "jiom"
 *   4  int   CRC32C of bytes [8, bs)
 *   8  long  the block's file offset
 *  16  long  the write's sequence number (1, 2, ... per job)
 *  24  ...   bytes from a generator seeded by offset and sequence
 * </pre>
 *
 * The offset catches a write that landed in the wrong place, the sequence number a write that was lost (an older
 * copy reads back), the CRC any corrupted byte. Filling and checking allocate nothing: the CRC reads the buffer
 * through a ByteBuffer view made once per slot.
 */
final class BlockVerifier {
    static final int HEADER_BYTES = 24;
    static final int MAGIC = 0x6a696f6d;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int blockSize;
    private final long seed;
    private final CRC32C crc = new CRC32C();

    BlockVerifier(int blockSize, long seed) {
        this.blockSize = blockSize;
        this.seed = seed;
    }

    /** The view {@link #fill} and {@link #check} checksum through, made once per buffer. */
    ByteBuffer view(MemorySegment block) {
        return block.asSlice(8, blockSize - 8).asByteBuffer();
    }

    /** Writes header and data for the write of sequence {@code seq} at {@code offset} into {@code block}. */
    void fill(MemorySegment block, ByteBuffer view, long offset, long seq) {
        block.set(INT, 0, MAGIC);
        block.set(LONG, 8, offset);
        block.set(LONG, 16, seq);
        long x = mix(seed ^ offset ^ (seq * 0x9E3779B97F4A7C15L));
        int end = blockSize & ~7;
        for (int i = HEADER_BYTES; i < end; i += 8) {
            x ^= x >>> 12;
            x ^= x << 25;
            x ^= x >>> 27;
            block.set(LONG, i, x * 0x2545F4914F6CDD1DL);
        }
        for (int i = Math.max(end, HEADER_BYTES); i < blockSize; i++) {
            block.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        block.set(INT, 4, checksum(view));
    }

    /**
     * Checks a block read back from {@code offset} whose last completed write had sequence {@code seq}.
     *
     * @return null when it is intact, else what is wrong
     */
    String check(MemorySegment block, ByteBuffer view, long offset, long seq) {
        int magic = block.get(INT, 0);
        long storedOffset = block.get(LONG, 8);
        long storedSeq = block.get(LONG, 16);
        int stored = block.get(INT, 4);
        int computed = checksum(view);
        if (magic != MAGIC) {
            return String.format(Locale.ROOT, "bad magic 0x%08x (expected 0x%08x): the block holds no verify header",
                    magic, MAGIC);
        }
        if (stored != computed) {
            return String.format(Locale.ROOT, "crc32c mismatch: stored 0x%08x, computed 0x%08x (header: offset %d,"
                    + " seq %d)", stored, computed, storedOffset, storedSeq);
        }
        if (storedOffset != offset) {
            return "the block holds the data written for offset " + storedOffset;
        }
        if (storedSeq != seq) {
            return "the block holds write #" + storedSeq + " but write #" + seq + " was the last to complete";
        }
        return null;
    }

    private int checksum(ByteBuffer view) {
        view.clear();
        crc.reset();
        crc.update(view);
        return (int) crc.getValue();
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return z == 0 ? 1 : z;
    }
}
