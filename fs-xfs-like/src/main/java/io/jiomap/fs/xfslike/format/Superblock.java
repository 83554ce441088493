package io.jiomap.fs.xfslike.format;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * The superblock (FORMAT.md "Superblock"): the first 512 bytes of block 0 of every allocation group, AG 0's being
 * the primary. Only 512 bytes so that one sector write replaces it atomically: the crash model tears writes at
 * sector granularity, and the superblock is what switches from one checkpoint to the next.
 *
 * @param generation  checkpoint generation; also the epoch every log block written after it carries
 * @param activeSlot  which checkpoint region (0 = A, 1 = B) holds the current metadata
 * @param metaUsed    blocks the current checkpoint occupies in its region
 * @param logTail     log block index where replay starts
 * @param logTailSeq  sequence number the first checkpoint at {@link #logTail} must carry
 * @param clean       unmounted cleanly: nothing in the log to replay
 */
public record Superblock(Geometry geometry, UUID uuid, long features, long generation, int activeSlot,
                         long metaUsed, long logTail, long logTailSeq, boolean clean) {
    public static final int MAGIC = 0x4A584653; // "JXFS"
    public static final int VERSION = 1;
    public static final int SIZE = 512;
    public static final long FEATURE_REFLINK = 1;
    /**
     * POSIX metadata: inode records with mode, owner, generation, parent and atime, times in nanoseconds, symbolic
     * links, extended attributes and orphans. mkfs always sets it; an image without it is refused.
     */
    public static final long FEATURE_POSIX = 2;
    static final int CRC_OFFSET = 4;

    public boolean reflink() {
        return (features & FEATURE_REFLINK) != 0;
    }

    public boolean posix() {
        return (features & FEATURE_POSIX) != 0;
    }

    /** Why an image without {@link #FEATURE_POSIX} cannot be used, and what to do. */
    public static String predatesPosix(String device) {
        return device + " holds an xfs-like image that predates POSIX metadata (no mode, owner, link counts, "
                + "symbolic links or extended attributes in its inodes); this version cannot read it. Copy the "
                + "files off with the jiomap version that made it, then make a new filesystem with "
                + "`jiomap mkfs --fs=xfs-like <image>`";
    }

    public Superblock withCheckpoint(long newGeneration, int slot, long used, long tail, long tailSeq,
                                     boolean isClean) {
        return new Superblock(geometry, uuid, features, newGeneration, slot, used, tail, tailSeq, isClean);
    }

    public ByteBuffer encode(int bufferSize) {
        ByteBuffer b = ByteBuffer.allocate(bufferSize).order(ByteOrder.LITTLE_ENDIAN);
        Geometry g = geometry;
        b.putInt(MAGIC).putInt(0).putInt(VERSION).putInt(g.blockSize())
                .putLong(g.totalBlocks()).putInt(g.agCount()).putInt(0).putLong(g.agBlocks())
                .putLong(g.logStart()).putLong(g.logBlocks())
                .putLong(g.metaStart0()).putLong(g.metaStart1()).putLong(g.metaBlocks())
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits())
                .putLong(features).putLong(generation).putInt(activeSlot).putInt(clean ? 1 : 0)
                .putLong(metaUsed).putLong(logTail).putLong(logTailSeq);
        b.putInt(CRC_OFFSET, Crc.compute(b, SIZE, CRC_OFFSET));
        return b.clear();
    }

    /** Whether the buffer starts with the superblock magic (probe: foreign content is simply not ours). */
    public static boolean hasMagic(ByteBuffer b) {
        return b.order(ByteOrder.LITTLE_ENDIAN).getInt(0) == MAGIC;
    }

    /**
     * Decodes and validates a superblock read from {@code where}.
     *
     * @throws JiomapException EUCLEAN saying what is wrong, EINVAL if it is not this filesystem at all
     */
    public static Superblock decode(ByteBuffer b, String where, long deviceBytes, int deviceLbs)
            throws JiomapException {
        b.order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != MAGIC) {
            throw new JiomapException(Errno.EINVAL, where + " holds no xfs-like superblock (magic 0x"
                    + Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(MAGIC) + ")");
        }
        int stored = b.getInt(CRC_OFFSET);
        int computed = Crc.compute(b, SIZE, CRC_OFFSET);
        if (stored != computed) {
            throw new JiomapException(Errno.EUCLEAN, "superblock in " + where + ": CRC32C mismatch (stored 0x"
                    + Integer.toHexString(stored) + ", computed 0x" + Integer.toHexString(computed) + ")");
        }
        b.position(8);
        int version = b.getInt();
        int bs = b.getInt();
        long total = b.getLong();
        int agCount = b.getInt();
        b.getInt();
        long agBlocks = b.getLong();
        long logStart = b.getLong();
        long logBlocks = b.getLong();
        long m0 = b.getLong();
        long m1 = b.getLong();
        long mb = b.getLong();
        UUID uuid = new UUID(b.getLong(), b.getLong());
        long features = b.getLong();
        long gen = b.getLong();
        int slot = b.getInt();
        boolean clean = b.getInt() == 1;
        long used = b.getLong();
        long tail = b.getLong();
        long tailSeq = b.getLong();
        if (version != VERSION) {
            throw bad(where, "version " + version + " is not supported (expected " + VERSION + ")");
        }
        if (Integer.bitCount(bs) != 1 || bs < 512 || bs > 65536 || bs < deviceLbs) {
            throw bad(where, "block size " + bs + " is not a power of two between the device's logical block size "
                    + deviceLbs + " and 65536");
        }
        if (total <= 0 || total * bs > deviceBytes) {
            throw bad(where, "filesystem of " + total + " blocks of " + bs + " bytes does not fit the "
                    + deviceBytes + "-byte device");
        }
        if (agCount < 1 || agBlocks < 8 || agBlocks >= (1L << 31) || (agCount - 1) * agBlocks >= total
                || agCount * agBlocks < total) {
            throw bad(where, agCount + " allocation groups of " + agBlocks + " blocks do not tile " + total
                    + " blocks");
        }
        if (logStart != 1 || logBlocks < 2 || m0 != logStart + logBlocks || mb < 2 || m1 != m0 + mb
                || m1 + mb > agBlocks) {
            throw bad(where, "log [" + logStart + "+" + logBlocks + ") and checkpoint regions [" + m0 + "+" + mb
                    + "), [" + m1 + "+" + mb + ") do not follow the superblock inside AG 0");
        }
        if (slot != 0 && slot != 1) {
            throw bad(where, "active checkpoint slot " + slot + " is neither 0 nor 1");
        }
        if (used < 1 || used > mb) {
            throw bad(where, "checkpoint of " + used + " blocks does not fit its " + mb + "-block region");
        }
        if (tail < 0 || tail >= logBlocks) {
            throw bad(where, "log tail " + tail + " is outside the " + logBlocks + "-block log");
        }
        Geometry g = new Geometry(bs, total, agCount, agBlocks, logStart, logBlocks, m0, m1, mb);
        return new Superblock(g, uuid, features, gen, slot, used, tail, tailSeq, clean);
    }

    private static JiomapException bad(String where, String what) {
        return new JiomapException(Errno.EUCLEAN, "superblock in " + where + ": " + what);
    }
}
