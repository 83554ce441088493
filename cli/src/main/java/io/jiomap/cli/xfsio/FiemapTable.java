package io.jiomap.cli.xfsio;

import io.jiomap.api.vfs.FileExtent;
import java.util.List;
import java.util.Locale;

/**
 * {@code fiemap} output as xfs_io prints it: 512-byte units, holes listed between extents and up to EOF, and with
 * {@code -v} a table whose columns widen to fit, with the kernel's FIEMAP flag values (0x1 last, 0x800 unwritten,
 * 0x2000 shared) so the flags can be compared with a kernel filesystem's.
 */
final class FiemapTable {
    private FiemapTable() {
    }

    static void print(StringBuilder out, String name, List<FileExtent> extents, long start, long end, long size,
                      boolean verbose) {
        int foffW = 16;
        int boffW = 16;
        int totW = 5;
        int flgW = 5;
        for (FileExtent e : extents) {
            long l = e.logical() >> 9;
            long len = e.length() >> 9;
            long b = e.physical() >> 9;
            foffW = Math.max(foffW, ("[" + l + ".." + (l + len - 1) + "]").length());
            boffW = Math.max(boffW, (b + ".." + (b + len - 1)).length());
            totW = Math.max(totW, Long.toString(len).length());
            flgW = Math.max(flgW, Integer.toHexString(e.flags()).length());
        }
        out.append(name).append(":\n");
        if (verbose && !extents.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%4s: %-" + foffW + "s %-" + boffW + "s %" + totW + "s %" + flgW
                    + "s%n", "EXT", "FILE-OFFSET", "BLOCK-RANGE", "TOTAL", "FLAGS"));
        }
        int n = 0;
        long last = start;
        for (FileExtent e : extents) {
            if (e.logical() > last) {
                hole(out, n++, last >> 9, e.logical() >> 9, verbose, foffW, boffW, totW);
            }
            long l = e.logical() >> 9;
            long len = e.length() >> 9;
            long b = e.physical() >> 9;
            if (verbose) {
                out.append(String.format(Locale.ROOT, "%4d: %-" + foffW + "s %-" + boffW + "s %" + totW + "d %"
                                + flgW + "s%n", n, "[" + l + ".." + (l + len - 1) + "]:", b + ".." + (b + len - 1),
                        len, "0x" + Integer.toHexString(e.flags())));
            } else {
                out.append('\t').append(n).append(": [").append(l).append("..").append(l + len - 1).append("]: ")
                        .append(b).append("..").append(b + len - 1).append('\n');
            }
            n++;
            last = e.logical() + e.length();
        }
        long stop = Math.min(end, size);
        if (n > 0 && last < stop) {
            hole(out, n, last >> 9, (stop + 511) >> 9, verbose, foffW, boffW, totW);
        }
    }

    private static void hole(StringBuilder out, int n, long from, long to, boolean verbose, int foffW, int boffW,
                             int totW) {
        if (verbose) {
            out.append(String.format(Locale.ROOT, "%4d: %-" + foffW + "s %-" + boffW + "s %" + totW + "d%n", n,
                    "[" + from + ".." + (to - 1) + "]:", "hole", to - from));
        } else {
            out.append('\t').append(n).append(": [").append(from).append("..").append(to - 1).append("]: hole\n");
        }
    }
}
