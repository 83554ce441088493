package io.jiomap.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a {@link ChartSpec} as a PNG with XChart. XChart's logarithmic axis shows decades only, so the log2 axis is a
 * linear axis over log2(QD) whose tick labels are written back as queue depths.
 */
public final class PngChart {
    public static final int WIDTH = 1200;
    public static final int HEIGHT = 650;
    private static final String FONT = Font.SANS_SERIF;

    static {
        // Charts are drawn into images only; no display is needed or used.
        System.setProperty("java.awt.headless", "true");
    }

    private PngChart() {
    }

    public static void write(ChartSpec spec, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart(spec), out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    static XYChart chart(ChartSpec spec) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(spec.title())
                .xAxisTitle(ChartSpec.X_LABEL).yAxisTitle(spec.yLabel()).build();
        Styler.LegendPosition legend = Styler.LegendPosition.OutsideE;
        var st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE)
                .setPlotBackgroundColor(Color.WHITE)
                .setPlotBorderColor(Color.GRAY)
                .setLegendPosition(legend)
                .setLegendBorderColor(Color.LIGHT_GRAY)
                .setChartTitleBoxVisible(false)
                .setChartTitleFont(new Font(FONT, Font.BOLD, titleSize(spec.title())))
                .setLegendFont(new Font(FONT, Font.PLAIN, 13))
                .setMarkerSize(7)
                .setAntiAlias(true);
        st.setAxisTitleFont(new Font(FONT, Font.PLAIN, 14))
                .setAxisTickLabelsFont(new Font(FONT, Font.PLAIN, 12))
                .setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        // No explicit x range: XChart then puts its ticks on the data's own (equally spaced) log2 values, or on round
        // steps between them, and a label is written only where a tick falls on a QD.
        var ticks = spec.xTicks();
        st.setXAxisTickLabelsFormattingFunction(x -> {
            for (int qd : ticks) {
                if (Math.abs(ChartSpec.log2(qd) - x) < 1e-6) {
                    return String.valueOf(qd);
                }
            }
            return "";
        });
        st.setYAxisTickLabelsFormattingFunction(spec.yFormat()::format);
        if (spec.yFormat() != ChartSpec.YFormat.PERCENT) {
            st.setYAxisMin(0.0);
        }
        for (ChartSpec.Series s : spec.series()) {
            double[] x = new double[s.qd().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = ChartSpec.log2(s.qd()[i]);
            }
            XYSeries line = chart.addSeries(s.name(), x, s.y());
            Color c = new Color(s.rgb());
            line.setLineColor(c);
            line.setMarkerColor(c);
            line.setMarker(SeriesMarkers.CIRCLE);
            line.setLineStyle(s.dashed()
                    ? new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f)
                    : new BasicStroke(2.2f));
        }
        return chart;
    }

    /** The largest title font, 18 pt down to 9, whose line fits the image width. */
    static int titleSize(String title) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            for (int size = 18; size > 9; size--) {
                FontMetrics fm = g.getFontMetrics(new Font(FONT, Font.BOLD, size));
                if (fm.stringWidth(title) <= WIDTH - 60) {
                    return size;
                }
            }
            return 9;
        } finally {
            g.dispose();
        }
    }
}
