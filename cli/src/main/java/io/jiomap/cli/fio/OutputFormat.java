package io.jiomap.cli.fio;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** fio's {@code --output-format}: one of these or several separated by commas. */
enum OutputFormat {
    NORMAL("normal"),
    JSON("json"),
    /** JSON with each reported latency's histogram ({@code bins}); implies JSON. */
    JSON_PLUS("json+");

    final String fioName;

    OutputFormat(String fioName) {
        this.fioName = fioName;
    }

    /** @throws IllegalArgumentException naming a format jiomap does not write */
    static Set<OutputFormat> parse(String text) {
        Set<OutputFormat> formats = EnumSet.noneOf(OutputFormat.class);
        for (String part : text.split(",")) {
            String name = part.strip().toLowerCase(Locale.ROOT);
            OutputFormat found = null;
            for (OutputFormat f : values()) {
                if (f.fioName.equals(name)) {
                    found = f;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("--output-format=" + text + ": '" + name + "' is not a format"
                        + " jiomap writes: normal, json, json+ (or several, comma separated)");
            }
            formats.add(found);
        }
        if (formats.contains(JSON_PLUS)) {
            formats.add(JSON);
        }
        return formats;
    }
}
