package io.loopline.kafka;

import io.loopline.state.records.Prediction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a {@link Prediction} as {@code {eventId, entity, score, label?, model, modelVersion, eventTime, servedAt}} keyed by event id. */
public final class PredictionSerializer implements KafkaRecordSerializationSchema<Prediction> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public PredictionSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Prediction p, KafkaSinkContext context, Long timestamp) {
        byte[] value = Json.object(json -> {
            json.writeStringField("eventId", p.eventId());
            json.writeStringField("entity", p.entity());
            json.writeNumberField("score", p.score());
            if (!Double.isNaN(p.label())) {
                json.writeNumberField("label", p.label());
            }
            json.writeStringField("model", p.model());
            json.writeNumberField("modelVersion", p.modelVersion());
            json.writeNumberField("eventTime", p.eventTime());
            json.writeNumberField("servedAt", p.servedAt());
        });
        return new ProducerRecord<>(topic, null, null, p.eventId().getBytes(StandardCharsets.UTF_8), value);
    }
}
