package io.jiomap.cli.report;

import io.jiomap.cli.text.Units;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One chart of a report, whatever draws it ({@link PngChart}, {@link SvgChart}): lines of a metric against the queue
 * depth, which is always on a log2 axis (QD 1, 2, 4, ... evenly spaced).
 *
 * @param name    file stem ({@code iops} gives iops.png and iops.svg)
 * @param title   the title, naming what ran where
 * @param yLabel  the y axis label with its unit
 * @param yFormat how y tick labels are written
 * @param series  the lines, at least one
 */
public record ChartSpec(String name, String title, String yLabel, YFormat yFormat, List<Series> series) {
    /** The x axis label, the same on every chart. */
    public static final String X_LABEL = "queue depth (I/Os in flight, log2 scale)";

    public ChartSpec {
        Objects.requireNonNull(name, "name");
        series = List.copyOf(series);
        if (series.isEmpty()) {
            throw new IllegalArgumentException("chart " + name + " has no series");
        }
    }

    /** How a y value is written on the axis. */
    public enum YFormat {
        /** 950, 12.5k, 1.08M. */
        COUNT,
        /** Up to three significant digits. */
        PLAIN,
        /** A signed percentage. */
        PERCENT;

        public String format(double v) {
            return switch (this) {
                case COUNT -> Units.count(v);
                case PLAIN -> v == Math.rint(v) && Math.abs(v) < 1e6 ? String.valueOf((long) v)
                        : String.format(Locale.ROOT, "%.3g", v);
                case PERCENT -> Math.abs(v) < 0.5 ? "0%" : String.format(Locale.ROOT, "%+.0f%%", v);
            };
        }
    }

    /**
     * One line: finite points only, in ascending QD.
     *
     * @param name   legend text
     * @param rgb    colour, 0xRRGGBB
     * @param dashed drawn dashed (the "before" run of a comparison)
     * @param qd     queue depths
     * @param y      values
     */
    public record Series(String name, int rgb, boolean dashed, int[] qd, double[] y) {
        public Series {
            if (qd.length != y.length || qd.length == 0) {
                throw new IllegalArgumentException("series " + name + " needs as many values as queue depths, >= 1");
            }
        }
    }

    public int minQd() {
        return series.stream().flatMapToInt(s -> Arrays.stream(s.qd())).min().orElseThrow();
    }

    public int maxQd() {
        return series.stream().flatMapToInt(s -> Arrays.stream(s.qd())).max().orElseThrow();
    }

    /** The tick labels of the log2 axis: every power of two from the lowest to the highest QD, and each QD drawn. */
    public List<Integer> xTicks() {
        TreeSet<Integer> ticks = new TreeSet<>();
        for (long q = Integer.highestOneBit(minQd()); q <= maxQd(); q <<= 1) {
            if (q >= minQd()) {
                ticks.add((int) q);
            }
        }
        series.forEach(s -> Arrays.stream(s.qd()).forEach(ticks::add));
        return List.copyOf(ticks);
    }

    /** log2 of a queue depth, exact for powers of two (so their points are exactly equally spaced). */
    public static double log2(int qd) {
        if (Integer.bitCount(qd) == 1) {
            return Integer.numberOfTrailingZeros(qd);
        }
        return Math.log(qd) / Math.log(2);
    }
}
