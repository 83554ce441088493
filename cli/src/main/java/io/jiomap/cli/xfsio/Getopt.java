package io.jiomap.cli.xfsio;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * POSIX getopt for one xfs_io command: options first ({@code -k}, {@code -b 8192}, {@code -b8192}, clustered
 * {@code -qv}), then operands; {@code --} ends the options.
 */
final class Getopt {
    private final Map<Character, String> values = new HashMap<>();
    private final List<String> operands = new ArrayList<>();

    /**
     * @param spec the option letters, a letter followed by ':' taking a value (getopt's optstring)
     * @throws IllegalArgumentException an unknown option or a missing value, naming it
     */
    Getopt(String command, List<String> args, String spec) {
        int i = 0;
        while (i < args.size()) {
            String a = args.get(i);
            if (a.equals("--")) {
                i++;
                break;
            }
            if (!a.startsWith("-") || a.length() == 1 || isNumber(a)) {
                break;
            }
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                int at = spec.indexOf(c);
                if (at < 0) {
                    throw new IllegalArgumentException(command + ": invalid option -- '" + c + "'");
                }
                boolean takesValue = at + 1 < spec.length() && spec.charAt(at + 1) == ':';
                if (!takesValue) {
                    values.put(c, "");
                    continue;
                }
                if (j + 1 < a.length()) {
                    values.put(c, a.substring(j + 1));
                } else if (i + 1 < args.size()) {
                    values.put(c, args.get(++i));
                } else {
                    throw new IllegalArgumentException(command + ": option requires an argument -- '" + c + "'");
                }
                break;
            }
            i++;
        }
        operands.addAll(args.subList(i, args.size()));
    }

    private static boolean isNumber(String a) {
        return a.length() > 1 && Character.isDigit(a.charAt(1));
    }

    boolean has(char option) {
        return values.containsKey(option);
    }

    String value(char option) {
        return values.get(option);
    }

    List<String> operands() {
        return operands;
    }
}
