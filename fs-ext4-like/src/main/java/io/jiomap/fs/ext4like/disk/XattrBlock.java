package io.jiomap.fs.ext4like.disk;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Codec of an inode's extended-attribute block (FORMAT.md section 4a): magic u32 0xEA020000, count u32, then the
 * entries in name order from byte 8, each {name_len u8, 3 bytes zero, value_len u32, name, value} padded to 4
 * bytes; the last 4 bytes are {@code crc(ino, bytes 0 .. bs-5)}.
 */
public final class XattrBlock {
    public static final long MAGIC = 0xEA02_0000L;
    private static final int HEADER = 8;
    private static final int TAIL = 4;

    private XattrBlock() {
    }

    /** The bytes one entry takes. */
    public static int entrySize(String name, byte[] value) {
        return (8 + name.getBytes(StandardCharsets.UTF_8).length + value.length + 3) & ~3;
    }

    /** Whether the attributes fit one block of {@code blockSize} bytes. */
    public static boolean fits(Map<String, byte[]> attrs, int blockSize) {
        long n = HEADER + TAIL;
        for (Map.Entry<String, byte[]> e : attrs.entrySet()) {
            n += entrySize(e.getKey(), e.getValue());
        }
        return n <= blockSize;
    }

    public static void encode(byte[] b, long ino, Map<String, byte[]> attrs) {
        java.util.Arrays.fill(b, (byte) 0);
        Bytes.u32(b, 0, MAGIC);
        Bytes.u32(b, 4, attrs.size());
        int p = HEADER;
        for (Map.Entry<String, byte[]> e : new TreeMap<>(attrs).entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] value = e.getValue();
            b[p] = (byte) name.length;
            Bytes.u32(b, p + 4, value.length);
            System.arraycopy(name, 0, b, p + 8, name.length);
            System.arraycopy(value, 0, b, p + 8 + name.length, value.length);
            p += entrySize(e.getKey(), value);
        }
        Bytes.u32(b, b.length - TAIL, Bytes.crc(ino, b, 0, b.length - TAIL) & 0xFFFFFFFFL);
    }

    /** The attributes by name. @throws FormatException naming what is wrong */
    public static TreeMap<String, byte[]> decode(byte[] b, long ino, String where) throws FormatException {
        if (Bytes.u32(b, 0) != MAGIC) {
            throw new FormatException(where + ": xattr block of inode " + ino + " has no magic 0xea020000");
        }
        long stored = Bytes.u32(b, b.length - TAIL);
        if (stored != (Bytes.crc(ino, b, 0, b.length - TAIL) & 0xFFFFFFFFL)) {
            throw new FormatException(where + ": xattr block checksum of inode " + ino
                    + " does not match its contents");
        }
        long count = Bytes.u32(b, 4);
        TreeMap<String, byte[]> out = new TreeMap<>();
        int p = HEADER;
        String prev = null;
        for (long i = 0; i < count; i++) {
            if (p + 8 > b.length - TAIL) {
                throw new FormatException(where + ": xattr block of inode " + ino + " says " + count
                        + " entries but holds " + i);
            }
            int nameLen = b[p] & 0xFF;
            long valueLen = Bytes.u32(b, p + 4);
            if (nameLen == 0 || p + 8L + nameLen + valueLen > b.length - TAIL) {
                throw new FormatException(where + ": xattr entry " + i + " of inode " + ino
                        + " has a bad name length " + nameLen + " or value length " + valueLen);
            }
            String name = new String(b, p + 8, nameLen, StandardCharsets.UTF_8);
            if (prev != null && prev.compareTo(name) >= 0) {
                throw new FormatException(where + ": xattr names of inode " + ino + " are not in order ('" + prev
                        + "' before '" + name + "')");
            }
            byte[] value = java.util.Arrays.copyOfRange(b, p + 8 + nameLen, p + 8 + nameLen + (int) valueLen);
            out.put(name, value);
            prev = name;
            p = (int) ((p + 8L + nameLen + valueLen + 3) & ~3L);
        }
        return out;
    }
}
