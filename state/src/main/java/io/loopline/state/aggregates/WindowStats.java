package io.loopline.state.aggregates;

/** The merged statistics of a window's buckets. Mutable and reused, to keep the hot path allocation-free. */
public final class WindowStats {
    private long count;
    private double sum;
    private double mean;
    private double m2;
    private double min;
    private double max;

    public WindowStats() {
        reset();
    }

    void reset() {
        count = 0;
        sum = 0;
        mean = 0;
        m2 = 0;
        min = Double.POSITIVE_INFINITY;
        max = Double.NEGATIVE_INFINITY;
    }

    void merge(long n, double bucketSum, double bucketMean, double bucketM2, double bucketMin, double bucketMax) {
        if (n == 0) {
            return;
        }
        long total = count + n;
        double delta = bucketMean - mean;
        mean += delta * n / total;
        m2 += bucketM2 + delta * delta * ((double) count * n / total);
        count = total;
        sum += bucketSum;
        min = Math.min(min, bucketMin);
        max = Math.max(max, bucketMax);
    }

    public long count() {
        return count;
    }

    public double sum() {
        return sum;
    }

    /** NaN for an empty window. */
    public double mean() {
        return count == 0 ? Double.NaN : mean;
    }

    /** Population standard deviation; NaN for an empty window. */
    public double stddev() {
        return count == 0 ? Double.NaN : Math.sqrt(Math.max(0, m2 / count));
    }

    public double min() {
        return count == 0 ? Double.NaN : min;
    }

    public double max() {
        return count == 0 ? Double.NaN : max;
    }
}
