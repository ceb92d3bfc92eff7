package io.loopline.operators.retraining;

import java.util.List;
import java.util.TreeMap;

/**
 * The shadow and the champion on the same events: their accuracies per event-time window (the
 * learning job's {@code shadow/time} and {@code model/time} reports), summed over the windows both
 * reported. A window the shadow covered for less than half of the champion's examples (it started
 * or ended inside it) is left out, so both numbers are about the same traffic. Plain Java; the
 * trainer keeps its {@link #state()} in its {@link TrainerState}.
 */
final class ShadowComparison {
    /** Windows waiting for the other side; older ones are dropped beyond this (the other side is not coming). */
    static final int MAX_PENDING = 64;

    private final TreeMap<Long, double[]> champion = new TreeMap<>();
    private final TreeMap<Long, double[]> shadow = new TreeMap<>();
    private double championCorrect;
    private double championCount;
    private double shadowCorrect;
    private double shadowCount;

    void champion(long windowStart, double accuracy, long count) {
        add(champion, windowStart, accuracy, count);
    }

    void shadow(long windowStart, double accuracy, long count) {
        add(shadow, windowStart, accuracy, count);
    }

    private void add(TreeMap<Long, double[]> side, long windowStart, double accuracy, long count) {
        if (Double.isNaN(accuracy) || count <= 0) {
            return;
        }
        double[] sum = side.computeIfAbsent(windowStart, s -> new double[2]);
        sum[0] += accuracy * count; // a window reported twice (a late example reopened it) adds up
        sum[1] += count;
        double[] c = champion.get(windowStart);
        double[] s = shadow.get(windowStart);
        if (c != null && s != null) {
            champion.remove(windowStart);
            shadow.remove(windowStart);
            if (s[1] >= c[1] / 2) {
                championCorrect += c[0];
                championCount += c[1];
                shadowCorrect += s[0];
                shadowCount += s[1];
            }
        }
        while (side.size() > MAX_PENDING) {
            side.pollFirstEntry();
        }
    }

    /** Shadow examples in the windows compared so far. */
    long shadowExamples() {
        return (long) shadowCount;
    }

    double shadowAccuracy() {
        return shadowCount == 0 ? Double.NaN : shadowCorrect / shadowCount;
    }

    double championAccuracy() {
        return championCount == 0 ? Double.NaN : championCorrect / championCount;
    }

    TrainerState.ShadowTally state() {
        return new TrainerState.ShadowTally(championCorrect, championCount, shadowCorrect, shadowCount, pending(champion), pending(shadow));
    }

    private static List<TrainerState.Window> pending(TreeMap<Long, double[]> side) {
        return side.entrySet().stream().map(e -> new TrainerState.Window(e.getKey(), e.getValue()[0], e.getValue()[1])).toList();
    }

    static ShadowComparison restore(TrainerState.ShadowTally tally) {
        ShadowComparison c = new ShadowComparison();
        c.championCorrect = tally.championCorrect();
        c.championCount = tally.championCount();
        c.shadowCorrect = tally.shadowCorrect();
        c.shadowCount = tally.shadowCount();
        tally.championPending().forEach(w -> c.champion.put(w.start(), new double[] {w.correct(), w.count()}));
        tally.shadowPending().forEach(w -> c.shadow.put(w.start(), new double[] {w.correct(), w.count()}));
        return c;
    }
}
