package io.loopline.kafka;

import io.loopline.state.records.FeatureVector;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@link FeatureVector} as {@code {eventId, entity, timestamp, spec, values[, label]}}
 * keyed by event id; {@code values} follow the spec's column order. Doubles are written in their
 * shortest exact form, so a reader gets the served bits back.
 */
public final class FeatureVectorSerializer implements KafkaRecordSerializationSchema<FeatureVector> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String specName;

    public FeatureVectorSerializer(String topic, String specName) {
        this.topic = topic;
        this.specName = specName;
    }

    /** The vector's fields, shared with the feature log's records. */
    static void writeFields(com.fasterxml.jackson.core.JsonGenerator json, FeatureVector v, String specName) throws java.io.IOException {
        json.writeStringField("eventId", v.eventId());
        json.writeStringField("entity", v.entity());
        json.writeNumberField("timestamp", v.timestamp());
        json.writeStringField("spec", specName);
        json.writeArrayFieldStart("values");
        for (double x : v.values()) {
            json.writeNumber(x);
        }
        json.writeEndArray();
        if (v.hasLabel()) {
            json.writeNumberField("label", v.label());
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(FeatureVector v, KafkaSinkContext context, Long timestamp) {
        byte[] value = Json.object(json -> writeFields(json, v, specName));
        // Kafka stamps its own time: event times may lie ahead of the broker's clock.
        return new ProducerRecord<>(topic, null, null, v.eventId().getBytes(StandardCharsets.UTF_8), value);
    }
}
