package io.jiomap.cli.text;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * A small pretty-printing JSON writer, enough for fio's output shape: objects, arrays, strings, integers, decimals,
 * booleans. It keeps track of commas and nesting so every document it finishes is valid JSON; misuse (a value where
 * a name is expected, an unclosed object) fails with IllegalStateException instead of writing broken output.
 */
public final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    /** One entry per open container: 'o' object, 'a' array; the flag says whether it has a member yet. */
    private final Deque<char[]> stack = new ArrayDeque<>();
    private boolean nameWritten;

    public JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        stack.push(new char[] {'o', 'e'});
        return this;
    }

    public JsonWriter endObject() {
        end('o', '}');
        return this;
    }

    public JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        stack.push(new char[] {'a', 'e'});
        return this;
    }

    public JsonWriter endArray() {
        end('a', ']');
        return this;
    }

    /** Writes a member name; the next call must write its value. */
    public JsonWriter name(String name) {
        char[] top = stack.peek();
        if (top == null || top[0] != 'o' || nameWritten) {
            throw new IllegalStateException("a name is only allowed directly inside an object, before its value");
        }
        separate(top);
        quote(name);
        out.append(": ");
        nameWritten = true;
        return this;
    }

    public JsonWriter value(String value) {
        beforeValue();
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    public JsonWriter value(long value) {
        beforeValue();
        out.append(value);
        return this;
    }

    /** A decimal with six places, as fio prints them; NaN and infinities (not JSON) are written as 0. */
    public JsonWriter value(double value) {
        beforeValue();
        out.append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.6f", value) : "0");
        return this;
    }

    public JsonWriter value(boolean value) {
        beforeValue();
        out.append(value);
        return this;
    }

    public JsonWriter member(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter member(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter member(String name, double value) {
        return name(name).value(value);
    }

    public JsonWriter member(String name, boolean value) {
        return name(name).value(value);
    }

    /** The document; fails if a container is still open. */
    public String finish() {
        if (!stack.isEmpty()) {
            throw new IllegalStateException(stack.size() + " JSON container(s) still open");
        }
        return out.append('\n').toString();
    }

    private void beforeValue() {
        char[] top = stack.peek();
        if (top == null) {
            if (!out.isEmpty()) {
                throw new IllegalStateException("a JSON document has one top-level value");
            }
            return;
        }
        if (top[0] == 'o') {
            if (!nameWritten) {
                throw new IllegalStateException("a value inside an object needs a name first");
            }
            nameWritten = false;
        } else {
            separate(top);
        }
    }

    private void separate(char[] top) {
        if (top[1] == 'm') {
            out.append(',');
        }
        top[1] = 'm';
        newline(stack.size());
    }

    private void end(char kind, char close) {
        char[] top = stack.peek();
        if (top == null || top[0] != kind || nameWritten) {
            throw new IllegalStateException("unbalanced JSON: cannot close '" + close + "' here");
        }
        stack.pop();
        if (top[1] == 'm') {
            newline(stack.size());
        }
        out.append(close);
    }

    private void newline(int depth) {
        out.append('\n');
        out.repeat("  ", depth);
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
