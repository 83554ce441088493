package io.jiomap.fs.xfslike.format;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * The self-describing header every metadata and log block starts with (FORMAT.md "Metadata blocks"): magic, CRC32C
 * of the whole block, type, index in its segment, owner, generation (the sequence number: a block from an older
 * checkpoint or log epoch is stale), filesystem UUID (a block of another filesystem is foreign), record count and
 * payload length. A reader validates all of it before using a byte of the payload, and says which block is wrong
 * and how (XFS v5 metadata verifiers).
 */
public final class MetaBlock {
    public static final int MAGIC = 0x4A584D44; // "JXMD"
    public static final int HEADER = 64;
    static final int CRC_OFFSET = 4;

    private MetaBlock() {
    }

    /** Builds one block: header then {@code payload[0, payloadLen)}. */
    public static byte[] build(int blockSize, BlockType type, int index, long owner, long generation, UUID uuid,
                               int records, byte[] payload, int payloadLen) {
        byte[] block = new byte[blockSize];
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(0).putShort((short) type.code()).putShort((short) 0).putInt(index).putLong(owner)
                .putLong(generation).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits())
                .putInt(records).putInt(payloadLen).putLong(0);
        System.arraycopy(payload, 0, block, HEADER, payloadLen);
        b.putInt(CRC_OFFSET, Crc.compute(b, blockSize, CRC_OFFSET));
        return block;
    }

    /** What a header says, once it was found valid. */
    public record Header(BlockType type, int index, long owner, long generation, int records, int payloadLen) {
    }

    /** Reads a header without validating anything (for log scanning, which treats a bad block as the head). */
    public static Header peek(ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        return new Header(BlockType.of(b.getShort(8) & 0xffff), b.getInt(12), b.getLong(16), b.getLong(24),
                b.getInt(48), b.getInt(52));
    }

    /**
     * Why the block is not a valid block of this filesystem, or null if it is. Checks magic, CRC, UUID and
     * payload length; the caller checks type, owner, index and generation against what it expected.
     */
    public static String invalidity(ByteBuffer b, int blockSize, UUID uuid) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != MAGIC) {
            return "bad magic 0x" + Integer.toHexString(magic) + " (expected 0x" + Integer.toHexString(MAGIC) + ")";
        }
        int stored = b.getInt(CRC_OFFSET);
        int computed = Crc.compute(b, blockSize, CRC_OFFSET);
        if (stored != computed) {
            return "CRC32C mismatch (stored 0x" + Integer.toHexString(stored) + ", computed 0x"
                    + Integer.toHexString(computed) + ")";
        }
        UUID found = new UUID(b.getLong(32), b.getLong(40));
        if (!found.equals(uuid)) {
            return "belongs to filesystem " + found + ", not " + uuid;
        }
        int len = b.getInt(52);
        if (len < 0 || len > blockSize - HEADER) {
            return "payload length " + len + " exceeds the block";
        }
        return null;
    }

    /**
     * Validates a checkpoint block against what the checkpoint table says it must be.
     *
     * @throws JiomapException EUCLEAN naming the block and what is wrong with it
     */
    public static Header validate(ByteBuffer b, int blockSize, UUID uuid, long blockNo, BlockType type, long owner,
                                  int index, long generation) throws JiomapException {
        String what = invalidity(b, blockSize, uuid);
        Header h = what == null ? peek(b) : null;
        if (h != null) {
            if (h.type() != type) {
                what = "is a " + (h.type() == null ? "block of unknown type" : h.type().description() + " block")
                        + ", expected " + type.description();
            } else if (h.owner() != owner) {
                what = "owner " + h.owner() + ", expected " + owner;
            } else if (h.index() != index) {
                what = "index " + h.index() + " in its segment, expected " + index;
            } else if (h.generation() != generation) {
                what = "generation " + h.generation() + ", expected " + generation + " (stale block)";
            }
        }
        if (what != null) {
            throw new JiomapException(Errno.EUCLEAN, "metadata block " + blockNo + " (" + type.describe(owner)
                    + "): " + what);
        }
        return h;
    }

    /** The payload of a valid block, positioned at its first record. */
    public static ByteBuffer payload(ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        int len = b.getInt(52);
        return b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(HEADER).limit(HEADER + len).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }
}
