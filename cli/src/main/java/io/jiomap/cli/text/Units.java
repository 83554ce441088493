package io.jiomap.cli.text;

import java.util.Locale;

/**
 * Sizes and durations as fio reads them, and the short forms the reports print.
 *
 * <p>Sizes are 1024-based for every suffix ({@code 4k}, {@code 4kb}, {@code 4KiB} are all 4096), as fio's default
 * {@code kb_base=1024} reads them. Durations default to seconds and take {@code us ms s m h} (fio's time suffixes);
 * jiomap also accepts a decimal number ({@code 0.2}) so short benchmark points can be asked for in seconds.
 */
public final class Units {
    private Units() {
    }

    /**
     * Parses {@code 4096}, {@code 4k}, {@code 1m}, {@code 1g}, {@code 2t}, {@code 1p}, optionally followed by
     * {@code b} or {@code ib} ({@code 4kb}, {@code 4KiB}), case-insensitive.
     *
     * @throws IllegalArgumentException naming the text when it is not a size or overflows
     */
    public static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("i")) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        if (!s.isEmpty()) {
            shift = switch (s.charAt(s.length() - 1)) {
                case 'k' -> 10;
                case 'm' -> 20;
                case 'g' -> 30;
                case 't' -> 40;
                case 'p' -> 50;
                default -> 0;
            };
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + text + "' is not a size (a number with an optional k/m/g/t suffix,"
                    + " 1024-based, e.g. 4k)");
        }
        long value;
        try {
            value = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large", e);
        }
        if (value > (Long.MAX_VALUE >>> shift)) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
        return value << shift;
    }

    /**
     * Parses a duration: a number, optionally decimal, with {@code ns us ms s m h} (also {@code usec msec sec min});
     * a bare number means seconds, as fio's {@code runtime} does.
     *
     * @return nanoseconds
     * @throws IllegalArgumentException naming the text when it is not a duration
     */
    public static long parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int end = s.length();
        while (end > 0 && Character.isLetter(s.charAt(end - 1))) {
            end--;
        }
        String number = s.substring(0, end);
        String unit = s.substring(end);
        long nanosPerUnit = switch (unit) {
            case "ns", "nsec" -> 1L;
            case "us", "usec" -> 1_000L;
            case "ms", "msec" -> 1_000_000L;
            case "", "s", "sec" -> 1_000_000_000L;
            case "m", "min" -> 60_000_000_000L;
            case "h", "hr" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown time unit '" + unit
                    + "' (use us, ms, s, m or h; a bare number is seconds)");
        };
        double value;
        try {
            value = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 10, 500ms, 2m)", e);
        }
        if (!(value >= 0) || value * nanosPerUnit > Long.MAX_VALUE / 2.0) {
            throw new IllegalArgumentException("duration '" + text + "' is out of range");
        }
        return Math.round(value * nanosPerUnit);
    }

    /** A count the way fio prints IOPS: {@code 950}, {@code 12.9k}, {@code 121k}, {@code 1.52M}. */
    public static String count(double value) {
        if (value < 1000) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        String[] suffix = {"k", "M", "G"};
        double v = value;
        int i = -1;
        while (v >= 1000 && i < suffix.length - 1) {
            v /= 1000;
            i++;
        }
        return (v < 10 ? String.format(Locale.ROOT, "%.2f", v) : v < 100
                ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v)) + suffix[i];
    }

    /** Bytes as fio prints them in binary units: {@code 4096B}, {@code 473MiB}, {@code 1892MiB}. */
    public static String binaryBytes(double bytes) {
        String[] suffix = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = 0;
        while (v >= 10 * 1024 && i < suffix.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.0f", v) + suffix[i];
    }

    /** Bytes in decimal units, the parenthesised form fio prints next to the binary one: {@code 496MB}. */
    public static String decimalBytes(double bytes) {
        String[] suffix = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int i = 0;
        while (v >= 10 * 1000 && i < suffix.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, "%.0f", v) + suffix[i];
    }

    /** A size the way the options were given where it is exact: {@code 4k}, {@code 1g}, else the byte count. */
    public static String size(long bytes) {
        String[] suffix = {"", "k", "m", "g", "t"};
        long v = bytes;
        int i = 0;
        while (v != 0 && v % 1024 == 0 && i < suffix.length - 1) {
            v /= 1024;
            i++;
        }
        return v + suffix[i];
    }
}
