package io.loopline.demo.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A line chart over event time as inline SVG: named series, horizontal thresholds and vertical
 * marks. No script and no external file, so the report opens anywhere, offline.
 */
final class SvgChart {
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    private static final Map<String, String> MARK_COLORS = Map.of("drift", "#d62728", "detector", "#7f7f7f", "promotion", "#2ca02c",
            "rejection", "#ff7f0e", "retrain", "#9467bd", "rollback", "#8c564b");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int WIDTH = 960;
    private static final int HEIGHT = 280;
    private static final int LEFT = 56;
    private static final int RIGHT = 150;
    private static final int TOP = 16;
    private static final int BOTTOM = 34;

    private final String id;
    private final String yLabel;
    private final Map<String, List<Timeline.Point>> series = new LinkedHashMap<>();
    private final List<double[]> thresholds = new ArrayList<>();
    private final List<String> thresholdLabels = new ArrayList<>();
    private final List<Timeline.Mark> marks = new ArrayList<>();
    private double yMin = Double.NaN;
    private double yMax = Double.NaN;

    SvgChart(String id, String yLabel) {
        this.id = id;
        this.yLabel = yLabel;
    }

    SvgChart series(String name, List<Timeline.Point> points) {
        series.put(name, points);
        return this;
    }

    SvgChart threshold(double value, String label) {
        thresholds.add(new double[] {value});
        thresholdLabels.add(label);
        return this;
    }

    SvgChart marks(List<Timeline.Mark> values) {
        marks.addAll(values);
        return this;
    }

    SvgChart yRange(double min, double max) {
        yMin = min;
        yMax = max;
        return this;
    }

    String render(long from, long to) {
        double lo = yMin;
        double hi = yMax;
        if (Double.isNaN(lo) || Double.isNaN(hi)) {
            lo = 0;
            hi = 0;
            for (List<Timeline.Point> points : series.values()) {
                for (Timeline.Point p : points) {
                    hi = Math.max(hi, p.value());
                }
            }
            for (double[] t : thresholds) {
                hi = Math.max(hi, t[0] * 1.2);
            }
            hi = hi <= 0 ? 1 : hi * 1.05;
        }
        long span = Math.max(1, to - from);
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        final double low = lo;
        final double high = hi;
        java.util.function.LongToDoubleFunction x = t -> LEFT + plotWidth * (t - from) / span;
        java.util.function.DoubleUnaryOperator y = v -> TOP + plotHeight * (1 - (Math.max(low, Math.min(high, v)) - low) / (high - low));

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
                id, WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" stroke=\"#ccc\"/>%n", LEFT, TOP,
                plotWidth, plotHeight));
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            double py = y.applyAsDouble(v);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>%n", LEFT, LEFT + plotWidth, py, py, LEFT - 4, py + 4,
                    format(v)));
        }
        for (int i = 0; i <= 6; i++) {
            long t = from + span * i / 6;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>%n", x.applyAsDouble(t),
                    HEIGHT - BOTTOM + 16, CLOCK.format(Instant.ofEpochMilli(t))));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s</text>%n",
                TOP + (int) plotHeight / 2, TOP + (int) plotHeight / 2, escape(yLabel)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">event time (UTC)</text>%n",
                LEFT + plotWidth / 2, HEIGHT - 4));
        for (int i = 0; i < thresholds.size(); i++) {
            double py = y.applyAsDouble(thresholds.get(i)[0]);
            svg.append(String.format(Locale.ROOT, "<line class=\"threshold\" x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#d62728\">%s</text>%n", LEFT, LEFT + plotWidth, py, py, LEFT + plotWidth + 4, py + 3,
                    escape(thresholdLabels.get(i))));
        }
        for (Timeline.Mark m : marks) {
            if (m.time() < from || m.time() > to) {
                continue;
            }
            double px = x.applyAsDouble(m.time());
            String color = MARK_COLORS.getOrDefault(m.kind(), "#333");
            boolean major = !m.kind().equals("detector");
            svg.append(String.format(Locale.ROOT, "<line class=\"marker %s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"%s\"%s>"
                    + "<title>%s</title></line>%n", m.kind(), px, px, major ? TOP : TOP + (int) plotHeight - 14, TOP + plotHeight, color, major ? "1.5" : "1",
                    m.kind().equals("drift") ? " stroke-dasharray=\"4 3\"" : "", escape(m.label())));
            if (major) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"%s\">%s</text>%n", px + 3, TOP + 11, color,
                        escape(shortLabel(m))));
            }
        }
        int index = 0;
        for (var e : series.entrySet()) {
            String color = COLORS[index % COLORS.length];
            StringBuilder points = new StringBuilder();
            for (Timeline.Point p : e.getValue()) {
                if (!Double.isNaN(p.value())) {
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(p.time()), y.applyAsDouble(p.value())));
                }
            }
            svg.append(String.format(Locale.ROOT, "<polyline class=\"series\" data-series=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    escape(e.getKey()), color, points.toString().trim()));
            double ly = TOP + 14 + index * 16;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s</text>%n", LEFT + plotWidth + 40, LEFT + plotWidth + 58, ly + 30, ly + 30, color,
                    LEFT + plotWidth + 62, ly + 34, escape(e.getKey())));
            index++;
        }
        return svg.append("</svg>\n").toString();
    }

    private static String shortLabel(Timeline.Mark m) {
        return switch (m.kind()) {
            case "promotion" -> m.label().split(" ")[0];
            case "drift" -> "drift";
            case "rollback" -> "rollback";
            case "rejection" -> "x";
            case "retrain" -> "";
            default -> "";
        };
    }

    private static String format(double v) {
        return Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
