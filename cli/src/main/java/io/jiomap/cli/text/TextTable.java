package io.jiomap.cli.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A table of strings printed either aligned for a terminal (first column left, the others right-aligned, as numbers
 * read best) or as a Markdown table for BENCHMARKS.md. One object, two renderings, so both show the same numbers.
 */
public final class TextTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... header) {
        this.header = List.of(header);
    }

    public TextTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, the table " + header.size());
        }
        rows.add(List.of(cells));
        return this;
    }

    /** Aligned columns separated by two spaces, each line indented by {@code indent}. */
    public String render(String indent) {
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = header.get(c).length();
            for (List<String> r : rows) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, indent, header, width);
        for (List<String> r : rows) {
            line(sb, indent, r, width);
        }
        return sb.toString();
    }

    /** A GitHub-flavoured Markdown table, numeric columns right-aligned. */
    public String markdown() {
        StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int c = 0; c < header.size(); c++) {
            sb.append(c == 0 ? "---|" : "---:|");
        }
        sb.append('\n');
        for (List<String> r : rows) {
            sb.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String indent, List<String> cells, int[] width) {
        sb.append(indent);
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            if (c == 0) {
                sb.append(cell).repeat(' ', width[c] - cell.length());
            } else {
                sb.append("  ").repeat(' ', width[c] - cell.length()).append(cell);
            }
        }
        sb.append('\n');
    }
}
