package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureDefinition;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.Imputation;
import io.loopline.operators.features.spec.Step;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.EventWithAggregates;
import io.loopline.state.records.FeatureVector;
import java.io.Serializable;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an event with its entity aggregates into the model's input vector, column by column as the
 * spec orders them, using statistics learned by the backfill. A pure function of its inputs: the
 * backfill and the serving job compute bit-identical vectors from the same row.
 */
public final class FeatureTransformer implements Serializable {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;
    private final FeatureFit fit;
    private final List<Map<String, Integer>> vocabularySlots;
    /** Per feature index, its fitted statistics (numeric features only), looked up once. */
    private final FeatureFit.NumericFit[] numericFits;
    /** The spec's zone as a fixed offset when it has one (UTC): hour and weekday by arithmetic. */
    private final Long fixedOffsetMillis;

    public FeatureTransformer(FeatureSpec spec, FeatureFit fit) {
        this.spec = spec;
        this.fit = fit;
        this.vocabularySlots = new java.util.ArrayList<>();
        this.numericFits = new FeatureFit.NumericFit[spec.features().size()];
        var rules = spec.timeZone().getRules();
        this.fixedOffsetMillis = rules.isFixedOffset() ? rules.getOffset(Instant.EPOCH).getTotalSeconds() * 1000L : null;
        for (int index = 0; index < spec.features().size(); index++) {
            FeatureDefinition f = spec.features().get(index);
            Map<String, Integer> slots = new HashMap<>();
            if (f instanceof FeatureDefinition.OneHot oneHot) {
                List<String> vocabulary = fit.vocabulary(oneHot.name());
                if (vocabulary.size() > oneHot.maxCategories()) {
                    throw new IllegalArgumentException("vocabulary of '" + oneHot.name() + "' has " + vocabulary.size()
                            + " categories, the spec allows " + oneHot.maxCategories());
                }
                for (int i = 0; i < vocabulary.size(); i++) {
                    slots.put(vocabulary.get(i), i);
                }
            } else if (f instanceof FeatureDefinition.Numeric numeric) {
                numericFits[index] = fit.numeric(numeric.name()); // fails here, not per record, for a profile of another spec
            }
            vocabularySlots.add(slots);
        }
    }

    public FeatureSpec spec() {
        return spec;
    }

    public FeatureVector transform(EventWithAggregates row) {
        double[] out = new double[spec.dimension()];
        int column = 0;
        List<FeatureDefinition> features = spec.features();
        for (int i = 0; i < features.size(); i++) {
            FeatureDefinition f = features.get(i);
            if (f instanceof FeatureDefinition.Numeric numeric) {
                column = numeric(numeric, numericFits[i], row, out, column);
            } else if (f instanceof FeatureDefinition.OneHot oneHot) {
                column = oneHot(oneHot, vocabularySlots.get(i), row, out, column);
            } else if (f instanceof FeatureDefinition.Hashed hashed) {
                column = hashed(hashed, row, out, column);
            } else if (f instanceof FeatureDefinition.TimeOfEvent time) {
                column = timeOfEvent(time, row.event().timestamp(), out, column);
            }
        }
        return new FeatureVector(row.event().id(), row.event().entity(), row.event().timestamp(), out, row.event().label());
    }

    private static int numeric(FeatureDefinition.Numeric f, FeatureFit.NumericFit stats, EventWithAggregates row, double[] out, int column) {
        double raw = NumericInputs.raw(f, row);
        boolean missing = Double.isNaN(raw);
        double x = missing ? imputed(f.imputation(), stats) : raw;
        for (Step step : f.steps()) {
            if (step instanceof Step.Standardize) {
                double std = stats.scaleStd() > 0 && Double.isFinite(stats.scaleStd()) ? stats.scaleStd() : 1.0;
                double mean = Double.isFinite(stats.scaleMean()) ? stats.scaleMean() : 0.0;
                x = (x - mean) / std;
            } else {
                x = NumericInputs.apply(step, x);
            }
        }
        out[column++] = x;
        if (f.missingIndicator()) {
            out[column++] = missing ? 1.0 : 0.0;
        }
        return column;
    }

    private static double imputed(Imputation imputation, FeatureFit.NumericFit stats) {
        return switch (imputation.kind()) {
            case MEAN -> Double.isFinite(stats.imputeMean()) ? stats.imputeMean() : 0.0;
            case ZERO -> 0.0;
            case CONSTANT -> imputation.constant();
        };
    }

    private static int oneHot(FeatureDefinition.OneHot f, Map<String, Integer> slots, EventWithAggregates row, double[] out, int column) {
        String category = row.event().categories()[f.index()];
        if (category != null) {
            Integer slot = slots.get(category);
            out[column + (slot == null ? f.maxCategories() : slot)] = 1.0;
        }
        column += f.maxCategories() + 1;
        if (f.missingIndicator()) {
            out[column++] = category == null ? 1.0 : 0.0;
        }
        return column;
    }

    private static int hashed(FeatureDefinition.Hashed f, EventWithAggregates row, double[] out, int column) {
        String category = row.event().categories()[f.index()];
        if (category != null) {
            out[column + bucket(category, f.buckets())] = 1.0;
        }
        column += f.buckets();
        if (f.missingIndicator()) {
            out[column++] = category == null ? 1.0 : 0.0;
        }
        return column;
    }

    /** Murmur3 finalizer over String.hashCode: String.hashCode is fixed by the JLS, so buckets never change. */
    static int bucket(String category, int buckets) {
        int h = category.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, buckets);
    }

    private static final long DAY_MILLIS = 86_400_000L;

    private int timeOfEvent(FeatureDefinition.TimeOfEvent f, long timestamp, double[] out, int column) {
        double value;
        if (fixedOffsetMillis != null) {
            long local = timestamp + fixedOffsetMillis;
            long minuteOfDay = Math.floorMod(local, DAY_MILLIS) / 60_000L;
            value = f.unit() == FeatureDefinition.TimeOfEvent.Unit.HOUR_OF_DAY
                    ? minuteOfDay / 60 + (minuteOfDay % 60) / 60.0
                    : Math.floorMod(Math.floorDiv(local, DAY_MILLIS) + 3, 7); // 1970-01-01 was a Thursday; Monday = 0
        } else {
            ZonedDateTime time = Instant.ofEpochMilli(timestamp).atZone(spec.timeZone());
            value = f.unit() == FeatureDefinition.TimeOfEvent.Unit.HOUR_OF_DAY
                    ? time.getHour() + time.getMinute() / 60.0
                    : time.getDayOfWeek().getValue() - 1;
        }
        if (f.cyclic()) {
            double angle = 2 * Math.PI * value / f.unit().period;
            out[column++] = Math.sin(angle);
            out[column++] = Math.cos(angle);
        } else {
            out[column++] = value;
        }
        return column;
    }
}
