package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureDefinition;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.Step;
import io.loopline.state.records.EventWithAggregates;

/** Reads a numeric feature's raw input and applies its steps; shared by fitting and transforming. */
final class NumericInputs {
    private NumericInputs() {}

    /** The raw value; NaN when missing. */
    static double raw(FeatureDefinition.Numeric feature, EventWithAggregates row) {
        FeatureDefinition.NumericSource source = feature.source();
        if (source instanceof FeatureDefinition.FieldValue field) {
            return row.event().numbers()[field.index()];
        }
        if (source instanceof FeatureDefinition.WindowValue window) {
            return row.aggregates()[FeatureSpec.aggregateIndex(window.window(), window.aggregate())];
        }
        if (source instanceof FeatureDefinition.LabelValue label) {
            return row.aggregates()[FeatureSpec.labelIndex(row.aggregates().length, label.statistic())];
        }
        return row.aggregates()[FeatureSpec.SECONDS_SINCE_PREVIOUS];
    }

    /**
     * Applies the steps before {@code standardize} (all of them if {@code untilStandardize} is
     * false, with standardization done by the caller).
     */
    static double applyUntilStandardize(FeatureDefinition.Numeric feature, double value) {
        double x = value;
        for (Step step : feature.steps()) {
            if (step instanceof Step.Standardize) {
                return x;
            }
            x = apply(step, x);
        }
        return x;
    }

    static double apply(Step step, double x) {
        if (step instanceof Step.Log1p) {
            return Math.log1p(Math.max(0.0, x));
        }
        if (step instanceof Step.Clip clip) {
            return Math.min(clip.max(), Math.max(clip.min(), x));
        }
        throw new IllegalArgumentException("not a stateless step: " + step);
    }
}
