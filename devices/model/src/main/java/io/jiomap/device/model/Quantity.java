package io.jiomap.device.model;

import java.util.Locale;

/**
 * Reads the quantities of device options: byte counts ({@code 64m}, binary multiples, because block sizes and
 * transfer limits are powers of two), durations ({@code 10us}; a unit is required, since a bare number could mean
 * nanoseconds or microseconds) and rates ({@code 2g} bytes per second).
 *
 * <p>Each returns -1 for text it cannot read, so the caller can throw one message naming the option.
 */
public final class Quantity {
    private static final String[] BYTE_SUFFIXES = {"k", "m", "g", "t"};
    private static final String[] TIME_SUFFIXES = {"ns", "us", "ms", "s"};
    private static final long[] TIME_FACTORS = {1L, 1_000L, 1_000_000L, 1_000_000_000L};

    private Quantity() {
    }

    /** {@code 4096}, {@code 512k}, {@code 64m}, {@code 2g}, {@code 1t}; case-insensitive; -1 if unreadable. */
    public static long bytes(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        for (int i = 0; i < BYTE_SUFFIXES.length; i++) {
            if (s.endsWith(BYTE_SUFFIXES[i])) {
                return scaled(s.substring(0, s.length() - 1), 1L << (10 * (i + 1)));
            }
        }
        return scaled(s, 1);
    }

    /** {@code 800ns}, {@code 10us}, {@code 2ms}, {@code 1s}; -1 if unreadable or without a unit. */
    public static long nanos(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        // "ns", "us" and "ms" are tried before "s", which they also end with.
        for (int i = 0; i < TIME_SUFFIXES.length; i++) {
            if (s.endsWith(TIME_SUFFIXES[i])) {
                return scaled(s.substring(0, s.length() - TIME_SUFFIXES[i].length()), TIME_FACTORS[i]);
            }
        }
        return -1;
    }

    /** A byte count the way {@link #bytes} reads it, with the largest suffix that keeps it exact. */
    public static String formatBytes(long bytes) {
        int suffix = -1;
        long value = bytes;
        while (suffix + 1 < BYTE_SUFFIXES.length && value != 0 && value % 1024 == 0) {
            value /= 1024;
            suffix++;
        }
        return suffix < 0 ? Long.toString(value) : value + BYTE_SUFFIXES[suffix];
    }

    /** Plain decimal digits times {@code factor}; -1 for anything else (signs, blanks) or on overflow. */
    private static long scaled(String digits, long factor) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), factor);
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            return -1;
        }
    }
}
