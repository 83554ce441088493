package io.jiomap.fs.ext4like.disk;

import java.util.zip.CRC32C;

/** Field access on block buffers: little-endian as ext4's metadata, big-endian as jbd2's journal; CRC32C. */
public final class Bytes {
    private Bytes() {
    }

    public static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    public static void u16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    public static long u32(byte[] b, int off) {
        return (u16(b, off) | (long) u16(b, off + 2) << 16) & 0xFFFFFFFFL;
    }

    public static void u32(byte[] b, int off, long v) {
        u16(b, off, (int) v & 0xFFFF);
        u16(b, off + 2, (int) (v >>> 16) & 0xFFFF);
    }

    public static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }

    public static void u64(byte[] b, int off, long v) {
        u32(b, off, v & 0xFFFFFFFFL);
        u32(b, off + 4, v >>> 32);
    }

    public static long be32(byte[] b, int off) {
        return ((b[off] & 0xFFL) << 24) | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    public static void be32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** CRC32C of {@code b[off, off+len)}, seeded with {@code seed} (a number folded in first, e.g. an inode). */
    public static int crc(long seed, byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        byte[] s = new byte[8];
        u64(s, 0, seed);
        c.update(s);
        c.update(b, off, len);
        return (int) c.getValue();
    }
}
