package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.ServedFeatures;
import java.nio.file.Path;
import java.time.Duration;
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

/**
 * The trainer on a concept flip: the champion learned "label = x0 > 0"; the buffered examples say
 * "label = x0 < 0". Stateful and stateless challengers, the gate both ways, snapshot/restore in the
 * middle of training, and an automatic rollback.
 */
class ContinualTrainerTest {
    private static final NetworkSettings NETWORK = ConceptFlip.NETWORK;
    private static final List<Long> ANNOUNCED = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;
    private FileSystemModelStore store;
    private ContinualTrainer trainer;

    @BeforeEach
    void publishChampion() throws Exception {
        ANNOUNCED.clear();
        store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.toUri()));
        ConceptFlip.publishChampion(store);
    }

    private KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> harness(TrainerSettings settings)
            throws Exception {
        String root = dir.toUri().toString();
        trainer = new ContinualTrainer(settings, () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)),
                (s, m) -> ANNOUNCED.add(m.version()));
        return new KeyedTwoInputStreamOperatorTestHarness<>(trainer, p -> ContinualTrainer.KEY, r -> ContinualTrainer.KEY, Types.INT);
    }

    private static TrainerSettings settings(TrainingMode mode) {
        RetrainPolicy policy = RetrainPolicy.defaults().withCooldown(Duration.ZERO).withMinExamples(100);
        return TrainerSettings.defaults("m", mode, NETWORK).withPolicy(policy).withBuffer(2000, 0.2)
                .withTraining(mode == TrainingMode.STATEFUL ? 3 : 8, 32, 4).withRollback(Double.NaN, 1);
    }

    private static void feed(KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> h, int n,
            boolean flipped, long seed) throws Exception {
        feedFrom(h, n, flipped, seed, 0);
    }

    /** Examples {@code first} to {@code first + n - 1} of the stream {@code seed} (times and ids go on from there). */
    private static void feedFrom(KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> h, int n,
            boolean flipped, long seed, int first) throws Exception {
        double[][] x = ConceptFlip.rows(n, new Random(first == 0 ? seed : seed * 31 + first));
        double[] y = ConceptFlip.labels(x, flipped);
        for (int j = 0; j < n; j++) {
            int i = first + j;
            long time = seed * 1_000_000 + i * 1000L;
            var served = new ServedFeatures(new FeatureVector("e" + seed + "-" + i, "k", time, x[j], Double.NaN), "m", 1, 0.5, 0);
            h.processElement1(new StreamRecord<>(new LabeledPrediction(served, y[j], time, false), time));
        }
    }

    private static void detectorFires(KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> h,
            long version, long time) throws Exception {
        h.processElement2(new StreamRecord<>(new MonitoringReport("ddm", "error", version, time, time, 100, 0.5, Double.NaN), time));
    }

    /** Fires step timers until the run is judged (or the step limit is reached). */
    private void trainToTheEnd(KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> h)
            throws Exception {
        for (int i = 0; i < 10_000 && trainer.training(); i++) {
            h.setProcessingTime(h.getProcessingTime() + 1);
        }
        assertThat(trainer.training()).as("training finished").isFalse();
    }

    private static List<MonitoringReport> reports(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, MonitoringReport> h, String statistic) {
        return h.extractOutputValues().stream().filter(r -> r.statistic().equals(statistic)).toList();
    }

    @Test
    void aStatefulChallengerWarmStartedFromTheChampionIsPromotedAfterAConceptFlip() throws Exception {
        try (var h = harness(settings(TrainingMode.STATEFUL))) {
            h.open();
            feed(h, 1500, true, 2);
            detectorFires(h, 1, 3_000_000);
            assertThat(reports(h, "retrain_triggered")).singleElement().satisfies(r -> {
                assertThat(r.subject()).isEqualTo("drift:ddm");
                assertThat(r.count()).isEqualTo(1500);
            });
            trainToTheEnd(h);
            MonitoringReport promoted = reports(h, "challenger_promoted").get(0);
            assertThat(promoted.modelVersion()).isEqualTo(2);
            assertThat(promoted.subject()).isEqualTo("stateful/drift");
            assertThat(promoted.count()).as("3 epochs over the 1200 training rows").isEqualTo(3 * 1200);
            double challenger = reports(h, "holdout_accuracy").stream().filter(r -> r.subject().equals("challenger")).findFirst().orElseThrow().value();
            double champion = reports(h, "holdout_accuracy").stream().filter(r -> r.subject().equals("champion")).findFirst().orElseThrow().value();
            assertThat(champion).as("v1 on the flipped concept").isLessThan(0.2);
            assertThat(challenger).isGreaterThan(0.8);
            ModelMetadata v2 = store.get("m", 2).orElseThrow();
            assertThat(v2.parent()).isEqualTo(1);
            assertThat(v2.trainingRows()).isEqualTo(1200);
            assertThat(v2.trainedFrom()).isEqualTo(java.time.Instant.ofEpochMilli(2_000_000));
            assertThat(v2.metrics()).containsEntry("training.stateful", 1.0).containsKey("challenger.id");
            assertThat(v2.metrics().get("validation.accuracy")).isEqualTo(challenger);
            assertThat(ANNOUNCED).containsExactly(2L);
        }
    }

    @Test
    void theGateRejectsAChallengerThatIsNoBetterThanTheChampion() throws Exception {
        try (var h = harness(settings(TrainingMode.STATELESS))) {
            h.open();
            feed(h, 1500, false, 2); // the champion's own concept: nothing to gain
            detectorFires(h, 1, 3_000_000);
            trainToTheEnd(h);
            assertThat(reports(h, "challenger_promoted")).isEmpty();
            MonitoringReport rejected = reports(h, "challenger_rejected").get(0);
            assertThat(rejected.subject()).isEqualTo("stateless/drift");
            assertThat(rejected.modelVersion()).as("the champion stays").isEqualTo(1);
            assertThat(store.versions("m")).hasSize(1);
            assertThat(ANNOUNCED).isEmpty();
        }
    }

    @Test
    void aRestoredTrainerResumesTheSameRunAndNeverPublishesTwice() throws Exception {
        OperatorSubtaskState midTraining;
        try (var h = harness(settings(TrainingMode.STATEFUL))) {
            h.open();
            feed(h, 1500, true, 2);
            detectorFires(h, 1, 3_000_000);
            for (int i = 0; i < 20; i++) {
                h.setProcessingTime(h.getProcessingTime() + 1); // 20 steps of 4 batches: 80 of 113 batches done
            }
            assertThat(trainer.training()).isTrue();
            h.prepareSnapshotPreBarrier(1);
            midTraining = h.snapshot(1, 1);
            trainToTheEnd(h); // this attempt publishes v2, then "fails" before the next checkpoint
            assertThat(reports(h, "challenger_promoted")).hasSize(1);
        }
        assertThat(store.versions("m")).hasSize(2);
        try (var h = harness(settings(TrainingMode.STATEFUL))) {
            h.initializeState(midTraining);
            h.open();
            trainToTheEnd(h); // the restored timer carries the run on
            MonitoringReport promoted = reports(h, "challenger_promoted").get(0);
            assertThat(promoted.modelVersion()).as("found v2 by the challenger id instead of publishing v3").isEqualTo(2);
            assertThat(promoted.count()).as("the run continued, rows counted once").isEqualTo(3 * 1200);
            assertThat(reports(h, "retrain_triggered")).as("not triggered again").isEmpty();
        }
        assertThat(store.versions("m")).hasSize(2);
        assertThat(ANNOUNCED).containsExactly(2L, 2L); // announcing twice is harmless: serving ignores versions it has
    }

    /**
     * With {@code afterDriftExamples}, a change point arms the trainer instead of starting it: it waits for
     * that many labelled examples, across a restore, and trains and judges on those after the change only,
     * where the old regime's examples would have diluted the new one.
     */
    @Test
    void aDriftTriggerWaitsForExamplesAfterTheChangePointAcrossARestoreAndTrainsOnThoseAlone() throws Exception {
        TrainerSettings waiting = settings(TrainingMode.STATEFUL).withPolicy(settings(TrainingMode.STATEFUL).policy().withAfterDriftExamples(600));
        OperatorSubtaskState midWait;
        try (var h = harness(waiting)) {
            h.open();
            feed(h, 1000, false, 2); // the old regime, which v1 knows: event times 2,000,000 .. 2,999,000
            detectorFires(h, 1, 3_000_000);
            assertThat(reports(h, "retrain_triggered")).as("armed, not started").isEmpty();
            assertThat(reports(h, "retrain_awaiting")).singleElement().satisfies(r -> {
                assertThat(r.subject()).isEqualTo("drift:ddm");
                assertThat(r.count()).isEqualTo(600);
            });
            assertThat(trainer.awaitingDriftExamples()).isTrue();
            feed(h, 300, true, 3); // the new regime from 3,000,000 on
            detectorFires(h, 1, 3_400_000);
            h.prepareSnapshotPreBarrier(1);
            midWait = h.snapshot(1, 1);
        }
        try (var h = harness(waiting)) {
            h.initializeState(midWait);
            h.open();
            assertThat(trainer.awaitingDriftExamples()).as("still armed after the restore").isTrue();
            feedFrom(h, 299, true, 3, 300);
            assertThat(reports(h, "retrain_triggered")).as("599 of 600 examples after the change").isEmpty();
            feedFrom(h, 1, true, 3, 599);
            MonitoringReport triggered = reports(h, "retrain_triggered").get(0);
            assertThat(triggered.subject()).as("the first change point, once").isEqualTo("drift:ddm");
            assertThat(triggered.count()).as("only the 600 examples after the change, of 1,600 buffered").isEqualTo(600);
            assertThat(triggered.windowStart()).isEqualTo(3_000_000);
            trainToTheEnd(h);
            double champion = reports(h, "holdout_accuracy").stream().filter(r -> r.subject().equals("champion")).findFirst().orElseThrow().value();
            assertThat(champion).as("v1 judged on the new regime only").isLessThan(0.2);
            assertThat(reports(h, "challenger_promoted")).singleElement().satisfies(r -> assertThat(r.count()).isEqualTo(3 * 480));
            assertThat(trainer.awaitingDriftExamples()).isFalse();
        }
    }

    /** A full buffer keeps every awaited example: the wait overwrites only examples from before the change point. */
    @Test
    void aFullBufferKeepsEveryExampleAwaitedAfterTheChangePoint() throws Exception {
        TrainerSettings waiting = settings(TrainingMode.STATEFUL).withBuffer(1000, 0.2)
                .withPolicy(settings(TrainingMode.STATEFUL).policy().withAfterDriftExamples(600));
        try (var h = harness(waiting)) {
            h.open();
            feed(h, 1500, false, 2); // the old regime fills the buffer: event times 2,000,000 .. 3,499,000
            detectorFires(h, 1, 4_000_000);
            feed(h, 600, true, 4); // the new regime from 4,000,000 on
            MonitoringReport triggered = reports(h, "retrain_triggered").get(0);
            assertThat(triggered.count()).as("all 600 examples after the change, in a buffer of 1,000").isEqualTo(600);
            assertThat(triggered.windowStart()).isEqualTo(4_000_000);
        }
    }

    @Test
    void aPromotedVersionThatDoesWorseLiveThanItsPredecessorIsRolledBack() throws Exception {
        try (var h = harness(settings(TrainingMode.STATEFUL).withRollback(0.05, 200))) {
            h.open();
            h.processElement2(new StreamRecord<>(new MonitoringReport("accuracy", "model", 1, 0, 1, 500, 0.70, Double.NaN), 1));
            feed(h, 1500, true, 2);
            detectorFires(h, 1, 3_000_000);
            trainToTheEnd(h);
            assertThat(store.versions("m")).hasSize(2);
            h.processElement2(new StreamRecord<>(new MonitoringReport("accuracy", "model", 2, 4_000_000, 4_100_000, 100, 0.50, Double.NaN), 4_100_000));
            assertThat(reports(h, "rollback")).as("100 examples are not enough to judge").isEmpty();
            h.processElement2(new StreamRecord<>(new MonitoringReport("accuracy", "model", 2, 4_000_000, 4_200_000, 300, 0.60, Double.NaN), 4_200_000));
            MonitoringReport rollback = reports(h, "rollback").get(0);
            assertThat(rollback.modelVersion()).isEqualTo(3);
            ModelMetadata v3 = store.get("m", 3).orElseThrow();
            assertThat(v3.parent()).isEqualTo(1);
            assertThat(v3.sha256()).as("v1's weights again").isEqualTo(store.get("m", 1).orElseThrow().sha256());
            assertThat(v3.metrics()).containsEntry("rollback.of", 2.0);
            assertThat(ANNOUNCED).containsExactly(2L, 3L);
        }
    }
}
