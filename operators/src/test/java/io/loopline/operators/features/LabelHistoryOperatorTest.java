package io.loopline.operators.features;

import io.loopline.state.serialization.EventWithAggregatesSerializer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.FeatureSpecParser;
import io.loopline.operators.features.spec.SpecException;
import io.loopline.state.records.EntityLabel;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class LabelHistoryOperatorTest {
    private static final String YAML = String.join("\n",
            "name: outcomes",
            "event: {id: id, entity: user, time: ts, label: y}",
            "fields: {amount: numeric}",
            "state: {out_of_orderness: 10ms, idle_ttl: 1h}",
            "labels: {known_after: %s, max_wait: 5s}",
            "features:",
            "  - {name: amount, type: numeric, field: amount}",
            "  - {name: last_label, type: label_history, stat: last}",
            "  - {name: label_mean_3, type: label_history, stat: mean, last: 3}",
            "  - {name: labels_known, type: label_history, stat: count, last: 3}",
            "  - {name: since_positive, type: label_history, stat: seconds_since_positive}",
            "");
    private static final FeatureSpec SPEC = spec("0ms");
    private static final int LAST = 0;
    private static final int MEAN = 1;
    private static final int COUNT = 2;
    private static final int SINCE_POSITIVE = 3;

    private static FeatureSpec spec(String knownAfter) {
        return FeatureSpecParser.parse(YAML.formatted(knownAfter), "outcomes.yaml");
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, EventWithAggregates, EntityLabel, EventWithAggregates> harness(FeatureSpec spec)
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new LabelHistoryOperator(spec), (EventWithAggregates r) -> r.event().entity(),
                EntityLabel::entity, Types.STRING);
        h.setup(EventWithAggregatesSerializer.TYPE_INFO.createSerializer(new SerializerConfigImpl()));
        return h;
    }

    private static void event(KeyedTwoInputStreamOperatorTestHarness<String, EventWithAggregates, EntityLabel, EventWithAggregates> h, String id,
            long time) throws Exception {
        Event e = new Event(id, "u", time, new double[] {1.0}, new String[0], Double.NaN);
        h.processElement1(new StreamRecord<>(new EventWithAggregates(e, new double[SPEC.aggregateCount()]), time));
    }

    private static void label(KeyedTwoInputStreamOperatorTestHarness<String, EventWithAggregates, EntityLabel, EventWithAggregates> h, double y,
            long arrival) throws Exception {
        h.processElement2(new StreamRecord<>(new EntityLabel("u", y, arrival), arrival));
    }

    private static double stat(EventWithAggregates row, int statistic) {
        return row.aggregates()[FeatureSpec.labelIndex(row.aggregates().length, statistic)];
    }

    @Test
    void anEventWaitsForTheLabelsStreamAndSeesOnlyLabelsThatArrivedStrictlyBeforeIt() throws Exception {
        try (var h = harness(SPEC)) {
            h.open();
            label(h, 1.0, 1_000);
            label(h, 0.0, 2_000);
            h.processWatermark2(new Watermark(2_000));
            event(h, "e1", 3_000);
            assertThat(h.extractOutputValues()).as("labels may still come for 2,001..2,999").isEmpty();

            label(h, 1.0, 3_000); // arrived with the event, not before it
            h.processWatermark2(new Watermark(2_999));

            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(stat(out.get(0), LAST)).isEqualTo(0.0);
            assertThat(stat(out.get(0), MEAN)).isEqualTo(0.5);
            assertThat(stat(out.get(0), COUNT)).isEqualTo(2.0);
            assertThat(stat(out.get(0), SINCE_POSITIVE)).isEqualTo(2.0);
            assertThat(out.get(0).aggregates()[FeatureSpec.SECONDS_SINCE_PREVIOUS]).as("the feature operator's values stay").isZero();

            h.processWatermark2(new Watermark(3_600));
            event(h, "e2", 3_500); // the labels stream is already past it: no wait
            assertThat(h.extractOutputValues()).hasSize(2);
            assertThat(stat(h.extractOutputValues().get(1), LAST)).isEqualTo(1.0);
            assertThat(stat(h.extractOutputValues().get(1), MEAN)).isEqualTo(2.0 / 3);
            assertThat(stat(h.extractOutputValues().get(1), SINCE_POSITIVE)).isEqualTo(0.5);
        }
    }

    @Test
    void withoutKnownLabelsTheStatisticsAreMissingAndTheCountIsZero() throws Exception {
        try (var h = harness(SPEC)) {
            h.open();
            h.processWatermark2(new Watermark(10_000));
            event(h, "e1", 5_000);
            EventWithAggregates row = h.extractOutputValues().get(0);
            assertThat(stat(row, LAST)).isNaN();
            assertThat(stat(row, MEAN)).isNaN();
            assertThat(stat(row, COUNT)).isZero();
            assertThat(stat(row, SINCE_POSITIVE)).isNaN();
        }
    }

    @Test
    void knownAfterLetsEventsThroughBeforeTheLabelsStreamCatchesUp() throws Exception {
        try (var h = harness(spec("1s"))) {
            h.open();
            label(h, 1.0, 1_000);
            label(h, 0.0, 1_500);
            h.processWatermark2(new Watermark(1_999));
            event(h, "e1", 3_000); // needs the labels that arrived before 2,000: all read

            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(stat(out.get(0), LAST)).isEqualTo(0.0);

            event(h, "e2", 2_400); // knows labels before 1,400 only
            assertThat(stat(h.extractOutputValues().get(1), LAST)).isEqualTo(1.0);
            assertThat(stat(h.extractOutputValues().get(1), COUNT)).isEqualTo(1.0);
        }
    }

    @Test
    void waitingEventsLeaveInEventTimeOrderWhenTheCombinedWatermarkPassesThemAsInBatch() throws Exception {
        try (var h = harness(SPEC)) {
            h.open();
            event(h, "late", 2_000);
            event(h, "early", 1_000);
            label(h, 1.0, 500);
            label(h, 0.0, 1_500);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermark1(new Watermark(Long.MAX_VALUE));
            h.processWatermark2(new Watermark(Long.MAX_VALUE));

            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.event().id()).containsExactly("early", "late");
            assertThat(stat(out.get(0), LAST)).isEqualTo(1.0);
            assertThat(stat(out.get(1), LAST)).isEqualTo(0.0);
        }
    }

    @Test
    void theEndOfTheLabelsInputReleasesEveryWaitingEvent() throws Exception {
        try (var h = harness(spec("1s"))) {
            h.open();
            label(h, 1.0, 100);
            event(h, "e1", 5_000);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermark2(new Watermark(Long.MAX_VALUE));

            assertThat(h.extractOutputValues()).extracting(r -> r.event().id()).containsExactly("e1");
        }
    }

    @Test
    void anIdleLabelsStreamHoldsNothingBack() throws Exception {
        try (var h = harness(SPEC)) {
            h.open();
            label(h, 1.0, 100);
            event(h, "e1", 1_000);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermarkStatus2(WatermarkStatus.IDLE);

            assertThat(h.extractOutputValues()).hasSize(1);
            event(h, "e2", 2_000);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void aStalledLabelsStreamHoldsAnEventAtMostMaxWait() throws Exception {
        try (var h = harness(SPEC)) {
            h.open();
            h.setProcessingTime(0);
            label(h, 1.0, 100);
            event(h, "e1", 1_000);
            h.setProcessingTime(4_999);
            assertThat(h.extractOutputValues()).isEmpty();

            h.setProcessingTime(5_000);

            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(stat(h.extractOutputValues().get(0), LAST)).isEqualTo(1.0);
        }
    }

    @Test
    void aRestoredOperatorKeepsItsLabelsAndReleasesItsWaitingEventsOnTheNextLabelsWatermark() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(SPEC)) {
            h.open();
            label(h, 1.0, 1_000);
            label(h, 0.0, 2_000);
            event(h, "waiting", 3_000);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(SPEC)) {
            h.initializeState(snapshot);
            h.open();
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermark2(new Watermark(2_999));

            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.event().id()).containsExactly("waiting");
            assertThat(stat(out.get(0), LAST)).isEqualTo(0.0);
            assertThat(stat(out.get(0), MEAN)).isEqualTo(0.5);
        }
    }

    @Test
    void labelStatisticsAreCheckedWhereTheSpecDeclaresThem() {
        assertThatThrownBy(() -> FeatureSpecParser.parse(YAML.formatted("0s").replace("stat: last}", "stat: median}"), "bad.yaml"))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("median")
                .hasMessageContaining("last, mean, count, seconds_since_positive");
        assertThatThrownBy(() -> FeatureSpecParser.parse(YAML.formatted("0s").replace("stat: last}", "stat: last, last: 3}"), "bad.yaml"))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("'last' applies to mean and count only");
        assertThat(SPEC.columnNames()).containsExactly("amount", "last_label", "label_mean_3", "labels_known", "since_positive");
        assertThat(SPEC.aggregateCount()).isEqualTo(1 + 4);
    }
}
