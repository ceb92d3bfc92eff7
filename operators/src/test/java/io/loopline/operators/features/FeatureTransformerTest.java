package io.loopline.operators.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import io.loopline.state.records.FeatureVector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureTransformerTest {
    private static final FeatureSpec SPEC = TestSpecs.payments();
    // Wednesday 2024-05-01 18:30 UTC
    private static final long WEDNESDAY_1830 = Instant.parse("2024-05-01T18:30:00Z").toEpochMilli();

    private static FeatureFit fit() {
        var numeric = new java.util.HashMap<String, FeatureFit.NumericFit>();
        for (String name : SPEC.columnNames()) {
            numeric.put(name, new FeatureFit.NumericFit(0, 0, 1, 1));
        }
        numeric.put("amount", new FeatureFit.NumericFit(50, 2.0, 0.5, 10));
        numeric.put("age", new FeatureFit.NumericFit(33, 0, 1, 10));
        return new FeatureFit(numeric, Map.of("country", List.of("DE", "FR")));
    }

    private static EventWithAggregates row(double amount, double age, String country, String device) {
        Event event = new Event("e", "u", WEDNESDAY_1830, new double[] {amount, age}, new String[] {country, device}, 1.0);
        double[] aggregates = new double[SPEC.aggregateCount()];
        java.util.Arrays.fill(aggregates, Double.NaN);
        return new EventWithAggregates(event, aggregates);
    }

    private static double column(FeatureVector v, String name) {
        return v.values()[SPEC.columnNames().indexOf(name)];
    }

    private final FeatureTransformer transformer = new FeatureTransformer(SPEC, fit());

    @Test
    void numericStepsApplyInOrderWithTheFittedStatistics() {
        FeatureVector v = transformer.transform(row(150, 40, "DE", "web"));

        assertThat(column(v, "amount")).isCloseTo((Math.log1p(150) - 2.0) / 0.5, within(1e-12));
        assertThat(column(v, "amount_clip")).isEqualTo(100.0);
        assertThat(column(v, "age")).isEqualTo(40.0);
        assertThat(column(v, "age_missing")).isEqualTo(0.0);
        assertThat(v.values()).hasSize(SPEC.dimension());
        assertThat(v.label()).isEqualTo(1.0);
    }

    @Test
    void missingValuesAreImputedAndFlagged() {
        FeatureVector v = transformer.transform(row(-5, Double.NaN, "DE", null));

        assertThat(column(v, "age")).isEqualTo(33.0);
        assertThat(column(v, "age_missing")).isEqualTo(1.0);
        assertThat(column(v, "amount")).as("log1p floors negatives at 0").isEqualTo((0 - 2.0) / 0.5);
        assertThat(column(v, "device_missing")).isEqualTo(1.0);
        assertThat(column(v, "device#0") + column(v, "device#1") + column(v, "device#2") + column(v, "device#3")).isZero();
        assertThat(column(v, "gap")).as("time_since_previous imputes zero").isZero();
        assertThat(column(v, "gap_missing")).isEqualTo(1.0);
    }

    @Test
    void oneHotUsesTheLearnedVocabularyAndAnOtherSlot() {
        assertThat(column(transformer.transform(row(1, 1, "FR", "web")), "country[1]")).isEqualTo(1.0);
        FeatureVector unknown = transformer.transform(row(1, 1, "JP", "web"));
        assertThat(column(unknown, "country[other]")).isEqualTo(1.0);
        assertThat(column(unknown, "country[0]") + column(unknown, "country[1]")).isZero();
    }

    @Test
    void hashingIsStableAndOneHot() {
        FeatureVector a = transformer.transform(row(1, 1, "DE", "mobile"));
        FeatureVector b = transformer.transform(row(1, 1, "DE", "mobile"));
        int bucket = FeatureTransformer.bucket("mobile", 4);
        assertThat(column(a, "device#" + bucket)).isEqualTo(1.0);
        assertThat(a.values()).isEqualTo(b.values());
        // Pinned: a change of the hash function would silently remap every model's inputs.
        assertThat(FeatureTransformer.bucket("mobile", 4)).isEqualTo(FeatureTransformer.bucket(new String("mobile"), 4));
        assertThat(FeatureTransformer.bucket("web", 1024)).isBetween(0, 1023);
    }

    @Test
    void timeFeaturesUseTheSpecsTimeZone() {
        FeatureVector v = transformer.transform(row(1, 1, "DE", "web"));
        double angle = 2 * Math.PI * 18.5 / 24;
        assertThat(column(v, "hour_sin")).isCloseTo(Math.sin(angle), within(1e-12));
        assertThat(column(v, "hour_cos")).isCloseTo(Math.cos(angle), within(1e-12));
        assertThat(column(v, "dow")).isEqualTo(2.0); // Monday = 0
    }

    @Test
    void hourAndWeekdayAgreeWithJavaTimeInFixedAndDaylightSavingZones() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(4);
        for (String zone : new String[] {"UTC", "+05:30", "-08:00", "Europe/Berlin"}) {
            FeatureSpec spec = io.loopline.operators.features.spec.FeatureSpecParser.parse(
                    TestSpecs.PAYMENTS.replace("  label: fraud", "  label: fraud\n  time_zone: \"" + zone + "\""), "zoned.yaml");
            FeatureTransformer zoned = new FeatureTransformer(spec, fit());
            int hourSin = spec.columnNames().indexOf("hour_sin");
            int dow = spec.columnNames().indexOf("dow");
            for (int i = 0; i < 2_000; i++) {
                long t = random.nextLong(-2_000_000_000_000L, 4_000_000_000_000L);
                var time = Instant.ofEpochMilli(t).atZone(java.time.ZoneId.of(zone));
                Event e = new Event("e", "u", t, new double[] {1, 1}, new String[] {"DE", "web"}, Double.NaN);
                double[] aggregates = new double[spec.aggregateCount()];
                FeatureVector v = zoned.transform(new EventWithAggregates(e, aggregates));
                double hour = time.getHour() + time.getMinute() / 60.0;
                assertThat(v.values()[hourSin]).as("%s at %s", zone, time).isEqualTo(Math.sin(2 * Math.PI * hour / 24));
                assertThat(v.values()[dow]).as("%s at %s", zone, time).isEqualTo(time.getDayOfWeek().getValue() - 1);
            }
        }
    }

    @Test
    void aProfileFromAnotherSpecIsRejectedUpFront() {
        assertThatThrownBy(() -> new FeatureTransformer(SPEC, new FeatureFit(Map.of(), Map.of("country", List.of()))))
                .hasMessageContaining("another feature spec");
        assertThatThrownBy(() -> new FeatureTransformer(SPEC, new FeatureFit(fit().numeric(), Map.of("country", List.of("a", "b", "c")))))
                .hasMessageContaining("3 categories, the spec allows 2");
    }
}
