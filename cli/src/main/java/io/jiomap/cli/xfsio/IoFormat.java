package io.jiomap.cli.xfsio;

import java.util.Locale;

/**
 * Numbers the way xfs_io prints and reads them, so that a person used to xfs_io feels at home and scripts that
 * compare output line up: sizes in binary units with three decimals (dropped when they are all zero), bytes with
 * six, and offsets with k/m/g/t/p/e, b (filesystem block) and s (512-byte sector) suffixes.
 */
final class IoFormat {
    private static final String[] UNITS = {"EiB", "PiB", "TiB", "GiB", "MiB", "KiB"};

    private IoFormat() {
    }

    /** xfs_io's {@code cvtstr}: {@code 16 KiB}, {@code 1.500 KiB}, {@code 32.000000 bytes}. */
    static String size(double value) {
        for (int i = 0; i < UNITS.length; i++) {
            double unit = Math.pow(2, 10 * (UNITS.length - i));
            if (value >= unit) {
                String s = String.format(Locale.ROOT, "%.3f", value / unit);
                if (s.endsWith(".000")) {
                    s = s.substring(0, s.length() - 4);
                }
                return s + " " + UNITS[i];
            }
        }
        return String.format(Locale.ROOT, "%f bytes", value);
    }

    /** The second line of pwrite, pread and reflink: total, operations, time and rates. */
    static String rates(long bytes, long ops, long nanos) {
        double secs = Math.max(nanos, 1) / 1e9;
        return String.format(Locale.ROOT, "%s, %d ops; %.4f sec (%s/sec and %.4f ops/sec)", size(bytes), ops, secs,
                size(bytes / secs), ops / secs);
    }

    /**
     * xfs_io's {@code cvtnum}: a decimal, octal (leading 0) or hex (0x) number with an optional suffix.
     *
     * @throws IllegalArgumentException naming the text when it is not a number
     */
    static long number(String text, int blockSize) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw new IllegalArgumentException("non-numeric argument -- " + text);
        }
        long multiplier = 1;
        char last = t.charAt(t.length() - 1);
        if (!t.startsWith("0x") && Character.isLetter(last)) {
            multiplier = switch (last) {
                case 'b' -> blockSize;
                case 's' -> 512;
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                case 't' -> 1L << 40;
                case 'p' -> 1L << 50;
                case 'e' -> 1L << 60;
                default -> throw new IllegalArgumentException("non-numeric argument -- " + text);
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = t.startsWith("0x") ? Long.parseLong(t.substring(2), 16)
                    : t.length() > 1 && t.startsWith("0") ? Long.parseLong(t.substring(1), 8) : Long.parseLong(t);
            return Math.multiplyExact(v, multiplier);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("non-numeric argument -- " + text);
        }
    }

    /** xfs_io's hex dump of {@code pread -v}: 16 bytes a line, file offsets, printable characters on the right. */
    static void dump(StringBuilder out, byte[] data, int length, long fileOffset) {
        for (int line = 0; line < length; line += 16) {
            int n = Math.min(16, length - line);
            out.append(String.format(Locale.ROOT, "%08x:  ", fileOffset + line));
            for (int i = 0; i < n; i++) {
                out.append(String.format(Locale.ROOT, "%02x ", data[line + i] & 0xff));
            }
            out.append(' ');
            for (int i = 0; i < n; i++) {
                int c = data[line + i] & 0xff;
                out.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
            }
            out.append('\n');
        }
    }
}
