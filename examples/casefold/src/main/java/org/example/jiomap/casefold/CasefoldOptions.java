package org.example.jiomap.casefold;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The options of a {@code casefold} filesystem: {@code over=TYPE}, the type it wraps, and {@code inner.KEY=VALUE},
 * passed on to that type as {@code KEY=VALUE}. Anything else is refused with EINVAL naming it.
 *
 * @param over         the wrapped type's name
 * @param innerOptions the options for the wrapped type, without the prefix
 */
record CasefoldOptions(String over, Map<String, String> innerOptions) {
    static final String OVER = "over";
    static final String INNER_PREFIX = "inner.";

    static CasefoldOptions parse(Map<String, String> options) throws JiomapException {
        Map<String, String> inner = new LinkedHashMap<>();
        TreeSet<String> unknown = new TreeSet<>();
        for (Map.Entry<String, String> e : options.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(INNER_PREFIX) && key.length() > INNER_PREFIX.length()) {
                inner.put(key.substring(INNER_PREFIX.length()), e.getValue());
            } else if (!key.equals(OVER)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "unknown casefold options " + unknown + "; known: over=TYPE and "
                    + INNER_PREFIX + "KEY=VALUE for the wrapped type");
        }
        String over = options.get(OVER);
        if (over == null || over.isBlank()) {
            throw new JiomapException(Errno.EINVAL, "casefold needs over=TYPE, the filesystem type it wraps"
                    + " (e.g. casefold:over=ext4-like)");
        }
        return new CasefoldOptions(over.trim(), Map.copyOf(inner));
    }
}
