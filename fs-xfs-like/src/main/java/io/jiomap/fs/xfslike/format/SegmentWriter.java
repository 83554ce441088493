package io.jiomap.fs.xfslike.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Packs the records of one metadata structure into consecutive blocks. A record never straddles two blocks, so a
 * reader decodes each block on its own.
 */
public final class SegmentWriter {
    private final int blockSize;
    private final BlockType type;
    private final long owner;
    private final long generation;
    private final UUID uuid;
    private final List<byte[]> blocks = new ArrayList<>();
    private final byte[] payload;
    private final ByteBuffer buf;
    private int records;
    private long totalRecords;

    public SegmentWriter(int blockSize, BlockType type, long owner, long generation, UUID uuid) {
        this.blockSize = blockSize;
        this.type = type;
        this.owner = owner;
        this.generation = generation;
        this.uuid = uuid;
        this.payload = new byte[blockSize - MetaBlock.HEADER];
        this.buf = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Room for a record of {@code size} bytes: write it into the returned buffer at its position. */
    public ByteBuffer record(int size) {
        if (size > payload.length) {
            throw new IllegalArgumentException("record of " + size + " bytes exceeds a block");
        }
        if (buf.remaining() < size) {
            flush();
        }
        records++;
        totalRecords++;
        return buf;
    }

    /** Bytes left in the current block: a record of at most this many goes into it. */
    public int room() {
        return buf.remaining();
    }

    /** Bytes of payload in one block. */
    public int payloadBytes() {
        return payload.length;
    }

    private void flush() {
        blocks.add(MetaBlock.build(blockSize, type, blocks.size(), owner, generation, uuid, records, payload,
                buf.position()));
        buf.clear();
        java.util.Arrays.fill(payload, (byte) 0);
        records = 0;
    }

    public BlockType type() {
        return type;
    }

    public long owner() {
        return owner;
    }

    public long records() {
        return totalRecords;
    }

    /** The blocks; a segment without records is one empty block, so every structure has a place. */
    public List<byte[]> finish() {
        if (records > 0 || blocks.isEmpty()) {
            flush();
        }
        return blocks;
    }
}
