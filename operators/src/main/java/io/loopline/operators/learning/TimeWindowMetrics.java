package io.loopline.operators.learning;


/**
 * Prequential metrics of one event-time window, in fixed space whatever its traffic: exact counts
 * and sums for accuracy, log loss, Brier score and positive rate, and per-class score histograms
 * (100 bins) for ROC AUC and calibration (scores within one bin count as ties).
 */
final class TimeWindowMetrics {
    static final int BINS = 100;
    private static final double EPSILON = 1e-15;

    final long start;
    long count;
    long correct;
    long positives;
    double logLoss;
    double brier;
    final double[] positiveScores = new double[BINS];
    final double[] negativeScores = new double[BINS];
    final double[] scoreSums = new double[BINS];

    TimeWindowMetrics(long start) {
        this.start = start;
    }

    /** Restores from {@link #toArray}. */
    static TimeWindowMetrics fromArray(double[] a) {
        TimeWindowMetrics m = new TimeWindowMetrics((long) a[0]);
        m.count = (long) a[1];
        m.correct = (long) a[2];
        m.positives = (long) a[3];
        m.logLoss = a[4];
        m.brier = a[5];
        System.arraycopy(a, 6, m.positiveScores, 0, BINS);
        System.arraycopy(a, 6 + BINS, m.negativeScores, 0, BINS);
        System.arraycopy(a, 6 + 2 * BINS, m.scoreSums, 0, BINS);
        return m;
    }

    double[] toArray() {
        double[] a = new double[6 + 3 * BINS];
        a[0] = start;
        a[1] = count;
        a[2] = correct;
        a[3] = positives;
        a[4] = logLoss;
        a[5] = brier;
        System.arraycopy(positiveScores, 0, a, 6, BINS);
        System.arraycopy(negativeScores, 0, a, 6 + BINS, BINS);
        System.arraycopy(scoreSums, 0, a, 6 + 2 * BINS, BINS);
        return a;
    }

    void add(double score, double label) {
        boolean positive = label >= 0.5;
        count++;
        if ((score >= 0.5) == positive) {
            correct++;
        }
        double p = Math.min(1 - EPSILON, Math.max(EPSILON, score));
        logLoss -= label * Math.log(p) + (1 - label) * Math.log(1 - p);
        brier += (score - label) * (score - label);
        int bin = Math.min(BINS - 1, Math.max(0, (int) (score * BINS)));
        scoreSums[bin] += score;
        if (positive) {
            positives++;
            positiveScores[bin]++;
        } else {
            negativeScores[bin]++;
        }
    }

    double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    double logLoss() {
        return count == 0 ? Double.NaN : logLoss / count;
    }

    double brier() {
        return count == 0 ? Double.NaN : brier / count;
    }

    double positiveRate() {
        return count == 0 ? Double.NaN : (double) positives / count;
    }

    /** AUC over the binned scores: P(score+ > score-) + P(same bin) / 2. */
    double auc() {
        long negatives = count - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        double below = 0;
        double sum = 0;
        for (int b = 0; b < BINS; b++) {
            sum += positiveScores[b] * (below + negativeScores[b] / 2);
            below += negativeScores[b];
        }
        return sum / ((double) positives * negatives);
    }

    /** Expected calibration error over ten equal-width bins, from the hundred. */
    double calibrationError() {
        if (count == 0) {
            return Double.NaN;
        }
        double error = 0;
        for (int b10 = 0; b10 < 10; b10++) {
            double scores = 0;
            double labels = 0;
            for (int b = b10 * 10; b < b10 * 10 + 10; b++) {
                scores += scoreSums[b];
                labels += positiveScores[b];
            }
            error += Math.abs(scores - labels) / count;
        }
        return error;
    }

}
