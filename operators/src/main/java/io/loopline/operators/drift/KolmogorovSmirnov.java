package io.loopline.operators.drift;

import java.util.Arrays;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.commons.math3.util.ArithmeticUtils;
import org.apache.commons.math3.util.CombinatoricsUtils;

/**
 * The two-sample Kolmogorov-Smirnov test with the p-values of scipy's {@code ks_2samp} in its
 * default mode ({@code method="auto"}): exact when the larger sample has at most 10,000 values
 * (Hodges' lattice-path counts, with Viehmann's numerically stable recursion for the two-sided case),
 * otherwise asymptotic (the one-sample Kolmogorov distribution at n = m·n/(m+n) for two-sided,
 * Hodges' approximation 5.3 for one-sided); an exact computation that overflows falls back to the
 * asymptotic one, as scipy does.
 *
 * <p>References: J.L. Hodges Jr., "The significance probability of the Smirnov two-sample test",
 * Arkiv för Matematik 3 (1958); T. Viehmann, "Numerically more stable computation of the p-values
 * for the two-sample Kolmogorov-Smirnov test", arXiv:2102.08037.
 */
public final class KolmogorovSmirnov {
    /** scipy's MAX_AUTO_N. */
    static final int MAX_EXACT_N = 10_000;

    public enum Alternative {
        TWO_SIDED, LESS, GREATER
    }

    /** @param statistic D (two-sided), D+ (greater) or D- (less) */
    public record Result(double statistic, double pvalue) {}

    private KolmogorovSmirnov() {}

    public static Result test(double[] x, double[] y) {
        return test(x, y, Alternative.TWO_SIDED);
    }

    public static Result test(double[] x, double[] y, Alternative alternative) {
        if (x.length == 0 || y.length == 0) {
            throw new IllegalArgumentException("both samples need at least one value");
        }
        double[] a = x.clone();
        double[] b = y.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        int n1 = a.length;
        int n2 = b.length;
        // Largest differences of the two empirical CDFs, evaluated at every observed value.
        double maxS = Double.NEGATIVE_INFINITY;
        double minS = Double.POSITIVE_INFINITY;
        for (double[] points : new double[][] {a, b}) {
            for (double v : points) {
                double diff = (double) upperBound(a, v) / n1 - (double) upperBound(b, v) / n2;
                maxS = Math.max(maxS, diff);
                minS = Math.min(minS, diff);
            }
        }
        double less = Math.min(Math.max(-minS, 0), 1);
        double d = switch (alternative) {
            case LESS -> less;
            case GREATER -> maxS;
            case TWO_SIDED -> Math.max(less, maxS);
        };
        return pvalue(n1, n2, d, alternative);
    }

    /** The p-value of statistic {@code d} for samples of sizes n1 and n2 (the statistic is snapped to the lattice as scipy does). */
    public static Result pvalue(int n1, int n2, double d, Alternative alternative) {
        if (Math.max(n1, n2) <= MAX_EXACT_N) {
            int g = ArithmeticUtils.gcd(n1, n2);
            long lcm = (long) (n1 / g) * n2;
            long h = Math.round(d * lcm);
            double snapped = (double) h / lcm;
            if (h == 0) {
                return new Result(snapped, 1.0);
            }
            double p = exact(n1, n2, g, (int) h, alternative);
            if (p >= 0 && p <= 1) {
                return new Result(snapped, p);
            }
            d = snapped;
        }
        return new Result(d, clip(asymptotic(n1, n2, d, alternative)));
    }

    /** The asymptotic p-value only (for binned data, where the exact lattice count has no meaning and costs O(n1·n2)). */
    public static double asymptoticPvalue(int n1, int n2, double d, Alternative alternative) {
        return clip(asymptotic(n1, n2, d, alternative));
    }

    /** NaN when the computation overflows. */
    private static double exact(int n1, int n2, int g, int h, Alternative alternative) {
        if (alternative == Alternative.TWO_SIDED) {
            return n1 == n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
        }
        if (n1 == n2) {
            double p = 1;
            for (int j = 0; j < h; j++) {
                p *= (double) (n1 - j) / (n1 + j + 1.0);
            }
            return p;
        }
        double paths = pathsOutside(n1, n2, g, h);
        double all = CombinatoricsUtils.binomialCoefficientDouble(n1 + n2, n1);
        if (!Double.isFinite(paths) || !Double.isFinite(all) || paths > all) {
            return Double.NaN;
        }
        return paths / all;
    }

    /** P(D_{n,n} >= h/n): 2·Σ(-1)^(k+1) C(2n, n-kh)/C(2n, n), evaluated Horner-like to avoid cancellation. */
    private static double probOutsideSquare(int n, int h) {
        double p = 0;
        for (int k = n / h; k >= 0; k--) {
            double term = 1;
            for (int j = 0; j < h; j++) {
                term = (n - (double) k * h - j) * term / (n + (double) k * h + j + 1);
            }
            p = term * (1 - p);
        }
        return 2 * p;
    }

    /**
     * The share of monotone lattice paths from (0,0) to (m,n) that touch |x/m - y/n| >= h/lcm, computed
     * column by column on a sliding window as the probability of leaving (Viehmann's recursion).
     */
    private static double outerProbInside(int m, int n, int g, int h) {
        if (m < n) {
            int t = m;
            m = n;
            n = t;
        }
        long mg = m / g;
        long ng = n / g;
        int minj = 0;
        int maxj = (int) Math.min(ceilDiv(h, mg), n + 1);
        int curlen = maxj - minj;
        double[] column = new double[Math.min(2 * maxj + 2, n + 1)];
        Arrays.fill(column, 1.0);
        Arrays.fill(column, minj, maxj, 0.0);
        for (int i = 1; i <= m; i++) {
            int lastMinj = minj;
            int lastLen = curlen;
            minj = (int) Math.max(Math.floorDiv(ng * i - h, mg) + 1, 0);
            minj = Math.min(minj, n);
            maxj = (int) Math.min(ceilDiv(ng * i + h, mg), n + 1);
            if (maxj <= minj) {
                return 1.0;
            }
            double value = minj == 0 ? 0.0 : 1.0;
            for (int jj = 0; jj < maxj - minj; jj++) {
                int j = jj + minj;
                value = (column[jj + minj - lastMinj] * i + value * j) / (i + j);
                column[jj] = value;
            }
            curlen = maxj - minj;
            if (lastLen > curlen) {
                Arrays.fill(column, maxj - minj, maxj - minj + (lastLen - curlen), 1.0);
            }
        }
        return column[maxj - minj - 1];
    }

    /** Number of lattice paths from (0,0) to (m,n) that reach x/m - y/n >= h/lcm (one-sided), by Hodges' first-passage sum. */
    private static double pathsOutside(int m, int n, int g, int h) {
        if (m < n) {
            int t = m;
            m = n;
            n = t;
        }
        long mg = m / g;
        long ng = n / g;
        int count = (int) (n + Math.floorDiv(mg - h, mg));
        if (count <= 0) {
            return CombinatoricsUtils.binomialCoefficientDouble(m + n, n);
        }
        long[] xj = new long[count];
        for (int j = 0; j < count; j++) {
            xj[j] = Math.floorDiv(h + mg * j + ng - 1, ng);
        }
        double[] first = new double[count];
        first[0] = 1;
        for (int j = 1; j < count; j++) {
            double bj = Math.rint(binomial(xj[j] + j, j));
            for (int i = 0; i < j; i++) {
                bj -= Math.rint(binomial(xj[j] - xj[i] + j - i, j - i)) * first[i];
            }
            if (!Double.isFinite(bj)) {
                return Double.NaN;
            }
            first[j] = bj;
        }
        double paths = 0;
        for (int j = 0; j < count; j++) {
            paths += first[j] * Math.rint(binomial((m - xj[j]) + (n - j), n - j));
        }
        return Math.rint(paths);
    }

    private static double asymptotic(int n1, int n2, double d, Alternative alternative) {
        double m = Math.max(n1, n2);
        double n = Math.min(n1, n2);
        double en = m * n / (m + n);
        if (alternative == Alternative.TWO_SIDED) {
            int rounded = (int) Math.max(1, Math.round(en));
            // Pelz-Good's series (commons-math, n > 140) fails to converge or returns NaN for some tiny d; the limiting
            // distribution is exact enough there.
            try {
                double p = 1 - new KolmogorovSmirnovTest().cdf(d, rounded);
                if (p >= 0 && p <= 1) {
                    return p;
                }
            } catch (org.apache.commons.math3.exception.MathIllegalStateException e) {
                // fall through
            }
            return limitingSurvival(d * Math.sqrt(rounded));
        }
        double z = Math.sqrt(en) * d;
        return Math.exp(-2 * z * z - 2 * z * (m + 2 * n) / Math.sqrt(m * n * (m + n)) / 3.0);
    }

    /** P(K > x) for Kolmogorov's limiting distribution, with the series that converges fast on each side of x = 1.18. */
    static double limitingSurvival(double x) {
        if (x <= 0) {
            return 1;
        }
        if (x < 1.18) {
            double cdf = 0;
            for (int k = 1; k <= 100; k++) {
                double term = Math.exp(-(2 * k - 1) * (2 * k - 1) * Math.PI * Math.PI / (8 * x * x));
                cdf += term;
                if (term < 1e-17) {
                    break;
                }
            }
            return 1 - Math.sqrt(2 * Math.PI) / x * cdf;
        }
        double sf = 0;
        for (int k = 1; k <= 100; k++) {
            double term = Math.exp(-2.0 * k * k * x * x);
            sf += (k % 2 == 1 ? 2 : -2) * term;
            if (term < 1e-17) {
                break;
            }
        }
        return sf;
    }

    private static double binomial(long n, long k) {
        if (k < 0 || k > n) {
            return 0;
        }
        return CombinatoricsUtils.binomialCoefficientDouble((int) n, (int) k);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** Number of values in the sorted array that are <= v. */
    static int upperBound(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static double clip(double p) {
        return Math.max(0, Math.min(1, p));
    }
}
