package io.loopline.operators.features.spec;

import java.io.Serializable;
import java.util.List;

/** One entry of the spec's {@code features} list, after validation. */
public sealed interface FeatureDefinition extends Serializable {
    String name();

    /** Where a numeric feature's value comes from. */
    sealed interface NumericSource extends Serializable {}

    /** A numeric field of the event. */
    record FieldValue(String field, int index) implements NumericSource {}

    /** An aggregate of an entity window (index into the spec's windows). */
    record WindowValue(int window, Aggregate aggregate) implements NumericSource {}

    /** Seconds since the entity's previous event (missing for its first). */
    record SecondsSincePrevious() implements NumericSource {}

    /** A statistic of the entity's known labels (index into the spec's label statistics). */
    record LabelValue(int statistic) implements NumericSource {}

    /** A numeric column: source, imputation, optional missing indicator column, transform steps. */
    record Numeric(String name, NumericSource source, Imputation imputation, boolean missingIndicator, List<Step> steps)
            implements FeatureDefinition {
        public Numeric {
            steps = List.copyOf(steps);
        }

        public boolean standardizes() {
            return steps.stream().anyMatch(s -> s instanceof Step.Standardize);
        }
    }

    /** One-hot over the most frequent categories learned by the backfill, plus an "other" column. */
    record OneHot(String name, String field, int index, int maxCategories, long minCount, boolean missingIndicator)
            implements FeatureDefinition {}

    /** The hashing trick: one column per bucket, 1 in the category's bucket. */
    record Hashed(String name, String field, int index, int buckets, boolean missingIndicator) implements FeatureDefinition {}

    /** Hour of day (0-23) or day of week (0 = Monday) of the event time, optionally as sin/cos. */
    record TimeOfEvent(String name, Unit unit, boolean cyclic) implements FeatureDefinition {
        public enum Unit {
            HOUR_OF_DAY(24),
            DAY_OF_WEEK(7);

            public final int period;

            Unit(int period) {
                this.period = period;
            }
        }
    }
}
