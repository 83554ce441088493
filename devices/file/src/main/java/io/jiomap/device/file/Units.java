package io.jiomap.device.file;

import java.util.Locale;

/**
 * Parses the sizes of device options, e.g. {@code size=64g} (the same rules as the memory device).
 *
 * <p>Sizes are binary ({@code k} = 1024) because block devices, page sizes and transfer limits are powers of two;
 * a decimal {@code 1g} would not even be a multiple of 4096.
 *
 * <p>It returns -1 for text it cannot read, so the caller can build one message that names the option.
 */
final class Units {
    private Units() {
    }

    /**
     * Parses {@code 4096}, {@code 512k}, {@code 1m}, {@code 64g}, {@code 2t} (case-insensitive, binary multiples).
     *
     * @return the byte count, or -1 when the text is not a size or overflows a long
     */
    static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            return -1;
        }
        int shift = switch (s.charAt(s.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        long value = parseDigits(digits);
        if (value < 0 || value > (Long.MAX_VALUE >>> shift)) {
            return -1;
        }
        return value << shift;
    }

    /** Formats a byte count the way {@link #parseSize} reads it, with the largest exact suffix. */
    static String formatSize(long bytes) {
        String[] suffixes = {"", "k", "m", "g", "t"};
        int i = 0;
        long v = bytes;
        while (i < suffixes.length - 1 && v != 0 && (v & 1023) == 0) {
            v >>= 10;
            i++;
        }
        return v + suffixes[i];
    }

    /** Plain decimal digits only: no sign, no spaces, no underscores; -1 otherwise or on overflow. */
    private static long parseDigits(String digits) {
        if (digits.isEmpty() || digits.length() > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
