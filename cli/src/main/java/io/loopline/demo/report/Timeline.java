package io.loopline.demo.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened over event time during a run, as read back from the drift and predictions topics:
 * the series the report plots. Thread-safe (readers fill it, the report reads a copy).
 */
public final class Timeline {
    /** A value at an event time. */
    public record Point(long time, double value) {}

    /** Something that happened at an event time: a detector firing, a retraining, a promotion, a rollback, the injected drift. */
    public record Mark(long time, String kind, String label) {}

    private final Map<Long, List<Point>> accuracyByVersion = new TreeMap<>();
    private final Map<Long, Map<Long, Long>> accuracyCounts = new TreeMap<>();
    private final Map<String, List<Point>> psiByFeature = new TreeMap<>();
    private final Map<Long, Map<Long, Long>> predictionsByBucket = new TreeMap<>();
    private final List<Mark> marks = new ArrayList<>();
    private final long bucketMillis;

    /** @param bucketMillis the width of the buckets in which predictions are counted per version */
    public Timeline(long bucketMillis) {
        this.bucketMillis = bucketMillis;
    }

    /**
     * A window's accuracy over {@code count} examples. A window reported again (examples that came
     * after it closed) is merged into one point, weighted by the counts.
     */
    public synchronized void accuracy(long version, long time, double value, long count) {
        List<Point> points = accuracyByVersion.computeIfAbsent(version, v -> new ArrayList<>());
        Map<Long, Long> counts = accuracyCounts.computeIfAbsent(version, v -> new TreeMap<>());
        long before = counts.getOrDefault(time, 0L);
        if (before > 0 && count > 0) {
            for (int i = 0; i < points.size(); i++) {
                if (points.get(i).time() == time) {
                    points.set(i, new Point(time, (points.get(i).value() * before + value * count) / (before + count)));
                }
            }
        } else {
            points.add(new Point(time, value));
        }
        counts.put(time, before + Math.max(count, 0));
    }

    public synchronized void psi(String feature, long time, double value) {
        psiByFeature.computeIfAbsent(feature, f -> new ArrayList<>()).add(new Point(time, value));
    }

    public synchronized void prediction(long version, long eventTime) {
        long bucket = Math.floorDiv(eventTime, bucketMillis) * bucketMillis;
        predictionsByBucket.computeIfAbsent(bucket, b -> new TreeMap<>()).merge(version, 1L, Long::sum);
    }

    public synchronized void mark(long time, String kind, String label) {
        marks.add(new Mark(time, kind, label));
    }

    public synchronized Map<Long, List<Point>> accuracy() {
        Map<Long, List<Point>> copy = new TreeMap<>();
        accuracyByVersion.forEach((v, points) -> copy.put(v, sorted(points)));
        return copy;
    }

    public synchronized Map<String, List<Point>> psi() {
        Map<String, List<Point>> copy = new TreeMap<>();
        psiByFeature.forEach((f, points) -> copy.put(f, sorted(points)));
        return copy;
    }

    /** Share of each bucket's predictions made by each version. */
    public synchronized Map<Long, List<Point>> servingShare() {
        Map<Long, List<Point>> share = new TreeMap<>();
        predictionsByBucket.values().forEach(counts -> counts.keySet().forEach(v -> share.putIfAbsent(v, new ArrayList<>())));
        predictionsByBucket.forEach((bucket, counts) -> {
            double total = counts.values().stream().mapToLong(Long::longValue).sum();
            share.forEach((version, points) -> points.add(new Point(bucket + bucketMillis / 2, counts.getOrDefault(version, 0L) / total)));
        });
        return share;
    }

    /**
     * Start of the first bucket at or after {@code from} in which versions {@code minVersion} and later
     * made at least {@code share} of the predictions; -1 if none has yet.
     */
    public synchronized long firstServedBy(long minVersion, long from, double share) {
        for (var bucket : predictionsByBucket.entrySet()) {
            if (bucket.getKey() + bucketMillis <= from) {
                continue;
            }
            long total = bucket.getValue().values().stream().mapToLong(Long::longValue).sum();
            long byNew = bucket.getValue().entrySet().stream().filter(e -> e.getKey() >= minVersion).mapToLong(Map.Entry::getValue).sum();
            if (total > 0 && byNew >= share * total) {
                return Math.max(bucket.getKey(), from);
            }
        }
        return -1;
    }

    public synchronized List<Mark> marks() {
        List<Mark> copy = new ArrayList<>(marks);
        copy.sort(java.util.Comparator.comparingLong(Mark::time));
        return copy;
    }

    /** Mean of a version's accuracy points within [from, to). NaN when there are none. */
    public synchronized double meanAccuracy(long version, long from, long to) {
        return accuracyByVersion.getOrDefault(version, List.of()).stream().filter(p -> p.time() >= from && p.time() < to).mapToDouble(Point::value)
                .average().orElse(Double.NaN);
    }

    private static List<Point> sorted(List<Point> points) {
        List<Point> copy = new ArrayList<>(points);
        copy.sort(java.util.Comparator.comparingLong(Point::time));
        return copy;
    }
}
