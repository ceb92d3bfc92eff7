package io.loopline.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopline.operators.features.TestSpecs;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.ModelAnnouncement.Role;
import io.loopline.state.records.Prediction;
import io.loopline.state.records.ServedFeatures;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shadow and canary trials in the scoring operator. */
class ModelTrialsTest {
    private static final FeatureSpec SPEC = TestSpecs.payments();

    @TempDir
    Path dir;

    private ModelMetadata v1;
    private ModelMetadata v2;
    private ModelMetadata v3;
    private BinaryClassifier net1;
    private BinaryClassifier net2;

    @BeforeEach
    void publishVersions() throws Exception {
        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.toUri()));
        net1 = BinaryClassifier.create(SPEC.dimension(), new NetworkSettings(List.of(4), "tanh", 0.01, 0, 1, 8, 1));
        net2 = BinaryClassifier.create(SPEC.dimension(), new NetworkSettings(List.of(4), "tanh", 0.01, 0, 1, 8, 2));
        var draft = new ModelDraft("fraud", null, BinaryClassifier.FORMAT, SPEC.name(), SPEC.columnNames(), null, null, 10, Map.of());
        v1 = store.publish(draft, net1.toBytes());
        v2 = store.publish(draft, net2.toBytes());
        v3 = store.publish(draft, net1.toBytes());
    }

    private ScoringHarness harness() throws Exception {
        String root = dir.toUri().toString();
        return new ScoringHarness(new ModelScoringOperator("fraud", SPEC,
                () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), 64, 0, 10).loadingInTaskThread().withFeatureLog());
    }

    private static ModelAnnouncement as(ModelMetadata m, Role role, double share) {
        return new ModelAnnouncement(m.name(), m.version(), m.sha256(), role, share);
    }

    private static FeatureVector vector(String entity, int i) {
        double[] values = new double[SPEC.dimension()];
        Arrays.fill(values, (i % 7) / 7.0);
        return new FeatureVector("e" + i, entity, 1000 + i, values, Double.NaN);
    }

    private static double score(BinaryClassifier net, FeatureVector v) {
        return net.score(new double[][] {v.values()}, 1)[0];
    }

    private static void send(ScoringHarness h, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            h.processVector(new StreamRecord<>(vector("card-" + (i % 50), i), 1000 + i));
        }
        h.prepareSnapshotPreBarrier(0);
    }

    @Test
    void aShadowIsScoredOnEveryEventAndNeverServed() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(as(v1, Role.CHAMPION, 0), 0));
            h.processAnnouncement(new StreamRecord<>(as(v2, Role.SHADOW, 0), 0));
            send(h, 0, 100);
            assertThat(h.extractOutputValues()).hasSize(100).extracting(Prediction::modelVersion).containsOnly(1L);
            List<ServedFeatures> shadow = h.getSideOutput(ModelScoringOperator.SHADOW_LOG).stream().map(StreamRecord::getValue).toList();
            assertThat(shadow).hasSize(100).extracting(ServedFeatures::modelVersion).containsOnly(2L);
            assertThat(shadow.get(5).score()).isCloseTo(score(net2, vector("card-5", 5)), within(1e-6)); // float32, batch vs row
            assertThat(h.extractOutputValues().get(5).score()).isCloseTo(score(net1, vector("card-5", 5)), within(1e-6));

            h.processAnnouncement(new StreamRecord<>(as(v2, Role.END_TRIAL, 0), 0));
            send(h, 100, 110);
            assertThat(h.getSideOutput(ModelScoringOperator.SHADOW_LOG)).as("no shadow after the end of the trial").hasSize(100);
        }
    }

    @Test
    void aCanaryServesItsShareOfTheEntitiesAndTheSameOnesAfterARestore() throws Exception {
        OperatorSubtaskState snapshot;
        Map<String, Long> versionByEntity = new HashMap<>();
        try (var h = harness()) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(as(v1, Role.CHAMPION, 0), 0));
            h.processAnnouncement(new StreamRecord<>(as(v2, Role.CANARY, 0.3), 0));
            send(h, 0, 1000);
            for (Prediction p : h.extractOutputValues()) {
                Long before = versionByEntity.put(p.entity(), p.modelVersion());
                assertThat(before == null || before == p.modelVersion()).as("sticky per entity: %s", p.entity()).isTrue();
                double expected = score(p.modelVersion() == 2 ? net2 : net1, vector(p.entity(), Integer.parseInt(p.eventId().substring(1))));
                assertThat(p.score()).isCloseTo(expected, within(1e-6));
            }
            long canaryEntities = versionByEntity.values().stream().filter(v -> v == 2).count();
            assertThat(canaryEntities).as("about 30%% of 50 entities").isBetween(8L, 23L);
            assertThat(h.getSideOutput(ModelScoringOperator.FEATURE_LOG)).as("the feature log names the version that served")
                    .extracting(r -> r.getValue().modelVersion() + "/" + r.getValue().features().entity())
                    .allMatch(s -> s.startsWith(versionByEntity.get(s.substring(s.indexOf('/') + 1)) + "/"));
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            send(restored, 1000, 1200);
            assertThat(restored.extractOutputValues()).allMatch(p -> versionByEntity.get(p.entity()) == p.modelVersion());
        }
    }

    @Test
    void aChampionAtOrAboveTheTrialEndsItAndAReplayedTrialDoesNotRestartIt() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(as(v1, Role.CHAMPION, 0), 0));
            h.processAnnouncement(new StreamRecord<>(as(v2, Role.CANARY, 1.0), 0));
            send(h, 0, 10);
            h.processAnnouncement(new StreamRecord<>(as(v2, Role.CHAMPION, 0), 0)); // promoted
            h.processAnnouncement(new StreamRecord<>(as(v2, Role.CANARY, 1.0), 0)); // the topic replayed
            send(h, 10, 20);
            assertThat(h.extractOutputValues()).extracting(Prediction::modelVersion).containsOnly(2L);
            assertThat(((ModelScoringOperator) h.getOperator()).trialVersion()).isEqualTo(-1);
        }
    }

    @Test
    void aBadTrialIsRejectedAndTheRunningOneStays() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(as(v1, Role.CHAMPION, 0), 0));
            h.processAnnouncement(new StreamRecord<>(as(v2, Role.SHADOW, 0), 0));
            h.processAnnouncement(new StreamRecord<>(new ModelAnnouncement("fraud", v3.version(), "0000", Role.SHADOW, 0), 0));
            send(h, 0, 10);
            assertThat(h.getSideOutput(ModelScoringOperator.REJECTED)).extracting(r -> r.getValue().reason()).containsExactly("checksum-mismatch");
            assertThat(h.getSideOutput(ModelScoringOperator.SHADOW_LOG)).extracting(r -> r.getValue().modelVersion()).containsOnly(2L).hasSize(10);
        }
    }
}
