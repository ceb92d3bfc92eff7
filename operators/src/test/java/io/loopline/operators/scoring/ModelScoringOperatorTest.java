package io.loopline.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.operators.features.TestSpecs;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelScoringOperatorTest {
    private static final FeatureSpec SPEC = TestSpecs.payments();

    @TempDir
    Path dir;

    private FileSystemModelStore store;
    private ModelMetadata v1;
    private ModelMetadata v2;
    private BinaryClassifier net1;
    private BinaryClassifier net2;

    private static ModelDraft draft(List<String> columns) {
        return new ModelDraft("fraud", null, BinaryClassifier.FORMAT, SPEC.name(), columns, null, null, 10, Map.of());
    }

    @BeforeEach
    void publishTwoVersions() throws Exception {
        store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.toUri()));
        net1 = BinaryClassifier.create(SPEC.dimension(), new NetworkSettings(List.of(4), "tanh", 0.01, 0, 1, 8, 1));
        net2 = BinaryClassifier.create(SPEC.dimension(), new NetworkSettings(List.of(4), "tanh", 0.01, 0, 1, 8, 2));
        v1 = store.publish(draft(SPEC.columnNames()), net1.toBytes());
        v2 = store.publish(draft(SPEC.columnNames()), net2.toBytes());
    }

    private ScoringHarness harness(int batchSize, int maxHeld) throws Exception {
        String root = dir.toUri().toString();
        var operator = new ModelScoringOperator("fraud", SPEC, () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), batchSize,
                0, maxHeld).loadingInTaskThread();
        return new ScoringHarness(operator);
    }

    private static FeatureVector vector(String id, double x) {
        double[] values = new double[SPEC.dimension()];
        Arrays.fill(values, x);
        return new FeatureVector(id, "u", 1000, values, Double.NaN);
    }

    private static ModelAnnouncement announce(ModelMetadata m) {
        return new ModelAnnouncement(m.name(), m.version(), m.sha256());
    }

    private static double score(BinaryClassifier net, FeatureVector v) {
        return net.score(new double[][] {v.values()}, 1)[0];
    }

    @Test
    void recordsBeforeTheFirstModelAreHeldThenScoredByIt() throws Exception {
        try (var h = harness(100, 10)) {
            h.open();
            h.processVector(new StreamRecord<>(vector("a", 0.1), 1));
            h.processVector(new StreamRecord<>(vector("b", 0.2), 1));
            assertThat(h.extractOutputValues()).isEmpty();

            h.processAnnouncement(new StreamRecord<>(announce(v1), 2));

            List<Prediction> out = h.extractOutputValues();
            assertThat(out).extracting(Prediction::eventId).containsExactly("a", "b");
            assertThat(out).extracting(Prediction::modelVersion).containsOnly(1L);
            assertThat(out.get(0).score()).isEqualTo(score(net1, vector("a", 0.1)));
        }
    }

    @Test
    void microBatchesFlushWhenFullAndBeforeTheCheckpointBarrier() throws Exception {
        try (var h = harness(4, 10)) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(announce(v1), 0));
            for (int i = 0; i < 3; i++) {
                h.processVector(new StreamRecord<>(vector("e" + i, i), 1));
            }
            assertThat(h.extractOutputValues()).as("buffered, not yet scored").isEmpty();

            h.prepareSnapshotPreBarrier(1);
            assertThat(h.extractOutputValues()).hasSize(3);

            for (int i = 3; i < 7; i++) {
                h.processVector(new StreamRecord<>(vector("e" + i, i), 1));
            }
            assertThat(h.extractOutputValues()).as("a full batch goes at once").hasSize(7);
        }
    }

    @Test
    void aNewVersionTakesOverBetweenTwoRecordsAndOlderOnesAreIgnored() throws Exception {
        try (var h = harness(100, 10)) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(announce(v1), 0));
            h.processVector(new StreamRecord<>(vector("before", 0.3), 1));
            h.processAnnouncement(new StreamRecord<>(announce(v2), 2));
            h.processVector(new StreamRecord<>(vector("after", 0.3), 3));
            h.processAnnouncement(new StreamRecord<>(announce(v1), 4));
            h.prepareSnapshotPreBarrier(1);

            List<Prediction> out = h.extractOutputValues();
            assertThat(out).extracting(Prediction::eventId).containsExactly("before", "after");
            assertThat(out).extracting(Prediction::modelVersion).containsExactly(1L, 2L);
            assertThat(out.get(1).score()).isEqualTo(score(net2, vector("after", 0.3)));
        }
    }

    @Test
    void theFeatureLogCarriesEachServedVectorWithItsPrediction() throws Exception {
        String root = dir.toUri().toString();
        var operator = new ModelScoringOperator("fraud", SPEC, () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), 10, 0, 10)
                .loadingInTaskThread().withFeatureLog();
        try (var h = new ScoringHarness(operator)) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(announce(v1), 0));
            h.processVector(new StreamRecord<>(vector("a", 0.4), 1));
            h.processVector(new StreamRecord<>(vector("b", 0.7), 1));
            h.prepareSnapshotPreBarrier(1);

            List<Prediction> predictions = h.extractOutputValues();
            var logged = h.getSideOutput(ModelScoringOperator.FEATURE_LOG).stream().map(r -> r.getValue()).toList();
            assertThat(logged).extracting(s -> s.features()).containsExactly(vector("a", 0.4), vector("b", 0.7));
            for (int i = 0; i < 2; i++) {
                assertThat(logged.get(i).score()).isEqualTo(predictions.get(i).score());
                assertThat(logged.get(i).modelVersion()).isEqualTo(1L);
                assertThat(logged.get(i).servedAt()).isEqualTo(predictions.get(i).servedAt());
            }
        }
    }

    @Test
    void badVersionsAreRejectedWithAReasonAndServingContinues() throws Exception {
        ModelMetadata wrongColumns = store.publish(draft(List.of("x", "y")), net1.toBytes());
        ModelMetadata corrupt = store.publish(draft(SPEC.columnNames()), net1.toBytes());
        Files.write(dir.resolve("fraud").resolve("v" + corrupt.version()).resolve("artifact"), new byte[] {1, 2, 3});
        try (var h = harness(100, 10)) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(announce(v1), 0));
            h.processAnnouncement(new StreamRecord<>(new ModelAnnouncement("fraud", 2, "0000"), 1));
            h.processAnnouncement(new StreamRecord<>(announce(wrongColumns), 2));
            h.processAnnouncement(new StreamRecord<>(announce(corrupt), 3));
            h.processAnnouncement(new StreamRecord<>(new ModelAnnouncement("fraud", 99, "ab"), 4));
            h.processVector(new StreamRecord<>(vector("a", 0.5), 5));
            h.prepareSnapshotPreBarrier(1);

            assertThat(h.extractOutputValues()).extracting(Prediction::modelVersion).containsExactly(1L);
            List<DeadLetter> rejected = h.getSideOutput(ModelScoringOperator.REJECTED).stream().map(StreamRecord::getValue).toList();
            assertThat(rejected).extracting(DeadLetter::reason)
                    .containsExactly("checksum-mismatch", "wrong-features", "corrupt-artifact", "unknown-version");
        }
    }

    @Test
    void heldRecordsOverTheLimitAreDeadLettered() throws Exception {
        try (var h = harness(100, 2)) {
            h.open();
            for (String id : List.of("a", "b", "c")) {
                h.processVector(new StreamRecord<>(vector(id, 0.1), 1));
            }
            assertThat(h.getSideOutput(ModelScoringOperator.REJECTED)).extracting(r -> r.getValue().reason()).containsExactly("no-model-overflow");
            h.processAnnouncement(new StreamRecord<>(announce(v1), 2));
            assertThat(h.extractOutputValues()).extracting(Prediction::eventId).containsExactly("a", "b");
        }
    }

    @Test
    void theServingVersionAndHeldRecordsSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState withHeld;
        try (var h = harness(100, 10)) {
            h.open();
            h.processVector(new StreamRecord<>(vector("held", 0.2), 1));
            withHeld = h.snapshot(1, 1);
        }
        try (var h = harness(100, 10)) {
            h.initializeState(withHeld);
            h.open();
            h.processAnnouncement(new StreamRecord<>(announce(v2), 2));
            assertThat(h.extractOutputValues()).extracting(Prediction::eventId).containsExactly("held");
        }

        OperatorSubtaskState serving;
        try (var h = harness(100, 10)) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(announce(v2), 0));
            serving = h.snapshot(2, 2);
        }
        try (var h = harness(100, 10)) {
            h.initializeState(serving);
            h.open();
            h.processVector(new StreamRecord<>(vector("x", 0.4), 3));
            h.prepareSnapshotPreBarrier(3);
            assertThat(h.extractOutputValues()).extracting(Prediction::modelVersion).containsExactly(2L);
        }
    }

    /** Closed while a test wants a version to stay loading. */
    private static volatile CountDownLatch gate = new CountDownLatch(0);

    private ScoringHarness backgroundLoadingHarness() throws Exception {
        String root = dir.toUri().toString();
        ModelStoreSupplier slow = () -> new TestingGatedModelStore(new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)));
        return new ScoringHarness(new ModelScoringOperator("fraud", SPEC, slow, 1, 0, 10));
    }

    /**
     * Waits for the background loads to finish (a rejected one starts the next queued one), each time firing the
     * operator's poll for it, as the task's clock would: no sleeping, the wait is on the load itself.
     */
    private static void finishLoads(ScoringHarness h) throws Exception {
        ModelScoringOperator op = (ModelScoringOperator) h.getOperator();
        for (int loads = 0; op.backgroundLoad() != null; loads++) {
            assertThat(loads).as("loads in a row").isLessThan(10);
            op.backgroundLoad().handle((loaded, failure) -> loaded).get(20, java.util.concurrent.TimeUnit.SECONDS);
            h.setProcessingTime(h.getProcessingTime() + 1); // fires the operator's poll for a finished load
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aVersionLoadsInTheBackgroundWhileTheOldOneKeepsScoring() throws Exception {
        gate = new CountDownLatch(0);
        try (var h = backgroundLoadingHarness()) {
            h.open();
            h.processVector(new StreamRecord<>(vector("held", 0.1), 1));
            h.processAnnouncement(new StreamRecord<>(announce(v1), 1));
            finishLoads(h);
            assertThat(h.extractOutputValues()).hasSize(1);

            gate = new CountDownLatch(1);
            h.processAnnouncement(new StreamRecord<>(announce(v2), 2));
            h.processVector(new StreamRecord<>(vector("during-load", 0.2), 3));
            assertThat(h.extractOutputValues()).extracting(Prediction::modelVersion).as("v1 serves while v2 loads").containsExactly(1L, 1L);

            gate.countDown();
            finishLoads(h);
            assertThat(((ModelScoringOperator) h.getOperator()).servingVersion()).as("v2 took over").isEqualTo(2);
            h.processVector(new StreamRecord<>(vector("after-load", 0.3), 4));
            assertThat(h.extractOutputValues()).extracting(Prediction::modelVersion).containsExactly(1L, 1L, 2L);
        } finally {
            gate = new CountDownLatch(0);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aCorrectedAnnouncementOfTheVersionBeingLoadedIsNotIgnored() throws Exception {
        gate = new CountDownLatch(1);
        try (var h = backgroundLoadingHarness()) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(new ModelAnnouncement("fraud", 2, "00" + v2.sha256().substring(2)), 1));
            h.processAnnouncement(new StreamRecord<>(announce(v2), 2));
            gate.countDown();
            finishLoads(h);
            assertThat(((ModelScoringOperator) h.getOperator()).servingVersion()).as("the corrected v2 took over").isEqualTo(2);
            assertThat(h.getSideOutput(ModelScoringOperator.REJECTED)).extracting(r -> r.getValue().reason()).containsExactly("checksum-mismatch");
        } finally {
            gate = new CountDownLatch(0);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aVersionStillLoadingAtACheckpointLoadsAfterRestore() throws Exception {
        OperatorSubtaskState loadingV2;
        gate = new CountDownLatch(0);
        try (var h = backgroundLoadingHarness()) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(announce(v1), 1));
            h.processVector(new StreamRecord<>(vector("a", 0.1), 1));
            finishLoads(h);
            assertThat(h.extractOutputValues()).hasSize(1);
            gate = new CountDownLatch(1);
            h.processAnnouncement(new StreamRecord<>(announce(v2), 2));
            loadingV2 = h.snapshot(1, 1);
        } finally {
            gate.countDown();
            gate = new CountDownLatch(0);
        }
        try (var h = backgroundLoadingHarness()) {
            h.initializeState(loadingV2);
            h.open();
            h.processVector(new StreamRecord<>(vector("b", 0.1), 3));
            finishLoads(h);
            assertThat(h.extractOutputValues()).hasSize(1);
            finishLoads(h);
            assertThat(((ModelScoringOperator) h.getOperator()).servingVersion()).as("the pending v2 loaded after restore").isEqualTo(2);
        }
    }

    /** A store whose artifact reads wait for {@link #gate}: a slow store, to watch a background load. */
    private record TestingGatedModelStore(ModelStore delegate) implements ModelStore {
        @Override
        public ModelMetadata publish(ModelDraft draft, byte[] artifact) throws java.io.IOException {
            return delegate.publish(draft, artifact);
        }

        @Override
        public List<String> names() throws java.io.IOException {
            return delegate.names();
        }

        @Override
        public List<ModelMetadata> versions(String name) throws java.io.IOException {
            return delegate.versions(name);
        }

        @Override
        public java.util.Optional<ModelMetadata> get(String name, long version) throws java.io.IOException {
            return delegate.get(name, version);
        }

        @Override
        public byte[] readArtifact(ModelMetadata metadata) throws java.io.IOException {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while the gate was closed");
            }
            return delegate.readArtifact(metadata);
        }

        @Override
        public String artifactUri(ModelMetadata metadata) {
            return delegate.artifactUri(metadata);
        }
    }
}
