package io.jiomap.fs.faulty;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.iomap.Iomap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of a {@code faulty} filesystem, parsed: the inner type, the options passed on to it and the faults.
 * The grammar is documented in the module README and in {@link FaultyFileSystemType#description()}.
 *
 * @param over         the inner filesystem type's name
 * @param innerOptions the {@code inner.KEY=VALUE} options, without the prefix
 * @param faults       the faults, in option order
 */
record FaultPlan(String over, Map<String, String> innerOptions, List<Fault> faults) {
    static final String OVER = "over";
    static final String INNER_PREFIX = "inner.";
    static final String FAIL_BEGIN = "fail-begin";
    static final String FAIL_END_IO = "fail-end-io";
    static final String FORCE = "force";
    static final String DELAY = "delay";
    private static final Set<String> KEYS = Set.of(OVER, FAIL_BEGIN, FAIL_END_IO, FORCE, DELAY);
    /** Longer than this a mapping delay is a hang, not a fault. */
    private static final long MAX_DELAY_NANOS = 10_000_000_000L;

    /** Parses the options; EINVAL names every unknown option, or the bad value and what it must look like. */
    static FaultPlan parse(Map<String, String> options) throws JiomapException {
        Set<String> unknown = new TreeSet<>();
        Map<String, String> inner = new LinkedHashMap<>();
        List<Fault> faults = new ArrayList<>();
        for (Map.Entry<String, String> e : options.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(INNER_PREFIX) && key.length() > INNER_PREFIX.length()) {
                inner.put(key.substring(INNER_PREFIX.length()), e.getValue());
            } else if (!KEYS.contains(key)) {
                unknown.add(key);
            } else if (!key.equals(OVER)) {
                faults.add(fault(key, e.getValue().trim()));
            }
        }
        if (!unknown.isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "unknown faulty filesystem options " + unknown + "; known: "
                    + new TreeSet<>(KEYS) + " and " + INNER_PREFIX + "KEY=VALUE for the wrapped type");
        }
        String over = options.get(OVER);
        if (over == null || over.isBlank()) {
            throw new JiomapException(Errno.EINVAL, "the faulty filesystem needs over=TYPE, the filesystem type it"
                    + " wraps");
        }
        return new FaultPlan(over.trim(), inner, List.copyOf(faults));
    }

    private static Fault fault(String key, String text) throws JiomapException {
        int at = text.lastIndexOf('@');
        String what = at < 0 ? text : text.substring(0, at);
        Fault.Where where = at < 0 ? new Fault.Where.Always() : where(key, text, text.substring(at + 1));
        String option = key + "=" + text;
        return switch (key) {
            case FAIL_BEGIN -> new Fault(option, Fault.Kind.FAIL_BEGIN, errno(key, text, what), where);
            case FAIL_END_IO -> new Fault(option, Fault.Kind.FAIL_END_IO, errno(key, text, what), where);
            case FORCE -> new Fault(option, Fault.Kind.FORCE_FLAGS, flags(key, text, what), where);
            default -> new Fault(option, Fault.Kind.DELAY_BEGIN, nanos(key, text, what), where);
        };
    }

    private static Fault.Where where(String key, String text, String w) throws JiomapException {
        if (w.startsWith("/")) {
            return new Fault.Where.OnPath(w);
        }
        int dash = w.indexOf('-');
        if (dash > 0) {
            long start = bytes(key, text, w.substring(0, dash));
            long end = bytes(key, text, w.substring(dash + 1));
            if (end <= start) {
                throw invalid(key, text, "a range START-END with END after START");
            }
            return new Fault.Where.Range(start, end);
        }
        boolean andLater = w.endsWith("+");
        long n = bytes(key, text, andLater ? w.substring(0, w.length() - 1) : w);
        if (n < 1) {
            throw invalid(key, text, "a call number from 1");
        }
        return new Fault.Where.Nth(n, andLater);
    }

    /** An errno by name ({@code enospc}, {@code EIO}, ...), as {@link Errno#name} spells it. */
    private static long errno(String key, String text, String name) throws JiomapException {
        for (int e = 1; e < 200; e++) {
            if (Errno.name(e).equalsIgnoreCase(name)) {
                return e;
            }
        }
        throw invalid(key, text, "an errno name such as enospc or eio");
    }

    private static long flags(String key, String text, String names) throws JiomapException {
        long flags = 0;
        for (String name : names.split("\\+")) {
            flags |= switch (name.toLowerCase(Locale.ROOT)) {
                case "dirty" -> Iomap.F_DIRTY;
                case "new" -> Iomap.F_NEW;
                case "shared" -> Iomap.F_SHARED;
                default -> throw invalid(key, text, "mapping flags dirty, new or shared, joined with +");
            };
        }
        return flags;
    }

    private static long nanos(String key, String text, String d) throws JiomapException {
        String t = d.toLowerCase(Locale.ROOT);
        int digits = 0;
        while (digits < t.length() && Character.isDigit(t.charAt(digits))) {
            digits++;
        }
        long unit = switch (t.substring(digits)) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            default -> 0;
        };
        if (digits == 0 || unit == 0 || digits > 12 || Long.parseLong(t.substring(0, digits)) > MAX_DELAY_NANOS / unit) {
            throw invalid(key, text, "a duration such as 200us or 5ms, at most 10s");
        }
        return Long.parseLong(t.substring(0, digits)) * unit;
    }

    /** A count or byte offset, with an optional binary suffix k, m or g. */
    private static long bytes(String key, String text, String n) throws JiomapException {
        String t = n.trim().toLowerCase(Locale.ROOT);
        int shift = t.isEmpty() ? 0 : switch (t.charAt(t.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        if (digits.isEmpty() || digits.length() > 15 || !digits.chars().allMatch(Character::isDigit)) {
            throw invalid(key, text, "@N, @N+, @START-END (k/m/g suffixes) or @/path");
        }
        return Long.parseLong(digits) << shift;
    }

    private static JiomapException invalid(String key, String text, String expected) {
        return new JiomapException(Errno.EINVAL, "faulty filesystem option " + key + "=" + text + ": expected "
                + expected);
    }
}
