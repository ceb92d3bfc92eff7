package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.ModelAnnouncement.Role;
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
 * The gate's shadow stage: a challenger that passes the holdout runs as a shadow and is promoted or
 * rejected on its live accuracy against the champion's; retraining waits meanwhile.
 */
class ShadowGateTest {
    private static final NetworkSettings NETWORK = ConceptFlip.NETWORK;
    private static final List<String> ANNOUNCED = new CopyOnWriteArrayList<>();

    /** Records what would go on the models topic, as "version:role". */
    private static final class TestingAnnouncer implements ModelAnnouncer {
        private static final long serialVersionUID = 1L;

        @Override
        public void announce(ModelStore store, ModelMetadata metadata) {
            ANNOUNCED.add(metadata.version() + ":champion");
        }

        @Override
        public void announce(ModelStore store, ModelMetadata metadata, Role role) {
            ANNOUNCED.add(metadata.version() + ":" + role.wireName());
        }
    }

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

    private KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> harness() throws Exception {
        String root = dir.toUri().toString();
        RetrainPolicy policy = RetrainPolicy.defaults().withCooldown(Duration.ZERO).withMinExamples(100);
        TrainerSettings settings = TrainerSettings.defaults("m", TrainingMode.STATEFUL, NETWORK).withPolicy(policy).withBuffer(2000, 0.2)
                .withTraining(3, 32, 4).withRollback(Double.NaN, 1).withGate(new PromotionGate("accuracy", 0.005, "log_loss", 0.05).withShadow(400, 0.01));
        trainer = new ContinualTrainer(settings, () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), new TestingAnnouncer());
        return new KeyedTwoInputStreamOperatorTestHarness<>(trainer, p -> ContinualTrainer.KEY, r -> ContinualTrainer.KEY, Types.INT);
    }

    /** Examples of the flipped concept (label = x0 < 0): the champion is wrong on them, a challenger learns them. */
    private static void feedFlipped(KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> h, int n,
            long seed) throws Exception {
        feed(h, n, seed, true);
    }

    private static void feed(KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> h, int n,
            long seed, boolean flipped) throws Exception {
        double[][] x = ConceptFlip.rows(n, new Random(seed));
        double[] y = ConceptFlip.labels(x, flipped);
        for (int i = 0; i < n; i++) {
            long time = seed * 1_000_000 + i * 1000L;
            var served = new ServedFeatures(new FeatureVector("e" + seed + "-" + i, "k", time, x[i], Double.NaN), "m", 1, 0.5, 0);
            h.processElement1(new StreamRecord<>(new LabeledPrediction(served, y[i], time, false), time));
        }
    }

    /** One event-time window's accuracy, as the learning job's time-window evaluation reports it. */
    private static StreamRecord<MonitoringReport> window(String subject, long version, long start, long count, double value) {
        return new StreamRecord<>(new MonitoringReport("accuracy", subject, version, start, start + 60_000, count, value, Double.NaN), start + 59_999);
    }

    /** Trains a challenger on the flipped concept; it passes the holdout and becomes a shadow. */
    private void shadowAChallenger(KeyedTwoInputStreamOperatorTestHarness<Integer, LabeledPrediction, MonitoringReport, MonitoringReport> h)
            throws Exception {
        feedFlipped(h, 1500, 2);
        h.processElement2(new StreamRecord<>(new MonitoringReport("ddm", "error", 1, 3_000_000, 3_000_000, 100, 0.5, Double.NaN), 3_000_000));
        for (int i = 0; i < 10_000 && trainer.training(); i++) {
            h.setProcessingTime(h.getProcessingTime() + 1);
        }
        assertThat(trainer.shadowVersion()).isEqualTo(2);
        assertThat(ANNOUNCED).containsExactly("2:shadow");
        assertThat(h.extractOutputValues()).filteredOn(r -> r.statistic().equals("challenger_shadowed")).singleElement()
                .satisfies(r -> assertThat(r.modelVersion()).isEqualTo(2));
        assertThat(h.extractOutputValues()).filteredOn(r -> r.statistic().equals("challenger_promoted")).isEmpty();
    }

    @Test
    void aShadowThatBeatsTheChampionLiveIsPromotedAndRetrainingWaitsForIt() throws Exception {
        try (var h = harness()) {
            h.open();
            shadowAChallenger(h);
            h.processElement2(new StreamRecord<>(new MonitoringReport("ddm", "error", 1, 3_500_000, 3_500_000, 100, 0.5, Double.NaN), 3_500_000));
            assertThat(trainer.training()).as("no retraining while a shadow runs").isFalse();

            h.processElement2(window("model/time", 1, 5_000_000, 200, 0.30));
            h.processElement2(window("shadow/time", 2, 5_000_000, 50, 0.95)); // started late in this window: not compared
            h.processElement2(window("shadow/time", 2, 5_060_000, 250, 0.90));
            h.processElement2(window("model/time", 1, 5_060_000, 250, 0.30));
            assertThat(ANNOUNCED).as("250 live examples are not enough").containsExactly("2:shadow");
            h.processElement2(window("model/time", 1, 5_120_000, 150, 0.40));
            h.processElement2(window("shadow/time", 2, 5_120_000, 150, 0.80));
            assertThat(ANNOUNCED).containsExactly("2:shadow", "2:champion");
            double live = (0.90 * 250 + 0.80 * 150) / 400;
            double champion = (0.30 * 250 + 0.40 * 150) / 400;
            assertThat(h.extractOutputValues()).filteredOn(r -> r.statistic().equals("challenger_promoted")).singleElement().satisfies(r -> {
                assertThat(r.subject()).isEqualTo("shadow");
                assertThat(r.modelVersion()).isEqualTo(2);
                assertThat(r.value()).isCloseTo(live - champion, within(1e-12));
            });
            assertThat(trainer.shadowVersion()).isEqualTo(-1);
            assertThat(store.versions("m")).hasSize(2);
        }
    }

    @Test
    void aShadowThatDoesWorseLiveIsRejectedOnceEvenWhenARestoreReplaysTheVerdict() throws Exception {
        OperatorSubtaskState shadowing;
        try (var h = harness()) {
            h.open();
            shadowAChallenger(h);
            h.processElement2(window("model/time", 1, 5_000_000, 400, 0.80));
            h.prepareSnapshotPreBarrier(1);
            shadowing = h.snapshot(1, 1);
        }
        for (int attempt = 0; attempt < 2; attempt++) { // the second attempt replays the verdict after a failure
            try (var h = harness()) {
                h.initializeState(shadowing);
                h.open();
                assertThat(trainer.shadowVersion()).isEqualTo(2);
                assertThat(trainer.championVersion()).as("the store's latest is the shadow; the champion is v1").isEqualTo(1);
                h.processElement2(window("shadow/time", 2, 5_000_000, 400, 0.805)); // better, but not by the shadow margin
                assertThat(h.extractOutputValues()).filteredOn(r -> r.statistic().equals("challenger_rejected")).singleElement()
                        .satisfies(r -> assertThat(r.subject()).isEqualTo("shadow"));
                assertThat(trainer.shadowVersion()).isEqualTo(-1);
            }
        }
        assertThat(store.versions("m")).as("the champion published once more, once").hasSize(3);
        ModelMetadata v3 = store.get("m", 3).orElseThrow();
        assertThat(v3.sha256()).as("v1's weights").isEqualTo(store.get("m", 1).orElseThrow().sha256());
        assertThat(v3.metrics()).containsEntry(Champions.SHADOW_REJECTED, 2.0);
        assertThat(ANNOUNCED).containsExactly("2:shadow", "2:end-trial", "3:champion", "2:end-trial", "3:champion");
        assertThat(Champions.previous(store, "m")).as("a rejected shadow never served: nothing to roll back to").isEmpty();
    }

    @Test
    void aShadowWithoutALiveVerdictIsGivenUpAfterItsTimeout() throws Exception {
        try (var h = harness()) {
            h.open();
            shadowAChallenger(h);
            feedFlipped(h, 5000, 4); // examples alone never end a shadow: the evaluation may lag behind them
            h.setProcessingTime(h.getProcessingTime() + Duration.ofMinutes(59).toMillis());
            assertThat(trainer.shadowVersion()).isEqualTo(2);
            h.setProcessingTime(h.getProcessingTime() + Duration.ofMinutes(2).toMillis());
            assertThat(trainer.shadowVersion()).isEqualTo(-1);
            assertThat(ANNOUNCED).containsExactly("2:shadow", "2:end-trial", "3:champion");
        }
    }

    @Test
    void aShadowWhoseChampionIsRolledBackIsAbandonedAndNeverBecomesARollbackTarget() throws Exception {
        try (var h = new KeyedTwoInputStreamOperatorTestHarness<>(trainerWithRollback(), p -> ContinualTrainer.KEY, r -> ContinualTrainer.KEY,
                Types.INT)) {
            h.open();
            shadowAChallenger(h);
            h.processElement2(window("model/time", 1, 5_000_000, 400, 0.90));
            h.processElement2(window("shadow/time", 2, 5_000_000, 400, 0.95)); // v2 promoted, on probation against v1's 0.90
            assertThat(ANNOUNCED).containsExactly("2:shadow", "2:champion");

            feed(h, 1500, 6, false); // the old concept is back: v2 is wrong, a challenger from it learns it again
            h.processElement2(new StreamRecord<>(new MonitoringReport("ddm", "error", 2, 7_000_000, 7_000_000, 100, 0.5, Double.NaN), 7_000_000));
            for (int i = 0; i < 10_000 && trainer.training(); i++) {
                h.setProcessingTime(h.getProcessingTime() + 1);
            }
            assertThat(trainer.shadowVersion()).isEqualTo(3);

            h.processElement2(new StreamRecord<>(new MonitoringReport("accuracy", "model", 2, 7_000_000, 7_100_000, 300, 0.40, Double.NaN), 7_100_000));
            assertThat(trainer.shadowVersion()).as("its champion is gone").isEqualTo(-1);
            assertThat(ANNOUNCED).containsExactly("2:shadow", "2:champion", "3:shadow", "4:champion", "3:end-trial");
            ModelMetadata v4 = store.get("m", 4).orElseThrow();
            assertThat(v4.sha256()).as("v1's weights").isEqualTo(store.get("m", 1).orElseThrow().sha256());
            assertThat(v4.metrics()).containsEntry("rollback.of", 2.0).containsEntry(Champions.SHADOW_REJECTED, 3.0);
            assertThat(Champions.previous(store, "m")).map(ModelMetadata::version).as("v3 never served").contains(2L);
            h.processElement2(new StreamRecord<>(new MonitoringReport("ddm", "error", 4, 7_200_000, 7_200_000, 100, 0.5, Double.NaN), 7_200_000));
            assertThat(trainer.training()).as("retraining is open again").isTrue();
        }
    }

    private ContinualTrainer trainerWithRollback() {
        String root = dir.toUri().toString();
        RetrainPolicy policy = RetrainPolicy.defaults().withCooldown(Duration.ZERO).withMinExamples(100);
        TrainerSettings settings = TrainerSettings.defaults("m", TrainingMode.STATEFUL, NETWORK).withPolicy(policy).withBuffer(2000, 0.2)
                .withTraining(3, 32, 4).withRollback(0.05, 200).withGate(new PromotionGate("accuracy", 0.005, "log_loss", 0.05).withShadow(400, 0.01));
        trainer = new ContinualTrainer(settings, () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), new TestingAnnouncer());
        return trainer;
    }
}
