package io.jiomap.cli.format;

import java.util.Locale;

/**
 * When bench, fio and the shell's mount write a fresh filesystem before mounting: the {@code --mkfs} option. An
 * image is the user's data, so nothing is formatted unasked unless it is blank ({@link DeviceContents#blank}).
 */
public enum FormatPolicy {
    /**
     * {@code --mkfs=auto}, the default: a blank device is formatted; a device carrying the requested type's signature
     * is mounted as it is (one line says so); anything else is refused, saying what is there and how to force.
     */
    IF_BLANK,
    /** {@code --mkfs=1}: every signature on the device is wiped and a fresh filesystem written, whatever was there. */
    ALWAYS,
    /** {@code --mkfs=0}: the device is mounted as it is; the mount says so when it holds no such filesystem. */
    NEVER;

    /** The values {@code --mkfs} takes, for messages and help. */
    public static final String VALUES = "auto (format only a blank device, else mount the filesystem it holds;"
            + " the default), 1 (wipe what is there and format) or 0 (mount what is there)";

    /**
     * Reads a {@code --mkfs} value: {@code auto}; {@code 1}, {@code true}, {@code yes}, {@code on}; {@code 0},
     * {@code false}, {@code no}, {@code off}.
     *
     * @throws IllegalArgumentException for anything else, naming the option and the values it takes
     */
    public static FormatPolicy parse(String option, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> IF_BLANK;
            case "1", "true", "yes", "on" -> ALWAYS;
            case "0", "false", "no", "off" -> NEVER;
            default -> throw new IllegalArgumentException(option + "=" + value + ": use " + VALUES);
        };
    }
}
