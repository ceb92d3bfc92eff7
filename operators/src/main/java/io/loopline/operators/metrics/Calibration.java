package io.loopline.operators.metrics;

/** Calibration of probabilistic binary predictions. */
public final class Calibration {
    private Calibration() {}

    /**
     * Expected calibration error: predictions are grouped into {@code bins} equal-width score bins;
     * the gap between the mean score and the positive rate of each bin, weighted by its share.
     */
    public static double expectedCalibrationError(double[] scores, double[] labels, int bins) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " scores for " + labels.length + " labels");
        }
        if (scores.length == 0) {
            return Double.NaN;
        }
        double[] scoreSum = new double[bins];
        double[] labelSum = new double[bins];
        long[] count = new long[bins];
        for (int i = 0; i < scores.length; i++) {
            int b = Math.min(bins - 1, Math.max(0, (int) (scores[i] * bins)));
            scoreSum[b] += scores[i];
            labelSum[b] += labels[i] >= 0.5 ? 1 : 0;
            count[b]++;
        }
        double error = 0;
        for (int b = 0; b < bins; b++) {
            if (count[b] > 0) {
                error += Math.abs(scoreSum[b] - labelSum[b]) / scores.length;
            }
        }
        return error;
    }
}
