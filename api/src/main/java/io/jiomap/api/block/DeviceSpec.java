package io.jiomap.api.block;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device named on a command line: {@code TYPE[:key=value,...]}, e.g. {@code memory:size=8g,lbs=4096}.
 *
 * @param type    the provider type, e.g. {@code memory}
 * @param options the key/value options in the order given
 */
public record DeviceSpec(String type, Map<String, String> options) {
    public DeviceSpec {
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("device type is empty");
        }
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** Parses {@code TYPE[:key=value,...]}; a key without {@code =} means {@code key=true}. */
    public static DeviceSpec parse(String text) {
        int colon = text.indexOf(':');
        String type = (colon < 0 ? text : text.substring(0, colon)).trim();
        Map<String, String> options = new LinkedHashMap<>();
        if (colon >= 0) {
            for (String part : text.substring(colon + 1).split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String key = (eq < 0 ? part : part.substring(0, eq)).trim();
                String value = eq < 0 ? "true" : part.substring(eq + 1).trim();
                if (options.put(key, value) != null) {
                    throw new IllegalArgumentException("device option '" + key + "' given twice in '" + text + "'");
                }
            }
        }
        return new DeviceSpec(type, options);
    }

    @Override
    public String toString() {
        if (options.isEmpty()) {
            return type;
        }
        StringBuilder sb = new StringBuilder(type).append(':');
        options.forEach((k, v) -> sb.append(k).append('=').append(v).append(','));
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }
}
