package io.loopline.operators.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.ServedFeatures;
import io.loopline.state.records.WindowHistograms;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Partial histograms per subtask, merged per window, compared with the reference: a shifted feature drifts, a steady one does not. */
class WindowDriftTest {
    private static final Duration WINDOW = Duration.ofSeconds(60);

    /** Two standard-normal columns; the reference bins are deciles of N(0, 1). */
    private static ReferenceBins reference() {
        double[] deciles = {-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816};
        double[] counts = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
        return new ReferenceBins(List.of("steady", "shifted"), new double[][] {deciles, deciles}, new double[][] {counts, counts},
                new double[] {-4, -4}, new double[] {4, 4}, new double[] {900, 100});
    }

    private static OneInputStreamOperatorTestHarness<ServedFeatures, WindowHistograms> partials() throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new PartialHistograms(reference(), WINDOW));
        return h;
    }

    private static void feed(OneInputStreamOperatorTestHarness<ServedFeatures, WindowHistograms> h, int n, long start, double shift, long seed)
            throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            long t = start + i * 10L;
            double[] values = {gaussian(random), gaussian(random) + shift};
            h.processElement(new StreamRecord<>(new ServedFeatures(new FeatureVector("e" + t + seed, "c", t, values, Double.NaN), "m", 1,
                    random.nextDouble(), t), t));
        }
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    @Test
    void aShiftedFeatureCrossesThePsiThresholdAndASteadyOneStaysQuiet() throws Exception {
        List<WindowHistograms> parts = new java.util.ArrayList<>();
        // Two "subtasks" each see half of the window.
        for (long seed : new long[] {1, 2}) {
            try (var h = partials()) {
                h.open();
                feed(h, 2500, 0, 1.0, seed);
                assertThat(h.extractOutputValues()).as("nothing before the window closes").isEmpty();
                h.processWatermark(new Watermark(60_000));
                parts.addAll(h.extractOutputValues());
            }
        }
        assertThat(parts).hasSize(2);
        assertThat(parts.get(0).count() + parts.get(1).count()).isEqualTo(5000);

        try (var merge = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new DriftWindowStatistics(reference())),
                (WindowHistograms w) -> 0, Types.INT)) {
            merge.open();
            for (WindowHistograms p : parts) {
                merge.processElement(new StreamRecord<>(p, 59_999));
            }
            assertThat(merge.extractOutputValues()).as("waits for the watermark").isEmpty();
            merge.processWatermark(new Watermark(60_000));
            List<MonitoringReport> psi = merge.extractOutputValues().stream().filter(r -> r.statistic().equals("psi") && !r.subject().equals("prediction"))
                    .toList();
            assertThat(psi).extracting(MonitoringReport::subject).containsExactly("steady", "shifted");
            assertThat(psi.get(0).value()).as("steady").isLessThan(0.05);
            assertThat(psi.get(1).value()).as("shifted by one standard deviation").isGreaterThan(0.25);
            assertThat(psi.get(1).count()).isEqualTo(5000);
            MonitoringReport ks = merge.extractOutputValues().stream().filter(r -> r.statistic().equals("ks") && r.subject().equals("shifted"))
                    .findFirst().orElseThrow();
            assertThat(ks.pvalue()).isLessThan(1e-6);
            assertThat(merge.numKeyedStateEntries()).as("the closed window is gone; the score baseline stays").isEqualTo(1);
        }
    }

    @Test
    void openWindowsSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = partials()) {
            h.open();
            feed(h, 100, 0, 0, 3);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = partials()) {
            h.initializeState(snapshot);
            h.open();
            feed(h, 100, 1000, 0, 4);
            h.processWatermark(new Watermark(60_000));
            assertThat(h.extractOutputValues()).extracting(WindowHistograms::count).containsExactly(200L);
        }
    }

    private static WindowHistograms window(long start, long version) {
        double[] bins = {10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
        return new WindowHistograms(start, start + WINDOW.toMillis(), version, 100, new double[][] {bins.clone(), bins.clone()}, bins.clone(),
                new double[] {90, 10});
    }

    @Test
    void aVersionThatStoppedServingIsRetiredAfterTwoWindowsAndServesAgainWithItsNextPrediction() throws Exception {
        var statistics = new DriftWindowStatistics(reference());
        try (var merge = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(statistics), (WindowHistograms w) -> 0, Types.INT)) {
            merge.open();
            long minute = WINDOW.toMillis();
            merge.processElement(new StreamRecord<>(window(0, 1), 0));
            merge.processElement(new StreamRecord<>(window(minute, 1), minute));
            merge.processElement(new StreamRecord<>(window(2 * minute, 2), 2 * minute)); // v2 promoted
            merge.processWatermark(new Watermark(3 * minute));
            assertThat(statistics.retired(1)).as("one window without v1: a quiet minute is not a retirement").isFalse();
            merge.processElement(new StreamRecord<>(window(3 * minute, 2), 3 * minute));
            merge.processWatermark(new Watermark(4 * minute));
            assertThat(statistics.retired(1)).as("two windows without v1").isTrue();
            assertThat(statistics.retired(2)).isFalse();
            merge.processElement(new StreamRecord<>(window(4 * minute, 1), 4 * minute)); // rolled back to v1
            merge.processWatermark(new Watermark(5 * minute));
            assertThat(statistics.retired(1)).isFalse();
        }
    }
}
