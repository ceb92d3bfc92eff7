package io.loopline.operators.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.ServedFeatures;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class OnlineEvaluationTest {
    private static KeyedOneInputStreamOperatorTestHarness<Long, LabeledPrediction, MonitoringReport> harness(int window, int slide) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new OnlineEvaluation(window, slide), p -> p.served().modelVersion(), Types.LONG);
    }

    private static StreamRecord<LabeledPrediction> example(long version, int i, double score, double label) {
        var served = new ServedFeatures(new FeatureVector("e" + i, "c", 1000L + i, new double[] {0}, Double.NaN), "fraud", version, score, 0);
        return new StreamRecord<>(new LabeledPrediction(served, label, 1000L + i, false), 1000L + i);
    }

    private static List<MonitoringReport> reports(KeyedOneInputStreamOperatorTestHarness<?, LabeledPrediction, MonitoringReport> h, String statistic) {
        return h.extractOutputValues().stream().filter(r -> r.statistic().equals(statistic)).toList();
    }

    @Test
    void reportsMetricsOverTheLastWindowPerModelVersion() throws Exception {
        try (var h = harness(4, 4)) {
            h.open();
            // v1: 3 of 4 right; v2: all right
            h.processElement(example(1, 0, 0.9, 1));
            h.processElement(example(1, 1, 0.2, 0));
            h.processElement(example(1, 2, 0.8, 0));
            h.processElement(example(1, 3, 0.1, 0));
            for (int i = 0; i < 4; i++) {
                h.processElement(example(2, 10 + i, 0.9, 1));
            }
            List<MonitoringReport> accuracy = reports(h, "accuracy");
            assertThat(accuracy).extracting(MonitoringReport::modelVersion).containsExactly(1L, 2L);
            assertThat(accuracy.get(0).value()).isCloseTo(0.75, within(1e-12));
            assertThat(accuracy.get(0).windowStart()).isEqualTo(1000);
            assertThat(accuracy.get(0).windowEnd()).isEqualTo(1003);
            assertThat(accuracy.get(1).value()).isEqualTo(1.0);
            assertThat(reports(h, "label_count").get(0).value()).isEqualTo(4.0);
            assertThat(reports(h, "positive_rate").get(0).value()).isCloseTo(0.25, within(1e-12));
            assertThat(reports(h, "auc").get(0).value()).as("the one positive outranks every negative").isEqualTo(1.0);
        }
    }

    @Test
    void aRiseOfTheErrorRateFiresTheDetectorsAndTheyResumeAfterRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(200, 200)) {
            h.open();
            for (int i = 0; i < 1000; i++) {
                h.processElement(example(1, i, i % 10 == 0 ? 0.9 : 0.1, 0)); // 10 % wrong
            }
            assertThat(h.extractOutputValues()).filteredOn(r -> r.subject().equals("error")).isEmpty();
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(200, 200)) {
            h.initializeState(snapshot);
            h.open();
            for (int i = 1000; i < 2000; i++) {
                h.processElement(example(1, i, i % 10 < 7 ? 0.9 : 0.1, 0)); // 70 % wrong
            }
            List<String> fired = h.extractOutputValues().stream().filter(r -> r.subject().equals("error")).map(MonitoringReport::statistic).distinct().toList();
            assertThat(fired).containsExactlyInAnyOrder("adwin", "page-hinkley", "ddm");
            List<MonitoringReport> accuracy = reports(h, "accuracy");
            assertThat(accuracy.get(accuracy.size() - 1).value()).as("the window holds the last 200 examples").isCloseTo(0.3, within(1e-12));
            assertThat(accuracy.get(0).count()).as("the restored ring buffer was full").isEqualTo(200);
        }
    }

    @Test
    void reportsLabelDriftAgainstTheReferencePrior() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new OnlineEvaluation(100, 100).withReferenceLabels(new double[] {900, 100}),
                (LabeledPrediction p) -> p.served().modelVersion(), Types.LONG)) {
            h.open();
            for (int i = 0; i < 100; i++) {
                h.processElement(example(1, i, 0.1, i % 2)); // half positive against a 10 % prior
            }
            MonitoringReport psi = h.extractOutputValues().stream().filter(r -> r.subject().equals("label") && r.statistic().equals("psi")).findFirst()
                    .orElseThrow();
            // (0.5 - 0.9) ln(0.5/0.9) + (0.5 - 0.1) ln(0.5/0.1)
            assertThat(psi.value()).isCloseTo(-0.4 * Math.log(0.5 / 0.9) + 0.4 * Math.log(5), within(1e-12));
            MonitoringReport chi2 = h.extractOutputValues().stream().filter(r -> r.subject().equals("label") && r.statistic().equals("chi2")).findFirst()
                    .orElseThrow();
            assertThat(chi2.pvalue()).isLessThan(1e-10);
        }
    }

    @Test
    void slicesAreEvaluatedApart() throws Exception {
        var fit = new io.loopline.state.profile.FeatureFit(java.util.Map.of(), java.util.Map.of("merchant", List.of("grocery", "travel")));
        Slices slices = Slices.of("merchant", List.of("amount", "merchant[0]", "merchant[1]", "merchant[other]"), fit);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new OnlineEvaluation(4, 4).perSlice(slices),
                (LabeledPrediction p) -> OnlineEvaluation.sliceKey(p, slices), Types.STRING)) {
            h.open();
            for (int i = 0; i < 8; i++) {
                boolean travel = i % 2 == 1;
                double[] values = {10, travel ? 0 : 1, travel ? 1 : 0, 0};
                var served = new ServedFeatures(new FeatureVector("e" + i, "c", 1000L + i, values, Double.NaN), "fraud", 1, 0.9, 0);
                // grocery always right, travel always wrong
                h.processElement(new StreamRecord<>(new LabeledPrediction(served, travel ? 0 : 1, 1000L + i, false), 1000L + i));
            }
            List<MonitoringReport> accuracy = reports(h, "accuracy");
            assertThat(accuracy).extracting(r -> r.subject() + "=" + r.value())
                    .containsExactlyInAnyOrder("model[merchant=grocery]=1.0", "model[merchant=travel]=0.0");
        }
    }

    @Test
    void timeWindowsReportOnceTheWatermarkPassesThem() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new OnlineEvaluation(1000, 1000).withTimeWindow(java.time.Duration.ofMillis(10)),
                (LabeledPrediction p) -> p.served().modelVersion(), Types.LONG)) {
            h.open();
            for (int i = 0; i < 20; i++) { // times 1000..1019: windows [1000,1010) right, [1010,1020) half wrong
                h.processElement(example(1, i, i < 10 || i % 2 == 0 ? 0.9 : 0.1, 1));
            }
            assertThat(h.extractOutputValues()).filteredOn(r -> r.subject().endsWith("/time")).isEmpty();
            h.processWatermark(new org.apache.flink.streaming.api.watermark.Watermark(1010));
            h.prepareSnapshotPreBarrier(1);
            var snapshot = h.snapshot(1, 1);
            List<MonitoringReport> first = h.extractOutputValues().stream().filter(r -> r.subject().equals("model/time")).toList();
            assertThat(first).filteredOn(r -> r.statistic().equals("accuracy")).extracting(MonitoringReport::value).containsExactly(1.0);
            assertThat(first.get(0).windowStart()).isEqualTo(1000);
            assertThat(first.get(0).windowEnd()).isEqualTo(1010);

            try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                    new OnlineEvaluation(1000, 1000).withTimeWindow(java.time.Duration.ofMillis(10)),
                    (LabeledPrediction p) -> p.served().modelVersion(), Types.LONG)) {
                restored.initializeState(snapshot);
                restored.open();
                restored.processElement(example(1, 25, 0.9, 1)); // loads the key's open window [1010,1020)
                restored.processWatermark(new org.apache.flink.streaming.api.watermark.Watermark(1020));
                List<MonitoringReport> second = restored.extractOutputValues().stream()
                        .filter(r -> r.subject().equals("model/time") && r.statistic().equals("accuracy")).toList();
                assertThat(second).extracting(MonitoringReport::value).containsExactly(0.5);
            }
        }
    }

    @Test
    void aRestoredVersionThatGetsNoMoreExamplesStillReportsItsOpenTimeWindows() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new OnlineEvaluation(1000, 1000).withTimeWindow(java.time.Duration.ofMillis(10)),
                (LabeledPrediction p) -> p.served().modelVersion(), Types.LONG)) {
            h.open();
            for (int i = 0; i < 6; i++) { // v1 in [1000,1010), then v2 takes over
                h.processElement(example(1, i, 0.9, i < 3 ? 1 : 0));
            }
            h.processElement(example(2, 7, 0.9, 1));
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new OnlineEvaluation(1000, 1000).withTimeWindow(java.time.Duration.ofMillis(10)),
                (LabeledPrediction p) -> p.served().modelVersion(), Types.LONG)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processWatermark(new org.apache.flink.streaming.api.watermark.Watermark(1010)); // no example after the restore
            List<MonitoringReport> counts = restored.extractOutputValues().stream()
                    .filter(r -> r.subject().equals("model/time") && r.statistic().equals("label_count")).toList();
            assertThat(counts).extracting(r -> r.modelVersion() + "=" + r.value()).containsExactlyInAnyOrder("1=6.0", "2=1.0");
            assertThat(restored.extractOutputValues()).filteredOn(r -> r.statistic().equals("accuracy") && r.modelVersion() == 1)
                    .extracting(MonitoringReport::value).containsExactly(0.5);
        }
    }

    @Test
    void restoredSliceWindowsKeepTheirSubject() throws Exception {
        var fit = new io.loopline.state.profile.FeatureFit(java.util.Map.of(), java.util.Map.of("merchant", List.of("grocery", "travel")));
        Slices slices = Slices.of("merchant", List.of("amount", "merchant[0]", "merchant[1]", "merchant[other]"), fit);
        OperatorSubtaskState snapshot;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new OnlineEvaluation(1000, 1000).perSlice(slices).withTimeWindow(java.time.Duration.ofMillis(10)),
                (LabeledPrediction p) -> OnlineEvaluation.sliceKey(p, slices), Types.STRING)) {
            h.open();
            h.processElement(example(3, 1, 0.9, 1));
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new OnlineEvaluation(1000, 1000).perSlice(slices).withTimeWindow(java.time.Duration.ofMillis(10)),
                (LabeledPrediction p) -> OnlineEvaluation.sliceKey(p, slices), Types.STRING)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processWatermark(new org.apache.flink.streaming.api.watermark.Watermark(1010));
            assertThat(restored.extractOutputValues()).filteredOn(r -> r.statistic().equals("label_count"))
                    .extracting(r -> r.subject() + " v" + r.modelVersion()).containsExactly("model[merchant=missing]/time v3");
        }
    }
}
