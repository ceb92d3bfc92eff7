package io.loopline.state.records;

/**
 * One line of the {@code drift} topic: a statistic of one window (an evaluation metric, a drift
 * statistic of a feature, or a detector's change point) for one model version.
 *
 * @param statistic e.g. {@code accuracy}, {@code psi}, {@code ks}, {@code adwin}
 * @param subject what it is about: {@code model}, a feature name, {@code prediction}, {@code label}, {@code error}
 * @param windowStart event time of the window's first example
 * @param windowEnd event time of its last example
 * @param count examples in the window
 * @param pvalue NaN when the statistic is not a test
 */
public record MonitoringReport(String statistic, String subject, long modelVersion, long windowStart, long windowEnd, long count, double value,
        double pvalue) {
}
