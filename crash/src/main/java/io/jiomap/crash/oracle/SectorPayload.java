package io.jiomap.crash.oracle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The self-identifying content of every 512-byte sector a workload writes (docs/crash-consistency.md, "The oracle"):
 * the sector names the file it was written to, its offset in that file and the write that put it there, and ends with a
 * CRC32C, so stale data, another file's data, a freed block's data or garbage is recognised wherever it turns up.
 *
 * <p>Layout (little endian): magic (8), fileId (4), file offset (8), writeSeq (4), filler derived from the three
 * (488), CRC32C of bytes [0, 508) (4).
 *
 * <p>A sector's content is summarised as a {@code long} value: {@link #ZERO} for all zeros, {@link #GARBAGE} for
 * anything else that is not a valid payload, else {@link #value}.
 */
public final class SectorPayload {
    /** The payload unit: every write is a whole number of these. */
    public static final int SIZE = 512;
    public static final int SHIFT = 9;
    /** An all-zero sector: a hole, an unwritten extent, a punched or truncated range. */
    public static final long ZERO = 0;
    /** Neither zeros nor a payload with a valid CRC. */
    public static final long GARBAGE = -1;
    /** The largest file id a value can carry (65535 is the bit pattern of {@link #GARBAGE}). */
    public static final int MAX_FILE_ID = 0xFFFE;
    /** The largest write sequence number a value can carry. */
    public static final int MAX_WRITE_SEQ = 0xFFFFFF;
    /** The largest file offset a value can carry: 2^24 sectors. */
    public static final long MAX_OFFSET = (1L << (24 + SHIFT)) - SIZE;

    private static final long MAGIC = 0x4853415243494F4AL; // "JIOCRASH" read as a little-endian long
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int CRC_OFFSET = SIZE - 4;
    private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

    private SectorPayload() {
    }

    /** The value of the payload (fileId, fileOffset, writeSeq); never {@link #ZERO} or {@link #GARBAGE}. */
    public static long value(int fileId, long fileOffset, int writeSeq) {
        if (fileId < 1 || fileId > MAX_FILE_ID || writeSeq < 1 || writeSeq > MAX_WRITE_SEQ || fileOffset < 0
                || fileOffset > MAX_OFFSET || (fileOffset & (SIZE - 1)) != 0) {
            throw new IllegalArgumentException("payload out of range: file " + fileId + " offset " + fileOffset
                    + " write " + writeSeq);
        }
        return ((long) fileId << 48) | ((long) writeSeq << 24) | (fileOffset >>> SHIFT);
    }

    public static int fileId(long value) {
        return (int) (value >>> 48);
    }

    public static int writeSeq(long value) {
        return (int) ((value >>> 24) & 0xFFFFFF);
    }

    public static long fileOffset(long value) {
        return (value & 0xFFFFFF) << SHIFT;
    }

    /** Whether {@code value} is a payload (not zeros, not garbage). */
    public static boolean isPayload(long value) {
        return value != ZERO && value != GARBAGE;
    }

    /** Fills the {@link #SIZE} bytes at {@code offset} of {@code dst} with the payload of {@code value}. */
    public static void fill(MemorySegment dst, long offset, long value) {
        long filler = mix(value);
        dst.set(LONG, offset, MAGIC);
        dst.set(INT, offset + 8, fileId(value));
        dst.set(LONG, offset + 12, fileOffset(value));
        dst.set(INT, offset + 20, writeSeq(value));
        for (int i = 24; i < CRC_OFFSET; i += 4) {
            filler = mix(filler + i);
            dst.set(INT, offset + i, (int) filler);
        }
        dst.set(INT, offset + CRC_OFFSET, crc(dst, offset));
    }

    /** Reads the {@link #SIZE} bytes at {@code offset} of {@code src} back as a value. */
    public static long decode(MemorySegment src, long offset) {
        if (src.get(LONG, offset) != MAGIC) {
            return isZero(src, offset) ? ZERO : GARBAGE;
        }
        if (src.get(INT, offset + CRC_OFFSET) != crc(src, offset)) {
            return GARBAGE;
        }
        int fileId = src.get(INT, offset + 8);
        long fileOffset = src.get(LONG, offset + 12);
        int writeSeq = src.get(INT, offset + 20);
        if (fileId < 1 || fileId > MAX_FILE_ID || writeSeq < 1 || writeSeq > MAX_WRITE_SEQ || fileOffset < 0
                || fileOffset > MAX_OFFSET || (fileOffset & (SIZE - 1)) != 0) {
            return GARBAGE;
        }
        return value(fileId, fileOffset, writeSeq);
    }

    /** A short description for failure messages, e.g. {@code "write #7 of file #1 at 4096"}. */
    public static String describe(long value) {
        if (value == ZERO) {
            return "zeros";
        }
        if (value == GARBAGE) {
            return "garbage (neither zeros nor a payload with a valid CRC)";
        }
        return "write #" + writeSeq(value) + " of file #" + fileId(value) + " at " + fileOffset(value);
    }

    private static boolean isZero(MemorySegment s, long offset) {
        for (int i = 0; i < SIZE; i += 8) {
            if (s.get(LONG, offset + i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int crc(MemorySegment s, long offset) {
        CRC32C crc = CRC.get();
        crc.reset();
        crc.update(s.asSlice(offset, CRC_OFFSET).asByteBuffer());
        return (int) crc.getValue();
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
