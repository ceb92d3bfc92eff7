package io.loopline.demo.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run as one self-contained HTML file (inline SVG and CSS, no script, nothing fetched): rolling
 * accuracy per model version with the drift, retrainings and promotions marked; cumulative detector
 * firings; feature drift (PSI per window) against its thresholds; which version served which share of
 * the predictions over time; and a table of the events.
 */
public final class DemoReport {
    /** Chart ids, in page order: tests and scripts find the charts by them. */
    public static final List<String> CHARTS = List.of("accuracy-chart", "detector-chart", "psi-chart", "versions-chart");
    private static final int TOP_FEATURES = 6;

    private DemoReport() {}

    /**
     * @param facts summary lines shown above the charts, in order
     * @param psiThresholds PSI lines to draw, value to label
     */
    public static void write(Path file, String title, Map<String, String> facts, Timeline timeline, Map<Double, String> psiThresholds) throws IOException {
        List<Timeline.Mark> marks = timeline.marks();
        Map<Long, List<Timeline.Point>> accuracy = timeline.accuracy();
        Map<String, List<Timeline.Point>> psi = timeline.psi();
        Map<Long, List<Timeline.Point>> share = timeline.servingShare();
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (var points : List.of(accuracy.values(), psi.values(), share.values())) {
            for (List<Timeline.Point> series : points) {
                for (Timeline.Point p : series) {
                    from = Math.min(from, p.time());
                    to = Math.max(to, p.time());
                }
            }
        }
        for (Timeline.Mark m : marks) {
            from = Math.min(from, m.time());
            to = Math.max(to, m.time());
        }
        if (from > to) {
            from = 0;
            to = 1;
        }
        List<Timeline.Mark> major = marks.stream().filter(m -> !m.kind().equals("detector")).toList();

        SvgChart accuracyChart = new SvgChart("accuracy-chart", "accuracy").marks(marks);
        double lowest = 1;
        for (var e : accuracy.entrySet()) {
            accuracyChart.series("v" + e.getKey(), e.getValue());
            lowest = Math.min(lowest, e.getValue().stream().mapToDouble(Timeline.Point::value).filter(v -> !Double.isNaN(v)).min().orElse(1));
        }
        accuracyChart.yRange(Math.max(0, Math.floor((lowest - 0.02) * 20) / 20), 1);

        SvgChart detectorChart = new SvgChart("detector-chart", "change points (cumulative)").marks(major);
        Map<String, List<Timeline.Point>> firings = new TreeMap<>();
        for (Timeline.Mark m : marks) {
            if (m.kind().equals("detector")) {
                String detector = m.label().split(" ")[0];
                List<Timeline.Point> points = firings.computeIfAbsent(detector, d -> new ArrayList<>(List.of(new Timeline.Point(m.time(), 0))));
                points.add(new Timeline.Point(m.time(), points.size()));
            }
        }
        final long end = to;
        firings.forEach((detector, points) -> {
            points.add(new Timeline.Point(end, points.get(points.size() - 1).value()));
            detectorChart.series(detector, points);
        });

        SvgChart psiChart = new SvgChart("psi-chart", "PSI vs reference").marks(major);
        long drift = marks.stream().filter(m -> m.kind().equals("drift")).mapToLong(Timeline.Mark::time).findFirst().orElse(Long.MIN_VALUE);
        psi.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, List<Timeline.Point>> e) -> -rise(e.getValue(), drift)))
                .limit(TOP_FEATURES)
                .forEach(e -> psiChart.series(e.getKey(), e.getValue()));
        psiThresholds.forEach((value, label) -> psiChart.threshold(value, label));

        SvgChart versionsChart = new SvgChart("versions-chart", "share of predictions").yRange(0, 1).marks(major);
        share.forEach((version, points) -> versionsChart.series("v" + version, points));

        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(SvgChart.escape(title)).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}h1{font-size:22px}h2{font-size:16px;margin-top:28px}"
                        + "table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #ddd;padding:3px 10px;text-align:left}"
                        + ".note{color:#666;font-size:12px}</style></head><body>\n");
        html.append("<h1>").append(SvgChart.escape(title)).append("</h1>\n<table id=\"facts\">\n");
        facts.forEach((k, v) -> html.append("<tr><th>").append(SvgChart.escape(k)).append("</th><td>").append(SvgChart.escape(v)).append("</td></tr>\n"));
        html.append("</table>\n");
        section(html, "Rolling accuracy per model version", "Per event-time window, from the labelled feature log. Dashed red: the injected drift;"
                + " green: a promoted challenger, orange: a rejected one (each at the event time of the newest data it saw; serving"
                + " takes over once the learning job's commits reach it); grey ticks: detector change points.", accuracyChart.render(from, to));
        section(html, "Detector firings", "ADWIN, Page-Hinkley and DDM on the served model's error stream (each version has its own detectors).",
                detectorChart.render(from, to));
        section(html, "Feature drift", "Population stability index of each window against the backfill's reference profile; the "
                + TOP_FEATURES + " features whose PSI rose most after the drift.", psiChart.render(from, to));
        section(html, "Model versions serving", "Share of the committed predictions made by each version, per window: the hot swaps.",
                versionsChart.render(from, to));
        html.append("<h2>Events</h2>\n<table id=\"events\"><tr><th>event time</th><th>what</th><th>detail</th></tr>\n");
        for (Timeline.Mark m : major) {
            html.append("<tr><td>").append(Instant.ofEpochMilli(m.time())).append("</td><td>").append(m.kind()).append("</td><td>")
                    .append(SvgChart.escape(m.label())).append("</td></tr>\n");
        }
        html.append("</table>\n<p class=\"note\">Written by Loopline at ").append(Instant.now()).append(".</p>\n</body></html>\n");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    /** How much higher a series goes after the drift than before it (its maximum when there is no drift mark). */
    private static double rise(List<Timeline.Point> points, long drift) {
        double before = points.stream().filter(p -> p.time() <= drift).mapToDouble(Timeline.Point::value).filter(v -> !Double.isNaN(v)).max().orElse(0);
        double after = points.stream().filter(p -> p.time() > drift).mapToDouble(Timeline.Point::value).filter(v -> !Double.isNaN(v)).max().orElse(0);
        return after - before;
    }

    private static void section(StringBuilder html, String heading, String note, String svg) {
        html.append("<h2>").append(SvgChart.escape(heading)).append("</h2>\n<p class=\"note\">").append(SvgChart.escape(note)).append("</p>\n")
                .append(svg);
    }

    /** Facts in insertion order. */
    public static Map<String, String> facts() {
        return new LinkedHashMap<>();
    }
}
