package io.jiomap.fs.ext4like.disk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Codec of a linear directory block (FORMAT.md section 6): ext4 dirents {inode u32, rec_len u16, name_len u8,
 * file_type u8 (1 regular, 2 directory, 7 symbolic link), name}, the last one's rec_len reaching the 12-byte checksum tail (a dirent with inode 0,
 * rec_len 12, file_type 0xDE and the block's CRC32C seeded with the directory's inode).
 */
public final class DirBlock {
    public static final int TAIL = 12;
    public static final int TYPE_REG = 1;
    public static final int TYPE_DIR = 2;
    public static final int TYPE_SYMLINK = 7;
    public static final int MAX_NAME = 255;

    /** One name in a directory block. */
    public record Entry(long ino, int type, String name) {
        public int recordLength() {
            return recordLength(name.getBytes(StandardCharsets.UTF_8).length);
        }

        static int recordLength(int nameBytes) {
            return (8 + nameBytes + 3) & ~3;
        }
    }

    private DirBlock() {
    }

    /** Bytes the entries take, which must stay within {@code blockSize - TAIL}. */
    public static int used(List<Entry> entries) {
        int n = 0;
        for (Entry e : entries) {
            n += e.recordLength();
        }
        return n;
    }

    public static void encode(byte[] b, long dirIno, List<Entry> entries) {
        java.util.Arrays.fill(b, (byte) 0);
        int limit = b.length - TAIL;
        int p = 0;
        if (entries.isEmpty()) {
            Bytes.u16(b, 4, limit);
        }
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            int rec = i == entries.size() - 1 ? limit - p : e.recordLength();
            Bytes.u32(b, p, e.ino());
            Bytes.u16(b, p + 4, rec);
            b[p + 6] = (byte) name.length;
            b[p + 7] = (byte) e.type();
            System.arraycopy(name, 0, b, p + 8, name.length);
            p += rec;
        }
        Bytes.u16(b, limit + 4, TAIL);
        b[limit + 7] = (byte) 0xDE;
        Bytes.u32(b, limit + 8, Bytes.crc(dirIno, b, 0, limit) & 0xFFFFFFFFL);
    }

    public static List<Entry> decode(byte[] b, long dirIno, String where) throws FormatException {
        int limit = b.length - TAIL;
        if (Bytes.u16(b, limit + 4) != TAIL || (b[limit + 7] & 0xFF) != 0xDE) {
            throw new FormatException(where + ": directory block of inode " + dirIno + " has no checksum tail");
        }
        long stored = Bytes.u32(b, limit + 8);
        if (stored != (Bytes.crc(dirIno, b, 0, limit) & 0xFFFFFFFFL)) {
            throw new FormatException(where + ": directory block checksum of inode " + dirIno
                    + " does not match its contents");
        }
        List<Entry> out = new ArrayList<>();
        int p = 0;
        while (p < limit) {
            long ino = Bytes.u32(b, p);
            int rec = Bytes.u16(b, p + 4);
            int nameLen = b[p + 6] & 0xFF;
            int type = b[p + 7] & 0xFF;
            if (rec < 8 || p + rec > limit || Entry.recordLength(nameLen) > rec) {
                throw new FormatException(where + ": directory entry at byte " + p + " of inode " + dirIno
                        + " has a bad record length " + rec);
            }
            if (ino != 0) {
                out.add(new Entry(ino, type, new String(b, p + 8, nameLen, StandardCharsets.UTF_8)));
            }
            p += rec;
        }
        return out;
    }
}
