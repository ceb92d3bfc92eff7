package io.loopline.kafka;

import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ServedFeatures;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a feature-log line as {@code {eventId, entity, timestamp, spec, values, label?, model,
 * modelVersion, score, servedAt}} keyed by event id: the feature record of {@link
 * FeatureVectorSerializer} plus the prediction made from it, so a training set read from this topic
 * has exactly the served inputs.
 *
 * <p>Each serving subtask writes to its own partition (subtask index modulo the partitions, when there
 * are at least as many subtasks as partitions): serving
 * scores events as they arrive, so two subtasks' outputs are not aligned in event time, and the
 * learning job, which keeps one watermark per partition, must not see one subtask's records behind
 * another's in the same partition.
 */
public final class ServedFeaturesSerializer implements KafkaRecordSerializationSchema<ServedFeatures> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String specName;

    public ServedFeaturesSerializer(String topic, String specName) {
        this.topic = topic;
        this.specName = specName;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(ServedFeatures s, KafkaSinkContext context, Long timestamp) {
        FeatureVector v = s.features();
        byte[] value = Json.object(json -> {
            FeatureVectorSerializer.writeFields(json, v, specName);
            json.writeStringField("model", s.model());
            json.writeNumberField("modelVersion", s.modelVersion());
            json.writeNumberField("score", s.score());
            json.writeNumberField("servedAt", s.servedAt());
        });
        int[] partitions = context.getPartitionsForTopic(topic);
        // With fewer subtasks than partitions some partitions would stay empty and hold the learning job's event time back
        // forever: then by key, as before (one subtask needs no alignment with another anyway).
        Integer partition = partitions == null || partitions.length == 0 || context.getNumberOfParallelInstances() < partitions.length ? null
                : partitions[context.getParallelInstanceId() % partitions.length];
        return new ProducerRecord<>(topic, partition, null, v.eventId().getBytes(StandardCharsets.UTF_8), value);
    }
}
