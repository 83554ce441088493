package io.jiomap.device.model;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import java.util.Map;

/**
 * Reads the options of one device spec, refusing each bad value with EINVAL that names the device type, the option,
 * the value given and what is allowed.
 */
public final class OptionReader {
    private final String type;
    private final Map<String, String> options;

    /**
     * @param known the options this type accepts; any other key is refused here, listing the known ones
     */
    public OptionReader(String type, Map<String, String> options, Map<String, String> known) throws JiomapException {
        this.type = type;
        this.options = options;
        for (String key : options.keySet()) {
            if (!known.containsKey(key)) {
                throw new JiomapException(Errno.EINVAL, "unknown " + type + " device option '" + key
                        + "'; known options: " + String.join(", ", known.keySet()));
            }
        }
    }

    public boolean has(String key) {
        return options.containsKey(key);
    }

    /** The raw text of an option, or null if not given. */
    public String text(String key) {
        return options.get(key);
    }

    /** A byte count in {@code [min, max]} that is a multiple of {@code unit}. */
    public long bytes(String key, long defaultValue, long min, long max, long unit, String allowed)
            throws JiomapException {
        String text = options.get(key);
        if (text == null) {
            return defaultValue;
        }
        long v = Quantity.bytes(text);
        if (v < min || v > max || v % unit != 0) {
            throw invalid(key, text, allowed);
        }
        return v;
    }

    /** A count in {@code [min, max]}, plain digits. */
    public int count(String key, int defaultValue, int min, int max) throws JiomapException {
        String text = options.get(key);
        if (text == null) {
            return defaultValue;
        }
        long v = Quantity.bytes(text);
        if (v < min || v > max || !text.strip().chars().allMatch(Character::isDigit)) {
            throw invalid(key, text, "a whole number from " + min + " to " + max);
        }
        return (int) v;
    }

    /** A duration in nanoseconds up to {@code maxNanos}. */
    public long nanos(String key, long defaultValue, long maxNanos, String allowed) throws JiomapException {
        String text = options.get(key);
        if (text == null) {
            return defaultValue;
        }
        long v = Quantity.nanos(text);
        if (v < 0 || v > maxNanos) {
            throw invalid(key, text, allowed);
        }
        return v;
    }

    /** {@code on|off} (also true/false, yes/no, 1/0). */
    public boolean onOff(String key, boolean defaultValue) throws JiomapException {
        String text = options.get(key);
        if (text == null) {
            return defaultValue;
        }
        switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "yes", "1":
                return true;
            case "off", "false", "no", "0":
                return false;
            default:
                throw invalid(key, text, "on or off");
        }
    }

    /** EINVAL for {@code key=value}, saying what the option allows. */
    public JiomapException invalid(String key, String value, String allowed) {
        return new JiomapException(Errno.EINVAL, type + " device option " + key + "=" + value
                + " is not allowed: " + key + " must be " + allowed);
    }
}
