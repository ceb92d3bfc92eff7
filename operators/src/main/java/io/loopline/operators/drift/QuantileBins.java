package io.loopline.operators.drift;

import java.util.Arrays;

/**
 * Bins with about equal reference counts: the edges are reference quantiles (duplicates merged, so
 * a heavy value gets one bin). Values below the first edge count in the first bin, above the last
 * in the last one, so every value lands somewhere.
 */
public record QuantileBins(double[] edges) {
    public QuantileBins {
        if (edges.length < 2) {
            throw new IllegalArgumentException("bins need at least two edges");
        }
    }

    public static QuantileBins of(double[] reference, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("--bins must be >= 1, got " + bins);
        }
        double[] sorted = reference.clone();
        Arrays.sort(sorted);
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            double position = (double) i / bins * (sorted.length - 1);
            int lo = (int) Math.floor(position);
            int hi = Math.min(lo + 1, sorted.length - 1);
            edges[i] = sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
        }
        double[] distinct = Arrays.stream(edges).distinct().toArray();
        if (distinct.length < 2) {
            distinct = new double[] {distinct[0], Math.nextUp(distinct[0])};
        }
        return new QuantileBins(distinct);
    }

    public int count() {
        return edges.length - 1;
    }

    /** The bin of a value: inner edges are upper bounds (a value equal to an edge goes to the lower bin). */
    public int bin(double value) {
        int i = Arrays.binarySearch(edges, 1, edges.length - 1, value);
        int insertion = i >= 0 ? i : -i - 1;
        return Math.min(Math.max(insertion - 1, 0), count() - 1);
    }

    public double[] histogram(double[] values) {
        double[] counts = new double[count()];
        for (double v : values) {
            counts[bin(v)]++;
        }
        return counts;
    }
}
