package io.jiomap.cli.kernel;

import io.jiomap.api.vfs.FileExtent;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each 4 KiB block of a file below EOF is, as FIEMAP tells: a hole, written data, unwritten, or shared. Two
 * filesystems that did the same thing agree on this, whatever blocks they chose and however they merged extents.
 */
final class BlockKinds {
    static final char HOLE = '.';
    static final char DATA = 'D';
    static final char UNWRITTEN = 'u';
    static final char SHARED = 'S';
    private static final int BLOCK = 4096;
    // "   1: [8..15]:         hole   8" or "   0: [0..7]:  170209256..170209263   8   0x0"
    private static final Pattern LINE = Pattern.compile("^\\s*\\d+: \\[(\\d+)\\.\\.(\\d+)\\]:\\s+(\\S+)\\s+\\d+(?:\\s+0x([0-9a-f]+))?\\s*$");

    private BlockKinds() {
    }

    /** From jiomap's own extents. */
    static String of(List<FileExtent> extents, long size) {
        char[] kinds = holes(size);
        for (FileExtent e : extents) {
            mark(kinds, e.logical(), e.logical() + e.length(), kind(e.flags()));
        }
        return new String(kinds);
    }

    /** From the text of xfs_io's {@code fiemap -v}. */
    static String ofXfsIo(String fiemapV, long size) {
        char[] kinds = holes(size);
        for (String line : fiemapV.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || m.group(3).equals("hole")) {
                continue;
            }
            long from = Long.parseLong(m.group(1)) * 512;
            long to = (Long.parseLong(m.group(2)) + 1) * 512;
            mark(kinds, from, to, kind(Integer.parseInt(m.group(4), 16)));
        }
        return new String(kinds);
    }

    private static char kind(int flags) {
        if ((flags & FileExtent.SHARED) != 0) {
            return SHARED;
        }
        return (flags & FileExtent.UNWRITTEN) != 0 ? UNWRITTEN : DATA;
    }

    private static char[] holes(long size) {
        char[] kinds = new char[(int) ((size + BLOCK - 1) / BLOCK)];
        Arrays.fill(kinds, HOLE);
        return kinds;
    }

    private static void mark(char[] kinds, long from, long to, char kind) {
        for (long b = from / BLOCK; b < Math.min(kinds.length, (to + BLOCK - 1) / BLOCK); b++) {
            kinds[(int) b] = kind;
        }
    }
}
