package io.loopline.operators.drift.detectors;

/**
 * The Page-Hinkley test for an increase of the mean, as MOA's {@code PageHinkleyDM}: the cumulative
 * sum of (x - running mean - delta), faded by alpha, signals when it exceeds lambda (after
 * {@code minInstances}); then it starts over with the next input.
 */
public final class PageHinkley implements ChangeDetector {
    private final int minInstances;
    private final double delta;
    private final double lambda;
    private final double alpha;
    private boolean changed = true;
    private double n;
    private double mean;
    private double sum;

    /** MOA's defaults: 30 instances, delta 0.005, lambda 50, alpha 1 - 0.0001. */
    public PageHinkley() {
        this(30, 0.005, 50, 1 - 0.0001);
    }

    public PageHinkley(int minInstances, double delta, double lambda, double alpha) {
        this.minInstances = minInstances;
        this.delta = delta;
        this.lambda = lambda;
        this.alpha = alpha;
    }

    @Override
    public boolean add(double x) {
        if (changed) {
            n = 1;
            mean = 0;
            sum = 0;
        }
        mean = mean + (x - mean) / n;
        sum = alpha * sum + (x - mean - delta);
        n++;
        changed = n >= minInstances && sum > lambda;
        return changed;
    }

    @Override
    public double[] state() {
        return new double[] {changed ? 1 : 0, n, mean, sum};
    }

    @Override
    public void restore(double[] state) {
        changed = state[0] != 0;
        n = state[1];
        mean = state[2];
        sum = state[3];
    }

    @Override
    public double estimation() {
        return mean;
    }
}
