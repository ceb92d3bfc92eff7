package io.loopline.state.records;

/**
 * Histograms of one event-time window, over the reference profile's bins: per feature column, of
 * the prediction scores (per model version), and of the labels. One subtask's part of a window,
 * or (after merging) all of it. Fixed size whatever the traffic.
 *
 * @param features {@code features[column][bin]} counts over the reference bins of that column
 * @param scores {@code scores[bin]} over ten equal-width score bins, for {@code modelVersion}
 * @param labels counts of label 0 and label 1 (joined examples only)
 */
public record WindowHistograms(long windowStart, long windowEnd, long modelVersion, long count, double[][] features, double[] scores,
        double[] labels) {

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowHistograms h && windowStart == h.windowStart && windowEnd == h.windowEnd && modelVersion == h.modelVersion
                && count == h.count && java.util.Arrays.deepEquals(features, h.features) && java.util.Arrays.equals(scores, h.scores)
                && java.util.Arrays.equals(labels, h.labels);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(windowStart) * 31 + Long.hashCode(modelVersion) * 17 + java.util.Arrays.deepHashCode(features);
    }
}
