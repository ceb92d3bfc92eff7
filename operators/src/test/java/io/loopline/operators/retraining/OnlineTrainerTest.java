package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopline.operators.training.BinaryClassifier;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.ServedFeatures;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The online trainer on a concept flip: it learns every label, publishes snapshots that beat what served, and survives a restore mid-stream. */
class OnlineTrainerTest {
    private static final List<Long> ANNOUNCED = new CopyOnWriteArrayList<>();
    private static final TrainerSettings SETTINGS = TrainerSettings.defaults("m", TrainingMode.ONLINE, null)
            .withOnline(new OnlineLearning(8, 200, 0, 200, 0.01, 4.0, 400)).withRollback(0.05, 100);

    @TempDir
    Path dir;
    private FileSystemModelStore store;
    private BinaryClassifier v1;

    @BeforeEach
    void publishChampion() throws Exception {
        ANNOUNCED.clear();
        store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.toUri()));
        ConceptFlip.publishChampion(store);
        v1 = BinaryClassifier.fromBytes(store.readArtifact(store.latest("m").orElseThrow()));
    }

    private OnlineTrainer trainer;

    private KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> harness() throws Exception {
        String root = dir.toUri().toString();
        trainer = new OnlineTrainer(SETTINGS, () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), (s, m) -> ANNOUNCED.add(m.version()));
        return new KeyedTwoInputStreamOperatorTestHarness<>(trainer, p -> OnlineTrainer.KEY, r -> OnlineTrainer.KEY, Types.INT);
    }

    /** Examples {@code first} .. {@code first + n - 1} of the flipped concept, served by v1. */
    private void feed(KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> h, int first, int n)
            throws Exception {
        double[][] x = ConceptFlip.rows(n, new Random(1000 + first));
        double[] y = ConceptFlip.labels(x, true);
        double[] served = v1.score(x, 256);
        for (int j = 0; j < n; j++) {
            long time = (first + j) * 1000L;
            var features = new ServedFeatures(new FeatureVector("e" + (first + j), "k", time, x[j], Double.NaN), "m", 1, served[j], 0);
            h.processElement1(new StreamRecord<>(new LabeledPrediction(features, y[j], time, false), time));
        }
    }

    @Test
    void everyLabelIsLearnedAndSnapshotsThatBeatTheServedModelArePublishedAndAnnounced() throws Exception {
        try (var h = harness()) {
            h.open();
            feed(h, 0, 1000);
            assertThat(trainer.learned()).isEqualTo(1000);
            List<MonitoringReport> promoted = h.extractOutputValues().stream().filter(r -> r.statistic().equals("challenger_promoted")).toList();
            assertThat(promoted).as("a look every 200 labels").hasSizeBetween(3, 5);
            assertThat(ANNOUNCED).containsExactlyElementsOf(promoted.stream().map(MonitoringReport::modelVersion).toList());
            ModelMetadata newest = store.latest("m").orElseThrow();
            assertThat(trainer.championVersion()).isEqualTo(newest.version());
            assertThat(newest.parent()).isEqualTo(newest.version() - 1);
            assertThat(newest.metrics().get("validation.accuracy")).as("prequential accuracy of the snapshot").isGreaterThan(0.9);
            double[][] probe = ConceptFlip.rows(500, new Random(7));
            BinaryClassifier served = BinaryClassifier.fromBytes(store.readArtifact(newest));
            double[] scores = served.score(probe, 500);
            double[] truth = ConceptFlip.labels(probe, true);
            int right = 0;
            for (int i = 0; i < probe.length; i++) {
                right += (scores[i] >= 0.5) == (truth[i] >= 0.5) ? 1 : 0;
            }
            assertThat(right / 500.0).as("the published snapshot learned the flip").isGreaterThan(0.9);
        }
    }

    @Test
    void aRestoredTrainerContinuesTheSameWeightsAndOptimizerState() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            feed(h, 0, 300); // 37 batches of 8 learned, 4 rows pending
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
        }
        double[][] probe = ConceptFlip.rows(50, new Random(9));
        double[] restoredScores;
        long restoredChampion;
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            feed(h, 300, 300);
            restoredScores = trainer.score(probe);
            restoredChampion = trainer.championVersion();
            assertThat(trainer.learned()).isEqualTo(600);
        }
        // The same 600 examples without a restore, from the same champion (a fresh store: no snapshots published yet).
        ANNOUNCED.clear();
        store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.resolve("again").toUri()));
        ConceptFlip.publishChampion(store);
        String root = dir.resolve("again").toUri().toString();
        trainer = new OnlineTrainer(SETTINGS, () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), (s, m) -> ANNOUNCED.add(m.version()));
        try (var h = new KeyedTwoInputStreamOperatorTestHarness<>(trainer, p -> OnlineTrainer.KEY, r -> OnlineTrainer.KEY, Types.INT)) {
            h.open();
            feed(h, 0, 300);
            feed(h, 300, 300);
            double[] uninterrupted = trainer.score(probe);
            for (int i = 0; i < probe.length; i++) {
                assertThat(restoredScores[i]).as("row " + i).isCloseTo(uninterrupted[i], within(1e-9));
            }
            assertThat(restoredChampion).as("the same snapshots, published once each").isEqualTo(trainer.championVersion());
        }
    }

    @Test
    void aDetectorOnTheServedModelBoostsTheLearningRateOnce() throws Exception {
        try (var h = harness()) {
            h.open();
            feed(h, 0, 16);
            h.processElement2(new StreamRecord<>(new MonitoringReport("ddm", "error", 1, 0, 0, 16, 0.5, Double.NaN), 0));
            h.processElement2(new StreamRecord<>(new MonitoringReport("adwin", "error", 1, 0, 0, 16, 0.5, Double.NaN), 0));
            assertThat(h.extractOutputValues()).filteredOn(r -> r.statistic().equals("learning_rate_boost")).hasSize(1);
        }
    }
}
