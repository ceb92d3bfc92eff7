package io.loopline.state.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Savepoints written while each record's serializer was nested in the record still restore: the
 * fixtures (serializer-snapshots/*.bin) were written by those serializers, a versioned snapshot
 * naming {@code io.loopline.state.records.<Record>$Snapshot} and a few values, before they moved
 * beside the records into this package. Each snapshot must resolve, restore today's serializer,
 * be compatible as is with today's snapshot, and read the values back to the same bytes.
 */
class SavepointCompatibilityTest {
    private static final Map<String, TypeSerializer<?>> TODAY = Map.ofEntries(
            Map.entry("ChallengerRun", new ChallengerRunSerializer()),
            Map.entry("DeadLetter", new DeadLetterSerializer()),
            Map.entry("EntityLabel", new EntityLabelSerializer()),
            Map.entry("Event", new EventSerializer()),
            Map.entry("EventWithAggregates", new EventWithAggregatesSerializer()),
            Map.entry("FeatureVector", new FeatureVectorSerializer()),
            Map.entry("JoinEntry", new JoinEntrySerializer()),
            Map.entry("Label", new LabelSerializer()),
            Map.entry("LabeledPrediction", new LabeledPredictionSerializer()),
            Map.entry("ModelAnnouncement", new ModelAnnouncementSerializer()),
            Map.entry("MonitoringReport", new MonitoringReportSerializer()),
            Map.entry("Prediction", new PredictionSerializer()),
            Map.entry("RawEvent", new RawEventSerializer()),
            Map.entry("ServedFeatures", new ServedFeaturesSerializer()),
            Map.entry("WindowHistograms", new WindowHistogramsSerializer()));

    static Stream<String> records() {
        return TODAY.keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("records")
    void aSnapshotFromBeforeTheMoveRestoresTodaysSerializerAndReadsItsValues(String record) throws Exception {
        byte[] fixture;
        try (InputStream in = getClass().getResourceAsStream("/serializer-snapshots/" + record + ".bin")) {
            assertThat(in).as("fixture of %s", record).isNotNull();
            fixture = in.readAllBytes();
        }
        DataInputDeserializer in = new DataInputDeserializer(fixture);
        TypeSerializerSnapshot<Object> old = TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
        assertThat(old.getClass().getName()).isEqualTo("io.loopline.state.records." + record + "$Snapshot");

        @SuppressWarnings("unchecked")
        TypeSerializer<Object> today = (TypeSerializer<Object>) TODAY.get(record);
        TypeSerializer<Object> restored = old.restoreSerializer();
        assertThat(restored.getClass()).isEqualTo(today.getClass());
        assertThat(today.snapshotConfiguration().resolveSchemaCompatibility(old).isCompatibleAsIs()).isTrue();

        int values = in.readInt();
        assertThat(values).isPositive();
        for (int i = 0; i < values; i++) {
            int from = in.getPosition();
            Object value = restored.deserialize(in);
            byte[] written = Arrays.copyOfRange(fixture, from, in.getPosition());
            DataOutputSerializer again = new DataOutputSerializer(written.length);
            today.serialize(value, again);
            assertThat(again.getCopyOfBuffer()).as("%s value %d written again", record, i).isEqualTo(written);
        }
        assertThat(in.available()).isZero();
    }
}
