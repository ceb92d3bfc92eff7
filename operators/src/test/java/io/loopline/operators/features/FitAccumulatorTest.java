package io.loopline.operators.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FitAccumulatorTest {
    private static final FeatureSpec SPEC = TestSpecs.payments();
    private static final String[] COUNTRIES = {"DE", "FR", "NL", "DE", "DE", "FR"};

    private static EventWithAggregates row(SplittableRandom random, int i) {
        double age = i % 5 == 0 ? Double.NaN : 20 + random.nextInt(50);
        Event e = new Event("e" + i, "u", i, new double[] {random.nextDouble() * 200, age},
                new String[] {COUNTRIES[i % COUNTRIES.length], null}, Double.NaN);
        double[] aggregates = new double[SPEC.aggregateCount()];
        Arrays.fill(aggregates, Double.NaN);
        return new EventWithAggregates(e, aggregates);
    }

    @Test
    void mergedPartialsEqualOnePassAndSurviveJson() {
        SplittableRandom random = new SplittableRandom(1);
        FitAccumulator whole = new FitAccumulator(SPEC);
        FitAccumulator left = new FitAccumulator(SPEC);
        FitAccumulator right = new FitAccumulator(SPEC);
        double sumAge = 0;
        int ages = 0;
        for (int i = 0; i < 10_000; i++) {
            EventWithAggregates row = row(random, i);
            whole.add(row);
            (i % 3 == 0 ? left : right).add(row);
            if (!Double.isNaN(row.event().numbers()[1])) {
                sumAge += row.event().numbers()[1];
                ages++;
            }
        }
        FeatureFit merged = FitAccumulator.fromJson(SPEC, left.toJson()).merge(FitAccumulator.fromJson(SPEC, right.toJson())).result();
        FeatureFit single = whole.result();

        assertThat(single.numeric("age").imputeMean()).isCloseTo(sumAge / ages, within(1e-9));
        assertThat(single.numeric("age").count()).isEqualTo(ages);
        assertThat(merged.numeric("amount").scaleMean()).isCloseTo(single.numeric("amount").scaleMean(), within(1e-12));
        assertThat(merged.numeric("amount").scaleStd()).isCloseTo(single.numeric("amount").scaleStd(), within(1e-12));
        assertThat(merged.vocabularies()).isEqualTo(single.vocabularies());
        // Top-2 by frequency: DE (3 of 6), FR (2 of 6); NL is "other".
        assertThat(single.vocabulary("country")).isEqualTo(List.of("DE", "FR"));
    }
}
