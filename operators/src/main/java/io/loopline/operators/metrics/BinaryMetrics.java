package io.loopline.operators.metrics;

import java.util.Arrays;

/**
 * Metrics of probabilistic binary predictions against 0/1 labels: ROC AUC (rank statistic, ties
 * averaged), log loss (probabilities clipped to [1e-15, 1 - 1e-15], as scikit-learn does),
 * accuracy at 0.5, Brier score and the positive rate of the labels.
 */
public record BinaryMetrics(long count, double auc, double logLoss, double accuracy, double brier, double positiveRate) {
    private static final double EPSILON = 1e-15;

    public static BinaryMetrics of(double[] scores, double[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " scores for " + labels.length + " labels");
        }
        int n = scores.length;
        if (n == 0) {
            return new BinaryMetrics(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double logLoss = 0;
        double brier = 0;
        long correct = 0;
        long positives = 0;
        for (int i = 0; i < n; i++) {
            double p = Math.min(1 - EPSILON, Math.max(EPSILON, scores[i]));
            double y = labels[i];
            logLoss -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
            brier += (scores[i] - y) * (scores[i] - y);
            if ((scores[i] >= 0.5) == (y >= 0.5)) {
                correct++;
            }
            if (y >= 0.5) {
                positives++;
            }
        }
        return new BinaryMetrics(n, auc(scores, labels, positives), logLoss / n, (double) correct / n, brier / n, (double) positives / n);
    }

    /** Mann-Whitney U over average ranks; NaN when one class is absent. */
    static double auc(double[] scores, double[] labels, long positives) {
        int n = scores.length;
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double positiveRankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]] >= 0.5) {
                    positiveRankSum += averageRank;
                }
            }
            i = j + 1;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }
}
