package io.loopline.operators.learning;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.Label;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.ServedFeatures;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class LabelJoinTest {
    private static final Duration WINDOW = Duration.ofMillis(1000);

    private static KeyedTwoInputStreamOperatorTestHarness<String, ServedFeatures, Label, LabeledPrediction> harness(double defaultLabel)
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new LabelJoin(WINDOW, defaultLabel)),
                (ServedFeatures s) -> s.features().eventId(), Label::eventId, Types.STRING);
        h.open();
        return h;
    }

    private static StreamRecord<ServedFeatures> served(String id, long time) {
        return new StreamRecord<>(new ServedFeatures(new FeatureVector(id, "card", time, new double[] {1, 2}, Double.NaN), "fraud", 1, 0.7, time + 5),
                time);
    }

    private static StreamRecord<Label> label(String id, double value, long time) {
        return new StreamRecord<>(new Label(id, value, time), time);
    }

    private static List<String> reasons(KeyedTwoInputStreamOperatorTestHarness<String, ServedFeatures, Label, LabeledPrediction> h) {
        var side = h.getSideOutput(LabelJoin.REJECTED_LABELS);
        return side == null ? List.of() : side.stream().map(r -> r.getValue().reason()).toList();
    }

    @Test
    void aLabelAfterThePredictionJoinsWithTheServedScore() throws Exception {
        try (var h = harness(Double.NaN)) {
            h.processElement1(served("a", 100));
            h.processElement2(label("a", 1, 600));
            List<LabeledPrediction> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).label()).isEqualTo(1.0);
            assertThat(out.get(0).served().score()).isEqualTo(0.7);
            assertThat(out.get(0).defaulted()).isFalse();
        }
    }

    @Test
    void aLabelBeforeThePredictionWaitsForIt() throws Exception {
        try (var h = harness(Double.NaN)) {
            h.processElement2(label("a", 0, 150));
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement1(served("a", 100));
            assertThat(h.extractOutputValues()).extracting(LabeledPrediction::label).containsExactly(0.0);
        }
    }

    @Test
    void duplicateLateAndUnknownLabelsAreDeadLetteredWithTheirReason() throws Exception {
        try (var h = harness(Double.NaN)) {
            h.processElement1(served("a", 100));
            h.processElement2(label("a", 1, 200));
            h.processElement2(label("a", 1, 300)); // duplicate
            h.processElement1(served("b", 100));
            h.processElement2(label("b", 1, 1500)); // after b's window (closes at 1100)
            h.processElement2(label("x", 1, 100)); // never predicted
            h.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(5000));
            h.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(5000));
            assertThat(h.extractOutputValues()).extracting(p -> p.served().features().eventId()).containsExactly("a");
            assertThat(reasons(h)).containsExactlyInAnyOrder("label-duplicate", "label-late", "label-unknown-id");
        }
    }

    @Test
    void aClosedWindowGetsTheDefaultLabelAndStateIsClearedByTimers() throws Exception {
        try (var h = harness(0.0)) {
            h.processElement1(served("quiet", 100));
            h.processElement1(served("labelled", 100));
            h.processElement2(label("labelled", 1, 900));
            h.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(1100));
            h.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(1100));
            List<LabeledPrediction> out = h.extractOutputValues();
            assertThat(out).extracting(p -> p.served().features().eventId() + "=" + p.label() + (p.defaulted() ? " (default)" : ""))
                    .containsExactlyInAnyOrder("labelled=1.0", "quiet=0.0 (default)");
            assertThat(h.numKeyedStateEntries()).as("kept one more window to recognize late labels").isPositive();

            h.processElement2(label("quiet", 1, 1200)); // after the default was applied: late, not a second label
            assertThat(reasons(h)).containsExactly("label-late");

            h.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(4100));
            h.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(4100));
            assertThat(h.numKeyedStateEntries()).as("every entry cleared four windows after its prediction").isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void pendingPredictionsAndLabelsSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(0.0)) {
            h.processElement1(served("p", 100));
            h.processElement2(label("l", 1, 120));
            snapshot = h.snapshot(1, 1);
        }
        var restored = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new LabelJoin(WINDOW, 0.0)),
                (ServedFeatures s) -> s.features().eventId(), Label::eventId, Types.STRING);
        try (restored) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement2(label("p", 1, 400));
            restored.processElement1(served("l", 110));
            restored.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(5000));
            restored.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(5000));
            assertThat(restored.extractOutputValues()).as("both joined, no default for labelled predictions")
                    .extracting(p -> p.served().features().eventId() + "=" + p.label()).containsExactly("p=1.0", "l=1.0");
            assertThat(restored.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void withNaturalLabelsExamplesLeaveInThePredictionsEventTimeOrder() throws Exception {
        try (var h = harness(0.0)) {
            h.processElement1(served("first", 100));
            h.processElement1(served("second", 200));
            h.processElement1(served("third", 300));
            h.processElement2(label("third", 1, 350)); // the later event's label comes first
            assertThat(h.extractOutputValues()).as("held until its window closes").isEmpty();
            h.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(2000));
            h.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(2000));
            assertThat(h.extractOutputValues()).extracting(p -> p.served().features().eventId() + "=" + p.label())
                    .containsExactly("first=0.0", "second=0.0", "third=1.0");
        }
    }

    @Test
    void withoutADefaultAJoinedExampleLeavesAtOnce() throws Exception {
        try (var h = harness(Double.NaN)) {
            h.processElement1(served("a", 100));
            h.processElement2(label("a", 1, 150));
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void anExampleThatLeftKeepsItsTimesButNotItsFeatureValues() throws Exception {
        for (double defaultLabel : new double[] {Double.NaN, 0.0}) {
            try (var h = harness(defaultLabel)) {
                h.processElement1(served("a", 100));
                h.processElement1(served("b", 100));
                h.processElement2(label("a", 1, 200));
                assertThat(joinEntry(h, "b").prediction().features().values()).as("open: its values wait for its label").hasSize(2);
                h.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(1100));
                h.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(1100));
                assertThat(h.extractOutputValues()).allMatch(p -> p.served().features().values().length == 2);
                for (String id : List.of("a", "b")) {
                    var kept = joinEntry(h, id);
                    assertThat(kept.phase()).isEqualTo(io.loopline.state.records.JoinEntry.CLOSED);
                    assertThat(kept.prediction().features().values()).as("%s after its window closed", id).isEmpty();
                    assertThat(kept.prediction().features().timestamp()).isEqualTo(100);
                }
                h.processElement2(label("b", 1, 1200)); // still told late, not unknown, from the kept time
                h.processElement2(label("a", 1, 300));
                assertThat(reasons(h)).as("known ids, after their windows closed").containsExactly("label-late", "label-late");
            }
        }
    }

    private static io.loopline.state.records.JoinEntry joinEntry(
            KeyedTwoInputStreamOperatorTestHarness<String, ServedFeatures, Label, LabeledPrediction> h, String eventId) throws Exception {
        var operator = (KeyedCoProcessOperator<String, ServedFeatures, Label, LabeledPrediction>) h.getOperator();
        operator.setCurrentKey(eventId);
        return operator.getKeyedStateBackend().getPartitionedState(org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                new org.apache.flink.api.common.state.ValueStateDescriptor<>("join-entry", io.loopline.state.serialization.JoinEntrySerializer.TYPE_INFO))
                .value();
    }
}
