package io.jiomap.fs.xfslike.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C of a metadata block with its own checksum field taken as zero (as XFS v5 computes it). */
public final class Crc {
    private Crc() {
    }

    /** The checksum of {@code buf[0, length)}, where the 4 bytes at {@code crcOffset} count as zero. */
    public static int compute(ByteBuffer buf, int length, int crcOffset) {
        CRC32C crc = new CRC32C();
        ByteBuffer b = buf.duplicate().clear();
        b.limit(crcOffset);
        crc.update(b);
        crc.update(new byte[4]);
        b.limit(length).position(crcOffset + 4);
        crc.update(b);
        return (int) crc.getValue();
    }

    public static int ofBytes(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }
}
