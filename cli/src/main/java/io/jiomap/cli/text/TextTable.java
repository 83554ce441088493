package io.jiomap.cli.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A table of strings printed aligned for a terminal (first column left, the others right-aligned, as numbers read
 * best), as a Markdown table for BENCHMARKS.md or as an HTML table for a report page. One object, three renderings, so
 * all show the same numbers.
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

    /** An HTML {@code <table>}, cells escaped, numeric columns right-aligned by the class {@code num}. */
    public String html() {
        StringBuilder sb = new StringBuilder("<table>\n<tr>");
        for (int c = 0; c < header.size(); c++) {
            sb.append(c == 0 ? "<th>" : "<th class=\"num\">").append(escapeHtml(header.get(c))).append("</th>");
        }
        sb.append("</tr>\n");
        for (List<String> r : rows) {
            sb.append("<tr>");
            for (int c = 0; c < r.size(); c++) {
                sb.append(c == 0 ? "<td>" : "<td class=\"num\">").append(escapeHtml(r.get(c))).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    /** Text made safe inside HTML or XML elements and attribute values. */
    public static String escapeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
            }
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
