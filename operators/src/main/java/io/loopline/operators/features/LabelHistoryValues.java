package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.LabelStatistic;
import io.loopline.operators.features.spec.LabelTiming;
import io.loopline.state.aggregates.KnownLabels;
import java.util.List;

/** Computes label-history statistics from an entity's {@link KnownLabels}: the one place both modes take them from. */
final class LabelHistoryValues {
    private LabelHistoryValues() {}

    /** Writes each statistic of the labels known at {@code eventTime} into its slot of {@code aggregates} (NaN when missing). */
    static void fill(List<LabelStatistic> statistics, LabelTiming timing, KnownLabels labels, long eventTime, double[] aggregates) {
        int known = labels.countBefore(eventTime - timing.knownAfter().toMillis());
        for (int s = 0; s < statistics.size(); s++) {
            LabelStatistic statistic = statistics.get(s);
            aggregates[FeatureSpec.labelIndex(aggregates.length, s)] = switch (statistic.kind()) {
                case LAST -> known == 0 ? Double.NaN : labels.values()[known - 1];
                case MEAN -> mean(labels.values(), known, statistic.last());
                case COUNT -> Math.min(known, statistic.last());
                case SECONDS_SINCE_POSITIVE -> {
                    long positive = labels.newestPositive(known);
                    yield positive == KnownLabels.NONE || !timing.known(positive, eventTime) ? Double.NaN : (eventTime - positive) / 1000.0;
                }
            };
        }
    }

    private static double mean(double[] values, int known, int last) {
        int from = Math.max(0, known - last);
        if (from == known) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = from; i < known; i++) {
            sum += values[i];
        }
        return sum / (known - from);
    }

    /** How many of the newest old labels must stay for every statistic to be answered. */
    static int labelsToKeep(List<LabelStatistic> statistics) {
        return statistics.stream().mapToInt(LabelStatistic::last).max().orElse(1);
    }
}
