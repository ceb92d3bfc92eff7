package io.loopline.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.operators.features.TestSpecs;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.Prediction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad model version a {@code models} topic can carry: each is dead-lettered with its
 * reason, and the version being served keeps serving.
 */
class HostileModelsTest {
    private static final FeatureSpec SPEC = TestSpecs.payments();

    /** Set if anything ever Java-deserializes the payload planted in an artifact. */
    static final AtomicBoolean DESERIALIZED = new AtomicBoolean();

    @TempDir
    Path dir;

    private FileSystemModelStore store;
    private BinaryClassifier good;
    private ModelMetadata v1;

    @BeforeEach
    void serveAGoodVersion() throws Exception {
        store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.toUri()));
        good = BinaryClassifier.create(SPEC.dimension(), new NetworkSettings(List.of(4), "tanh", 0.01, 0, 1, 8, 1));
        v1 = publish(good.toBytes());
    }

    private ModelMetadata publish(byte[] artifact) throws IOException {
        return store.publish(new ModelDraft("fraud", null, BinaryClassifier.FORMAT, SPEC.name(), SPEC.columnNames(), null, null, 10, Map.of()), artifact);
    }

    private Path versionDir(ModelMetadata m) {
        return dir.resolve(m.name()).resolve("v" + m.version());
    }

    private static ModelAnnouncement announce(ModelMetadata m) {
        return new ModelAnnouncement(m.name(), m.version(), m.sha256());
    }

    @Test
    void everyHostileVersionIsRejectedWithItsReasonAndV1KeepsServing() throws Exception {
        byte[] artifact = good.toBytes();
        List<ModelAnnouncement> hostile = new ArrayList<>();
        List<String> expectedReasons = new ArrayList<>();

        hostile.add(announce(publish(withEntry(artifact, "preprocessor.bin", serializedGadget()))));
        expectedReasons.add("unsafe-artifact");
        hostile.add(announce(publish("PK this is not a zip".getBytes(StandardCharsets.UTF_8))));
        expectedReasons.add("corrupt-artifact");
        hostile.add(announce(publish(Arrays.copyOf(artifact, artifact.length / 2))));
        expectedReasons.add("unreadable-artifact");

        ModelMetadata missing = publish(artifact);
        Files.delete(versionDir(missing).resolve("artifact"));
        hostile.add(announce(missing));
        expectedReasons.add("corrupt-artifact");

        ModelMetadata wrongSha = publish(artifact);
        hostile.add(new ModelAnnouncement("fraud", wrongSha.version(), "0".repeat(64)));
        expectedReasons.add("checksum-mismatch");

        ModelMetadata enormous = publish(artifact);
        Path metadataFile = versionDir(enormous).resolve("metadata.json");
        rewrite(metadataFile, "\"artifactBytes\"\\s*:\\s*\\d+", "\"artifactBytes\":" + (1L << 40));
        hostile.add(announce(enormous));
        expectedReasons.add("artifact-too-large");

        ModelMetadata elsewhere = publish(artifact);
        Path other = versionDir(elsewhere).resolve("metadata.json");
        rewrite(other, "\"name\"\\s*:\\s*\"fraud\"", "\"name\":\"other\"");
        hostile.add(announce(elsewhere));
        expectedReasons.add("metadata-mismatch");

        BinaryClassifier narrow = BinaryClassifier.create(SPEC.dimension() - 1, new NetworkSettings(List.of(4), "tanh", 0.01, 0, 1, 8, 1));
        hostile.add(announce(publish(narrow.toBytes())));
        expectedReasons.add("wrong-dimension");

        BinaryClassifier poisoned = BinaryClassifier.create(SPEC.dimension(), new NetworkSettings(List.of(4), "tanh", 0.01, 0, 1, 8, 1));
        double[] nanRow = new double[SPEC.dimension()];
        Arrays.fill(nanRow, Double.NaN);
        poisoned.fit(new double[][] {nanRow}, new double[] {1}, 1, 1, 1);
        hostile.add(announce(publish(poisoned.toBytes())));
        expectedReasons.add("non-finite-output");

        ModelMetadata v2 = publish(artifact);
        String root = dir.toUri().toString();
        var operator = new ModelScoringOperator("fraud", SPEC, () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), 100, 0, 10)
                .loadingInTaskThread();
        try (var h = new ScoringHarness(operator)) {
            h.open();
            h.processAnnouncement(new StreamRecord<>(announce(v1), 0));
            for (ModelAnnouncement a : hostile) {
                h.processAnnouncement(new StreamRecord<>(a, 1));
                h.processVector(new StreamRecord<>(vector("after-v" + a.version()), 2));
            }
            h.processAnnouncement(new StreamRecord<>(announce(v1), 3)); // an old version announced as if new
            expectedReasons.add("out-of-order-version");
            h.processVector(new StreamRecord<>(vector("last"), 4));
            h.prepareSnapshotPreBarrier(1);

            List<DeadLetter> rejected = h.getSideOutput(ModelScoringOperator.REJECTED).stream().map(StreamRecord::getValue).toList();
            assertThat(rejected).extracting(DeadLetter::reason).containsExactlyElementsOf(expectedReasons);
            assertThat(rejected).allSatisfy(d -> assertThat(d.detail()).isNotBlank());
            assertThat(h.extractOutputValues()).hasSize(hostile.size() + 1).extracting(Prediction::modelVersion).containsOnly(v1.version());
            assertThat(DESERIALIZED).as("nothing in an artifact is ever Java-deserialized").isFalse();

            h.processAnnouncement(new StreamRecord<>(announce(v2), 5));
            h.processVector(new StreamRecord<>(vector("good-again"), 6));
            h.prepareSnapshotPreBarrier(2);
            assertThat(h.extractOutputValues()).last().extracting(Prediction::modelVersion).isEqualTo(v2.version());
        }
    }

    private static void rewrite(Path file, String regex, String replacement) throws IOException {
        String before = Files.readString(file);
        String after = before.replaceFirst(regex, replacement);
        assertThat(after).as("tampered " + file).isNotEqualTo(before);
        Files.writeString(file, after);
    }

    private static FeatureVector vector(String id) {
        double[] values = new double[SPEC.dimension()];
        Arrays.fill(values, 0.3);
        return new FeatureVector(id, "u", 1000, values, Double.NaN);
    }

    private static byte[] withEntry(byte[] zip, String name, byte[] content) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var in = new ZipInputStream(new ByteArrayInputStream(zip)); var rebuilt = new ZipOutputStream(out)) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                rebuilt.putNextEntry(new ZipEntry(entry.getName()));
                in.transferTo(rebuilt);
                rebuilt.closeEntry();
            }
            rebuilt.putNextEntry(new ZipEntry(name));
            rebuilt.write(content);
            rebuilt.closeEntry();
        }
        return out.toByteArray();
    }

    private static byte[] serializedGadget() throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new ObjectOutputStream(bytes)) {
            out.writeObject(new Gadget());
        }
        return bytes.toByteArray();
    }

    /** Stands in for a deserialization gadget: records that it was read. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            DESERIALIZED.set(true);
        }
    }
}
