package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.FeatureSpecParser;

/** Small specs for tests. */
public final class TestSpecs {
    private TestSpecs() {}

    public static final String PAYMENTS = String.join("\n",
            "name: payments",
            "event:",
            "  id: id",
            "  entity: user",
            "  time: ts",
            "  label: fraud",
            "fields:",
            "  amount: numeric",
            "  age: {type: numeric, optional: true}",
            "  country: categorical",
            "  device: {type: categorical, optional: true}",
            "state:",
            "  out_of_orderness: 10ms",
            "  idle_ttl: 1h",
            "features:",
            "  - {name: amount, type: numeric, field: amount, transform: [log1p, standardize]}",
            "  - {name: amount_clip, type: numeric, field: amount, transform: [{clip: [0, 100]}]}",
            "  - {name: age, type: numeric, field: age, impute: mean}",
            "  - {name: country, type: one_hot, field: country, max_categories: 2}",
            "  - {name: device, type: hash, field: device, buckets: 4}",
            "  - {name: hour, type: hour_of_day}",
            "  - {name: dow, type: day_of_week, cyclic: false}",
            "  - name: amt_100ms",
            "    type: window",
            "    field: amount",
            "    length: 100ms",
            "    granularity: 10ms",
            "    aggregates: [count, sum, mean, min, max, stddev]",
            "  - {name: events_1s, type: window, length: 1s, granularity: 100ms, aggregates: [count]}",
            "  - {name: gap, type: time_since_previous}",
            "");

    public static FeatureSpec payments() {
        return FeatureSpecParser.parse(PAYMENTS, "payments.yaml");
    }
}
