package io.loopline.operators.drift;

import java.util.Arrays;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/**
 * Distances between a reference distribution and a current one, on histograms over the same bins
 * (counts, not yet normalized) or on raw samples. Empty bins are smoothed with {@link #EPSILON} for
 * the statistics that take logarithms, as PSI is conventionally computed.
 */
public final class DriftStatistics {
    /** Share given to an empty bin in PSI. */
    public static final double EPSILON = 1e-4;

    /** A test statistic and, for a hypothesis test, its p-value (NaN otherwise). */
    public record Statistic(double statistic, double pvalue) {
        public static Statistic of(double statistic) {
            return new Statistic(statistic, Double.NaN);
        }
    }

    private DriftStatistics() {}

    /** Population stability index: Σ (c - r) · ln(c / r) over bin shares, empty bins at {@link #EPSILON}. */
    public static double psi(double[] referenceCounts, double[] currentCounts) {
        double[] r = shares(referenceCounts);
        double[] c = shares(currentCounts);
        double psi = 0;
        for (int i = 0; i < r.length; i++) {
            double ri = Math.max(r[i], EPSILON);
            double ci = Math.max(c[i], EPSILON);
            psi += (ci - ri) * Math.log(ci / ri);
        }
        return psi;
    }

    /** Jensen-Shannon distance (the square root of the divergence), natural logarithm: scipy's {@code jensenshannon} default. */
    public static double jensenShannon(double[] referenceCounts, double[] currentCounts) {
        return jensenShannon(referenceCounts, currentCounts, Math.E);
    }

    public static double jensenShannon(double[] referenceCounts, double[] currentCounts, double base) {
        double[] p = shares(referenceCounts);
        double[] q = shares(currentCounts);
        double divergence = 0;
        for (int i = 0; i < p.length; i++) {
            double m = (p[i] + q[i]) / 2;
            divergence += relativeEntropyTerm(p[i], m) + relativeEntropyTerm(q[i], m);
        }
        divergence = divergence / 2 / Math.log(base);
        return Math.sqrt(Math.max(0, divergence));
    }

    private static double relativeEntropyTerm(double x, double y) {
        return x > 0 ? x * Math.log(x / y) : 0;
    }

    /**
     * Pearson's chi-square goodness-of-fit of the current counts to the reference shares (scipy's
     * {@code chisquare(f_obs, f_exp)} with the expected counts scaled to the observed total), with
     * k - 1 degrees of freedom. A category the reference never saw gets half a count there, so it
     * raises the statistic instead of dividing by zero.
     */
    public static Statistic chiSquare(double[] referenceCounts, double[] currentCounts) {
        requireSameLength(referenceCounts, currentCounts);
        double[] reference = referenceCounts.clone();
        for (int i = 0; i < reference.length; i++) {
            if (reference[i] <= 0) {
                reference[i] = 0.5;
            }
        }
        double referenceTotal = Arrays.stream(reference).sum();
        double observedTotal = Arrays.stream(currentCounts).sum();
        double statistic = 0;
        for (int i = 0; i < reference.length; i++) {
            double expected = reference[i] / referenceTotal * observedTotal;
            double diff = currentCounts[i] - expected;
            statistic += diff * diff / expected;
        }
        int degrees = reference.length - 1;
        if (degrees < 1) {
            return new Statistic(0, 1);
        }
        double p = 1 - new ChiSquaredDistribution(null, degrees).cumulativeProbability(statistic);
        return new Statistic(statistic, p);
    }

    /** Wasserstein-1 (earth mover's) distance of two samples: ∫|F - G|, as scipy's {@code wasserstein_distance(u, v)}. */
    public static double wasserstein(double[] u, double[] v) {
        return wasserstein(u, null, v, null);
    }

    /** The same with per-value weights (null means 1 each). */
    public static double wasserstein(double[] u, double[] uWeights, double[] v, double[] vWeights) {
        if (u.length == 0 || v.length == 0) {
            throw new IllegalArgumentException("both samples need at least one value");
        }
        Integer[] uOrder = order(u);
        Integer[] vOrder = order(v);
        double uTotal = uWeights == null ? u.length : Arrays.stream(uWeights).sum();
        double vTotal = vWeights == null ? v.length : Arrays.stream(vWeights).sum();
        double[] all = new double[u.length + v.length];
        System.arraycopy(u, 0, all, 0, u.length);
        System.arraycopy(v, 0, all, u.length, v.length);
        Arrays.sort(all);
        double distance = 0;
        double uCdf = 0;
        double vCdf = 0;
        int i = 0;
        int j = 0;
        for (int k = 0; k < all.length - 1; k++) {
            double x = all[k];
            while (i < u.length && u[uOrder[i]] <= x) {
                uCdf += (uWeights == null ? 1 : uWeights[uOrder[i]]) / uTotal;
                i++;
            }
            while (j < v.length && v[vOrder[j]] <= x) {
                vCdf += (vWeights == null ? 1 : vWeights[vOrder[j]]) / vTotal;
                j++;
            }
            distance += Math.abs(uCdf - vCdf) * (all[k + 1] - x);
        }
        return distance;
    }

    /**
     * Wasserstein-1 between two histograms over the same bin edges (n + 1 edges for n bins), mass
     * spread uniformly inside each bin: the area between the two piecewise-linear CDFs.
     */
    public static double wassersteinBinned(double[] edges, double[] referenceCounts, double[] currentCounts) {
        requireSameLength(referenceCounts, currentCounts);
        if (edges.length != referenceCounts.length + 1) {
            throw new IllegalArgumentException("need " + (referenceCounts.length + 1) + " bin edges, got " + edges.length);
        }
        double[] r = shares(referenceCounts);
        double[] c = shares(currentCounts);
        double distance = 0;
        double gap = 0; // F_ref - F_cur at the bin's left edge
        for (int b = 0; b < r.length; b++) {
            double width = edges[b + 1] - edges[b];
            double end = gap + r[b] - c[b];
            // ∫|linear from gap to end| over the bin
            if (gap * end >= 0) {
                distance += width * (Math.abs(gap) + Math.abs(end)) / 2;
            } else {
                double total = Math.abs(gap) + Math.abs(end);
                distance += width * (gap * gap + end * end) / (2 * total);
            }
            gap = end;
        }
        return distance;
    }

    private static Integer[] order(double[] values) {
        Integer[] idx = new Integer[values.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(values[a], values[b]));
        return idx;
    }

    static double[] shares(double[] counts) {
        double total = Arrays.stream(counts).sum();
        double[] shares = new double[counts.length];
        if (total <= 0) {
            return shares;
        }
        for (int i = 0; i < counts.length; i++) {
            shares[i] = counts[i] / total;
        }
        return shares;
    }

    private static void requireSameLength(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("histograms over different bins: " + a.length + " vs " + b.length);
        }
    }
}
