package io.jiomap.cli.report;

import io.jiomap.cli.text.TextTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link ChartSpec} as SVG text: the same title, axes, log2 QD ticks, lines, markers and legend as the PNG.
 *
 * <p>Written here rather than through XChart's SVG encoder, which needs VectorGraphics2D: that library is LGPL-3.0,
 * and a line chart is a few dozen SVG elements, so a small writer keeps the cli bundle free of it.
 */
public final class SvgChart {
    private static final int W = PngChart.WIDTH;
    private static final int H = PngChart.HEIGHT;
    private static final int LEFT = 90;
    /** Room right of the plot for the legend. */
    private static final int RIGHT = 250;
    private static final int TOP = 56;
    private static final int LEGEND_ROW = 22;
    private static final String FONT = "DejaVu Sans, Verdana, Arial, sans-serif";

    private SvgChart() {
    }

    public static String render(ChartSpec spec) {
        List<ChartSpec.Series> series = spec.series();
        int bottom = 64;
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - bottom;

        double lo = ChartSpec.log2(spec.minQd());
        double hi = ChartSpec.log2(spec.maxQd());
        double pad = hi > lo ? (hi - lo) * 0.04 : 0.5;
        double x0 = lo - pad;
        double x1 = hi + pad;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (ChartSpec.Series s : series) {
            for (double v : s.y()) {
                yMin = Math.min(yMin, v);
                yMax = Math.max(yMax, v);
            }
        }
        if (spec.yFormat() != ChartSpec.YFormat.PERCENT || yMin > 0) {
            yMin = Math.min(0, yMin);
        }
        double step = niceStep((yMax - yMin) / 6);
        double y0 = Math.floor(yMin / step) * step;
        double y1 = Math.max(Math.ceil(yMax / step) * step, y0 + step);

        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"%s\">%n", W, H, W, H, FONT));
        sb.append("<title>").append(esc(spec.title())).append("</title>\n");
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        int titleSize = PngChart.titleSize(spec.title());
        sb.append(String.format(Locale.ROOT, "<text class=\"title\" x=\"%d\" y=\"32\" text-anchor=\"middle\""
                + " font-size=\"%d\" font-weight=\"bold\">%s</text>%n", W / 2, titleSize, esc(spec.title())));

        // Grid and y ticks.
        for (double v = y0; v <= y1 + step / 2; v += step) {
            double y = TOP + plotH - (v - y0) / (y1 - y0) * plotH;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dddddd\"/>%n",
                    LEFT, y, LEFT + plotW, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">%s"
                    + "</text>%n", LEFT - 8, y + 4, esc(spec.yFormat().format(Math.abs(v) < step / 1e6 ? 0 : v))));
        }
        // x ticks: queue depths on the log2 axis.
        for (int qd : spec.xTicks()) {
            double x = LEFT + (ChartSpec.log2(qd) - x0) / (x1 - x0) * plotW;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#dddddd\"/>%n",
                    x, TOP, x, TOP + plotH));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%d"
                    + "</text>%n", x, TOP + plotH + 18, qd));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"gray\"/>%n", LEFT, TOP, plotW, plotH));
        sb.append(String.format(Locale.ROOT, "<text class=\"x-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\""
                + " font-size=\"14\">%s</text>%n", LEFT + plotW / 2, TOP + plotH + 42, esc(ChartSpec.X_LABEL)));
        sb.append(String.format(Locale.ROOT, "<text class=\"y-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\""
                + " font-size=\"14\" transform=\"rotate(-90 %d %d)\">%s</text>%n", 22, TOP + plotH / 2, 22,
                TOP + plotH / 2, esc(spec.yLabel())));

        // Lines and markers.
        for (ChartSpec.Series s : series) {
            String colour = String.format(Locale.ROOT, "#%06x", s.rgb());
            List<String> pts = new ArrayList<>();
            for (int i = 0; i < s.qd().length; i++) {
                double x = LEFT + (ChartSpec.log2(s.qd()[i]) - x0) / (x1 - x0) * plotW;
                double y = TOP + plotH - (s.y()[i] - y0) / (y1 - y0) * plotH;
                pts.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
            }
            sb.append("<g class=\"series\"><desc>").append(esc(s.name())).append("</desc>\n");
            sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                    + " stroke-width=\"2.2\"%s/>%n", String.join(" ", pts), colour,
                    s.dashed() ? " stroke-dasharray=\"8 5\"" : ""));
            for (String p : pts) {
                String[] xy = p.split(",");
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"3.5\" fill=\"%s\"/>%n",
                        xy[0], xy[1], colour));
            }
            sb.append("</g>\n");
        }

        // Legend right of the plot, one series per row.
        int legendTop = TOP + plotH / 2 - series.size() * LEGEND_ROW / 2;
        sb.append("<g class=\"legend\">\n");
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"#cccccc\"/>%n", LEFT + plotW + 12, legendTop - 16, RIGHT - 20,
                series.size() * LEGEND_ROW + 10));
        for (int i = 0; i < series.size(); i++) {
            ChartSpec.Series s = series.get(i);
            int lx = LEFT + plotW + 22;
            int ly = legendTop + i * LEGEND_ROW;
            String colour = String.format(Locale.ROOT, "#%06x", s.rgb());
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"2.2\"%s/>%n", lx, ly, lx + 30, ly, colour,
                    s.dashed() ? " stroke-dasharray=\"8 5\"" : ""));
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3.5\" fill=\"%s\"/>%n", lx + 15,
                    ly, colour));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\">%s</text>%n", lx + 38,
                    ly + 4, esc(s.name())));
        }
        sb.append("</g>\n</svg>\n");
        return sb.toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String esc(String s) {
        return TextTable.escapeHtml(s);
    }
}
