package io.loopline.operators.drift.detectors;

/**
 * DDM, the Drift Detection Method (Gama et al., 2004), as MOA's {@code DDM}: the running error rate
 * p and its deviation s = sqrt(p(1-p)/n) are compared with the lowest p + s seen; p + s above
 * p_min + 3·s_min (after {@code minInstances}) is a drift, above p_min + 2·s_min a warning. After a
 * drift the statistics start over with the next input.
 */
public final class Ddm implements ChangeDetector {
    private final int minInstances;
    private final double warningLevel;
    private final double driftLevel;
    private boolean changed = true; // start over on the first input, like MOA's "not yet initialized"
    private boolean warning;
    private double n;
    private double p;
    private double s;
    private double pMin;
    private double sMin;
    private double psMin;

    /** MOA's defaults: 30 instances, warning 2.0, drift 3.0. */
    public Ddm() {
        this(30, 2.0, 3.0);
    }

    public Ddm(int minInstances, double warningLevel, double driftLevel) {
        this.minInstances = minInstances;
        this.warningLevel = warningLevel;
        this.driftLevel = driftLevel;
    }

    private void reset() {
        n = 1;
        p = 1;
        s = 0;
        psMin = Double.MAX_VALUE;
        pMin = Double.MAX_VALUE;
        sMin = Double.MAX_VALUE;
    }

    @Override
    public boolean add(double error) {
        if (changed) {
            reset();
        }
        p = p + (error - p) / n;
        s = Math.sqrt(p * (1 - p) / n);
        n++;
        changed = false;
        warning = false;
        if (n < minInstances) {
            return false;
        }
        if (p + s <= psMin) {
            pMin = p;
            sMin = s;
            psMin = p + s;
        }
        if (n > minInstances && p + s > pMin + driftLevel * sMin) {
            changed = true;
        } else {
            warning = p + s > pMin + warningLevel * sMin;
        }
        return changed;
    }

    @Override
    public double[] state() {
        return new double[] {changed ? 1 : 0, warning ? 1 : 0, n, p, s, pMin, sMin, psMin};
    }

    @Override
    public void restore(double[] state) {
        changed = state[0] != 0;
        warning = state[1] != 0;
        n = state[2];
        p = state[3];
        s = state[4];
        pMin = state[5];
        sMin = state[6];
        psMin = state[7];
    }

    @Override
    public double estimation() {
        return p;
    }

    @Override
    public boolean warning() {
        return warning;
    }
}
